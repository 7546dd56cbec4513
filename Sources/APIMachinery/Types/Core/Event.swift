/// A report of something that happened to an object (core/v1 `Event`).
public struct Event: Sendable, Hashable, Codable {
    public var metadata: ObjectMeta
    public var involvedObject: ObjectReference?
    public var reason: String?
    public var message: String?
    public var source: EventSource?
    @NullEncoded public var firstTimestamp: Time?
    @NullEncoded public var lastTimestamp: Time?
    public var count: Int32?
    /// `Normal` or `Warning`.
    public var type: String?
    @NullEncoded public var eventTime: MicroTime?
    public var series: EventSeries?
    public var action: String?
    public var related: ObjectReference?
    public var reportingComponent: String?
    public var reportingInstance: String?

    public init(
        metadata: ObjectMeta = ObjectMeta(), involvedObject: ObjectReference? = nil, reason: String? = nil,
        message: String? = nil, source: EventSource? = nil, firstTimestamp: Time? = nil, lastTimestamp: Time? = nil,
        count: Int32? = nil, type: String? = nil, eventTime: MicroTime? = nil, series: EventSeries? = nil,
        action: String? = nil, related: ObjectReference? = nil, reportingComponent: String? = nil,
        reportingInstance: String? = nil
    ) {
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.source = source
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.count = count
        self.type = type
        self.eventTime = eventTime
        self.series = series
        self.action = action
        self.related = related
        self.reportingComponent = reportingComponent
        self.reportingInstance = reportingInstance
    }

    enum CodingKeys: String, CodingKey {
        case metadata, involvedObject, reason, message, source, firstTimestamp, lastTimestamp, count, type, eventTime
        case series, action, related, reportingComponent, reportingInstance
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        involvedObject = try container.decodeIfPresent(ObjectReference.self, forKey: .involvedObject)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        source = try container.decodeIfPresent(EventSource.self, forKey: .source)
        _firstTimestamp = NullEncoded(wrappedValue: try container.decodeIfPresent(Time.self, forKey: .firstTimestamp))
        _lastTimestamp = NullEncoded(wrappedValue: try container.decodeIfPresent(Time.self, forKey: .lastTimestamp))
        count = try container.decodeIfPresent(Int32.self, forKey: .count)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        _eventTime = NullEncoded(wrappedValue: try container.decodeIfPresent(MicroTime.self, forKey: .eventTime))
        series = try container.decodeIfPresent(EventSeries.self, forKey: .series)
        action = try container.decodeIfPresent(String.self, forKey: .action)
        related = try container.decodeIfPresent(ObjectReference.self, forKey: .related)
        reportingComponent = try container.decodeIfPresent(String.self, forKey: .reportingComponent)
        reportingInstance = try container.decodeIfPresent(String.self, forKey: .reportingInstance)
    }
}

/// The component and host that reported an event.
public struct EventSource: Sendable, Hashable, Codable {
    public var component: String?
    public var host: String?

    public init(component: String? = nil, host: String? = nil) {
        self.component = component
        self.host = host
    }
}

/// A series of repeated events.
public struct EventSeries: Sendable, Hashable, Codable {
    public var count: Int32?
    @NullEncoded public var lastObservedTime: MicroTime?

    public init(count: Int32? = nil, lastObservedTime: MicroTime? = nil) {
        self.count = count
        self.lastObservedTime = lastObservedTime
    }
}
