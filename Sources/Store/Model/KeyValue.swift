/// A key's state at one revision (etcd's `mvccpb.KeyValue`).
public struct KeyValue: Sendable, Hashable {
    public var key: [UInt8]
    /// The revision of the key's latest creation.
    public var createRevision: Int64
    /// The revision of the key's latest change.
    public var modRevision: Int64
    /// Changes since creation (1 after a create); a delete resets it to 0.
    public var version: Int64
    public var value: [UInt8]
    /// The lease the key is attached to (0: none).
    public var lease: Int64
    /// The change's position among its revision's changes (etcd's sub-revision): history replayed to
    /// a watcher keeps a transaction's events in the order it made them. Not part of equality.
    package var subRevision: Int32 = 0

    public init(
        key: [UInt8], createRevision: Int64 = 0, modRevision: Int64 = 0, version: Int64 = 0, value: [UInt8] = [],
        lease: Int64 = 0
    ) {
        self.key = key
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.value = value
        self.lease = lease
    }
}

extension KeyValue {
    public static func == (lhs: KeyValue, rhs: KeyValue) -> Bool {
        lhs.key == rhs.key && lhs.createRevision == rhs.createRevision && lhs.modRevision == rhs.modRevision
            && lhs.version == rhs.version && lhs.value == rhs.value && lhs.lease == rhs.lease
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(modRevision)
        hasher.combine(version)
    }
}

/// One change, as watchers see it (etcd's `mvccpb.Event`).
public struct Event: Sendable, Hashable {
    public enum Kind: UInt8, Sendable, Hashable {
        case put = 0
        case delete = 1
    }

    public var kind: Kind
    /// For a put, the key's new state; for a delete, the key with the delete's revision as
    /// `modRevision` and everything else zero.
    public var kv: KeyValue
    /// The state before the change, when the watcher asked for it and there was one.
    public var prevKV: KeyValue?

    public init(kind: Kind, kv: KeyValue, prevKV: KeyValue? = nil) {
        self.kind = kind
        self.kv = kv
        self.prevKV = prevKV
    }
}

/// Sent with every response: the store's revision when the request was served.
public struct ResponseHeader: Sendable, Hashable {
    public var revision: Int64
    public var raftTerm: UInt64
    public var memberID: UInt64

    public init(revision: Int64, raftTerm: UInt64 = 0, memberID: UInt64 = 0) {
        self.revision = revision
        self.raftTerm = raftTerm
        self.memberID = memberID
    }
}

/// Key ranges the etcd way: an empty `rangeEnd` means the single key; `[0]` means every key at or
/// after `key`; otherwise `[key, rangeEnd)`.
public enum KeyRange {
    /// The `rangeEnd` that makes `[prefix, rangeEnd)` cover every key starting with `prefix`: the
    /// prefix with its last byte below 0xFF incremented (and what follows dropped); `[0]` when every
    /// byte is 0xFF (or the prefix is empty).
    public static func prefixEnd(_ prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xFF {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]
    }

    /// The exclusive upper bound of a request's range; nil for "no upper bound".
    static func upperBound(_ rangeEnd: [UInt8]) -> [UInt8]? {
        if rangeEnd == [0] { return nil }
        return rangeEnd
    }
}
