public import APIMachinery
import Synchronization

/// Records `core/v1` Events about objects, as controllers do (client-go's event recorder): an event
/// repeated for the same object, reason and message bumps the first one's `count` and `lastTimestamp`
/// instead of creating another. Recording never fails the caller: an event that cannot be written is
/// dropped (events are best-effort, as in Kubernetes).
public final class EventRecorder: Sendable {
    /// Event types.
    public enum EventType: String, Sendable {
        case normal = "Normal"
        case warning = "Warning"
    }

    let client: Client
    let component: String
    let now: @Sendable () -> Time
    /// Series key (which includes the namespace) → the stored event's name, for aggregation (bounded: the
    /// oldest series are forgotten).
    let series = Mutex<(names: [String: String], order: BoundedHistory<String>)>(([:], BoundedHistory(limit: 4096)))

    /// - Parameters:
    ///   - component: written as `source.component` and `reportingComponent` (the controller's name).
    ///   - now: the time written into events (the API server's clock in the test environment).
    public init(client: Client, component: String, now: @escaping @Sendable () -> Time = { Time.now() }) {
        self.client = client
        self.component = component
        self.now = now
    }

    /// Records an event about `object`.
    public func record<R: Resource>(_ object: R, type: EventType = .normal, reason: String, message: String) async {
        let metadata = object.metadata
        let reference = ObjectReference(kind: R.descriptor.kind, namespace: metadata.namespace.isEmpty ? nil : metadata.namespace,
            name: metadata.name, uid: metadata.uid, apiVersion: R.descriptor.groupVersionKind.apiVersion,
            resourceVersion: metadata.resourceVersion)
        let namespace = metadata.namespace.isEmpty ? "default" : metadata.namespace
        let key = "\(reference.kind ?? "")/\(namespace)/\(metadata.name)/\(metadata.uid)/\(type.rawValue)/\(reason)/\(message)"
        let events = client.resource(Event.self, namespace: namespace)
        let time = now()
        if let existing = series.withLock({ $0.names[key] }),
            var stored = try? await events.get(existing)
        {
            stored.count = (stored.count ?? 1) + 1
            stored.lastTimestamp = time
            if (try? await events.update(stored)) != nil { return }
        }
        let event = Event(
            metadata: ObjectMeta(generateName: "\(metadata.name).", namespace: namespace),
            involvedObject: reference, reason: reason, message: message, source: EventSource(component: component),
            firstTimestamp: time, lastTimestamp: time, count: 1, type: type.rawValue, reportingComponent: component)
        guard let created = try? await events.create(event) else { return }
        series.withLock { series in
            if series.names.updateValue(created.metadata.name, forKey: key) == nil {
                if let evicted = series.order.append(key) { series.names[evicted] = nil }
            }
        }
    }
}
