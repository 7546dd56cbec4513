/// Reads keys (etcd's `RangeRequest`).
public struct RangeRequest: Sendable, Hashable {
    public enum SortOrder: UInt8, Sendable, Hashable {
        case none = 0
        case ascend = 1
        case descend = 2
    }

    public enum SortTarget: UInt8, Sendable, Hashable {
        case key = 0
        case version = 1
        case create = 2
        case mod = 3
        case value = 4
    }

    public var key: [UInt8]
    /// Empty: just `key`; `[0]`: every key from `key` on; otherwise the exclusive end.
    public var rangeEnd: [UInt8]
    /// At most this many keys (0: no limit).
    public var limit: Int64
    /// Read at this revision (0 or less: the latest).
    public var revision: Int64
    public var sortOrder: SortOrder
    public var sortTarget: SortTarget
    /// Linearizable (false, the default) or served from this member's state (true).
    public var serializable: Bool
    public var keysOnly: Bool
    public var countOnly: Bool
    public var minModRevision: Int64
    public var maxModRevision: Int64
    public var minCreateRevision: Int64
    public var maxCreateRevision: Int64

    public init(
        key: [UInt8], rangeEnd: [UInt8] = [], limit: Int64 = 0, revision: Int64 = 0, sortOrder: SortOrder = .none,
        sortTarget: SortTarget = .key, serializable: Bool = false, keysOnly: Bool = false, countOnly: Bool = false,
        minModRevision: Int64 = 0, maxModRevision: Int64 = 0, minCreateRevision: Int64 = 0, maxCreateRevision: Int64 = 0
    ) {
        self.key = key
        self.rangeEnd = rangeEnd
        self.limit = limit
        self.revision = revision
        self.sortOrder = sortOrder
        self.sortTarget = sortTarget
        self.serializable = serializable
        self.keysOnly = keysOnly
        self.countOnly = countOnly
        self.minModRevision = minModRevision
        self.maxModRevision = maxModRevision
        self.minCreateRevision = minCreateRevision
        self.maxCreateRevision = maxCreateRevision
    }

    /// Every key starting with `prefix`.
    public static func prefix(_ prefix: [UInt8], limit: Int64 = 0, revision: Int64 = 0) -> RangeRequest {
        RangeRequest(key: prefix.isEmpty ? [0] : prefix, rangeEnd: KeyRange.prefixEnd(prefix), limit: limit, revision: revision)
    }
}

public struct RangeResponse: Sendable, Hashable {
    public var header: ResponseHeader
    public var kvs: [KeyValue]
    /// More keys matched than `limit` let through.
    public var more: Bool
    /// Keys in the range at the revision, ignoring `limit`.
    public var count: Int64

    public init(header: ResponseHeader, kvs: [KeyValue] = [], more: Bool = false, count: Int64 = 0) {
        self.header = header
        self.kvs = kvs
        self.more = more
        self.count = count
    }
}

/// Writes one key (etcd's `PutRequest`).
public struct PutRequest: Sendable, Hashable {
    public var key: [UInt8]
    public var value: [UInt8]
    /// Attach the key to this lease (0: none; a key put without a lease loses its old one).
    public var lease: Int64
    /// Return the key's previous state.
    public var prevKV: Bool
    /// Keep the current value (the key must exist).
    public var ignoreValue: Bool
    /// Keep the current lease (the key must exist).
    public var ignoreLease: Bool

    public init(
        key: [UInt8], value: [UInt8] = [], lease: Int64 = 0, prevKV: Bool = false, ignoreValue: Bool = false,
        ignoreLease: Bool = false
    ) {
        self.key = key
        self.value = value
        self.lease = lease
        self.prevKV = prevKV
        self.ignoreValue = ignoreValue
        self.ignoreLease = ignoreLease
    }
}

public struct PutResponse: Sendable, Hashable {
    public var header: ResponseHeader
    public var prevKV: KeyValue?

    public init(header: ResponseHeader, prevKV: KeyValue? = nil) {
        self.header = header
        self.prevKV = prevKV
    }
}

/// Deletes a key or a range (etcd's `DeleteRangeRequest`).
public struct DeleteRangeRequest: Sendable, Hashable {
    public var key: [UInt8]
    public var rangeEnd: [UInt8]
    public var prevKV: Bool

    public init(key: [UInt8], rangeEnd: [UInt8] = [], prevKV: Bool = false) {
        self.key = key
        self.rangeEnd = rangeEnd
        self.prevKV = prevKV
    }
}

public struct DeleteRangeResponse: Sendable, Hashable {
    public var header: ResponseHeader
    public var deleted: Int64
    public var prevKVs: [KeyValue]

    public init(header: ResponseHeader, deleted: Int64 = 0, prevKVs: [KeyValue] = []) {
        self.header = header
        self.deleted = deleted
        self.prevKVs = prevKVs
    }
}

/// One condition of a transaction (etcd's `Compare`), over a key or a range (all keys must match).
public struct Compare: Sendable, Hashable {
    public enum Result: UInt8, Sendable, Hashable {
        case equal = 0
        case greater = 1
        case less = 2
        case notEqual = 3
    }

    public enum Target: Sendable, Hashable {
        case version(Int64)
        case createRevision(Int64)
        case modRevision(Int64)
        case value([UInt8])
        case lease(Int64)
    }

    public var key: [UInt8]
    public var rangeEnd: [UInt8]
    public var result: Result
    public var target: Target

    public init(key: [UInt8], rangeEnd: [UInt8] = [], _ target: Target, _ result: Result) {
        self.key = key
        self.rangeEnd = rangeEnd
        self.result = result
        self.target = target
    }
}

/// An operation inside a transaction.
public indirect enum RequestOp: Sendable, Hashable {
    case range(RangeRequest)
    case put(PutRequest)
    case deleteRange(DeleteRangeRequest)
    case txn(TxnRequest)
}

public indirect enum ResponseOp: Sendable, Hashable {
    case range(RangeResponse)
    case put(PutResponse)
    case deleteRange(DeleteRangeResponse)
    case txn(TxnResponse)
}

/// If every compare holds, run `success`, otherwise `failure` (etcd's `TxnRequest`). All writes
/// share one new revision; later operations see earlier ones' writes.
public struct TxnRequest: Sendable, Hashable {
    public var compare: [Compare]
    public var success: [RequestOp]
    public var failure: [RequestOp]

    public init(compare: [Compare] = [], success: [RequestOp] = [], failure: [RequestOp] = []) {
        self.compare = compare
        self.success = success
        self.failure = failure
    }
}

public struct TxnResponse: Sendable, Hashable {
    public var header: ResponseHeader
    public var succeeded: Bool
    public var responses: [ResponseOp]

    public init(header: ResponseHeader, succeeded: Bool, responses: [ResponseOp] = []) {
        self.header = header
        self.succeeded = succeeded
        self.responses = responses
    }
}
