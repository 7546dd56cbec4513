import Raft

/// One version of a key as the index keeps it: a ``KeyValue`` without the key, which the index
/// holds once for all of the key's versions. `version == 0` marks a deletion.
struct StoredVersion: Sendable {
    var createRevision: Int64
    var modRevision: Int64
    var version: Int64
    var lease: Int64
    var value: [UInt8]
    var subRevision: Int32

    init(_ kv: KeyValue) {
        createRevision = kv.createRevision
        modRevision = kv.modRevision
        version = kv.version
        lease = kv.lease
        value = kv.value
        subRevision = kv.subRevision
    }

    /// The version as a ``KeyValue`` of `key`.
    func keyValue(_ key: [UInt8]) -> KeyValue {
        var kv = KeyValue(key: key, createRevision: createRevision, modRevision: modRevision, version: version, value: value, lease: lease)
        kv.subRevision = subRevision
        return kv
    }
}

/// A key's versions in revision order. Most keys have one (history is compacted, or they were
/// written once), kept inline in the index's entry: no array, no second heap object per key.
struct KeyVersions: Sendable, RandomAccessCollection {
    private enum Storage: Sendable {
        case one(StoredVersion)
        case many([StoredVersion])
    }

    private var storage: Storage

    static var empty: KeyVersions { KeyVersions(storage: .many([])) }

    private init(storage: Storage) {
        self.storage = storage
    }

    init(_ versions: [StoredVersion]) {
        storage = versions.count == 1 ? .one(versions[0]) : .many(versions)
    }

    var startIndex: Int { 0 }

    var endIndex: Int {
        switch storage {
        case .one: return 1
        case .many(let versions): return versions.count
        }
    }

    subscript(position: Int) -> StoredVersion {
        switch storage {
        case .one(let version):
            precondition(position == 0, "index out of range")
            return version
        case .many(let versions):
            return versions[position]
        }
    }

    mutating func append(_ version: StoredVersion) {
        switch storage {
        case .one(let first):
            storage = .many([first, version])
        case .many(var versions):
            if versions.isEmpty {
                storage = .one(version)
            } else {
                storage = .many([])  // so `versions` is the only reference and grows in place
                versions.append(version)
                storage = .many(versions)
            }
        }
    }

    @discardableResult
    mutating func removeLast() -> StoredVersion {
        switch storage {
        case .one(let version):
            storage = .many([])
            return version
        case .many(var versions):
            storage = .many([])
            let last = versions.removeLast()
            storage = versions.count == 1 ? .one(versions[0]) : .many(versions)
            return last
        }
    }

    /// Drops the oldest `n` versions.
    mutating func removeFirst(_ n: Int) {
        guard n > 0 else { return }
        switch storage {
        case .one:
            precondition(n == 1, "index out of range")
            storage = .many([])
        case .many(var versions):
            storage = .many([])
            versions.removeFirst(n)
            storage = versions.count == 1 ? .one(versions[0]) : .many(versions)
        }
    }
}
