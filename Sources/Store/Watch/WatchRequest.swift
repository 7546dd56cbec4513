/// What to watch (etcd's `WatchCreateRequest`): a key, a prefix or a range, from a revision on.
public struct WatchRequest: Sendable, Hashable {
    public var key: [UInt8]
    /// Empty: just `key`; `[0]`: every key from `key` on; otherwise the exclusive end.
    public var rangeEnd: [UInt8]
    /// The first revision to report (inclusive); 0 or less: changes after the current revision.
    public var startRevision: Int64
    /// Each event carries the key's previous state, when history still holds it.
    public var prevKV: Bool
    /// Leave out puts.
    public var noPut: Bool
    /// Leave out deletes.
    public var noDelete: Bool
    /// Send an empty response carrying the current revision when the watcher has been idle for the
    /// store's progress interval.
    public var progressNotify: Bool

    public init(
        key: [UInt8], rangeEnd: [UInt8] = [], startRevision: Int64 = 0, prevKV: Bool = false, noPut: Bool = false,
        noDelete: Bool = false, progressNotify: Bool = false
    ) {
        self.key = key
        self.rangeEnd = rangeEnd
        self.startRevision = startRevision
        self.prevKV = prevKV
        self.noPut = noPut
        self.noDelete = noDelete
        self.progressNotify = progressNotify
    }

    /// Every key starting with `prefix`.
    public static func prefix(_ prefix: [UInt8], startRevision: Int64 = 0, prevKV: Bool = false) -> WatchRequest {
        WatchRequest(key: prefix.isEmpty ? [0] : prefix, rangeEnd: KeyRange.prefixEnd(prefix), startRevision: startRevision, prevKV: prevKV)
    }
}

/// One delivery to a watcher: whole revisions of events in order, or a progress notification.
public struct WatchResponse: Sendable, Hashable {
    public var header: ResponseHeader
    public var watchID: Int64
    /// Events of one or more whole revisions, ordered by revision, then as each revision made them.
    public var events: [Event]

    /// A progress notification: no events, and every change up to `header.revision` was delivered.
    public var isProgressNotify: Bool { events.isEmpty }

    public init(header: ResponseHeader, watchID: Int64, events: [Event]) {
        self.header = header
        self.watchID = watchID
        self.events = events
    }
}
