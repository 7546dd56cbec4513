/// The store's state machine: every key's history, one store-wide revision, compaction and leases.
/// A deterministic value: every member applies the same requests in the same order and reaches the
/// same state (``hash(at:)`` checks it). Reads never change it; a refused write changes nothing.
package struct MVCCStore: Sendable {
    /// Request limits (etcd's defaults where etcd has one).
    package struct Limits: Sendable {
        /// etcd's `--max-request-bytes` default.
        package var maxRequestBytes = 1_572_864
        /// etcd's `--max-txn-ops` default.
        package var maxTxnOperations = 128
        package var maxKeyBytes = 32 << 10

        package init() {}
    }

    package struct Lease: Sendable, Hashable {
        package var id: Int64
        package var ttl: Int64
        package var keys: Set<[UInt8]>
    }

    package var limits: Limits
    /// Per key, its versions in revision order; a version with `version == 0` is a deletion.
    var index = SortedKeyMap<KeyVersions>()
    /// The revision of the latest change (1 for an empty store, as in etcd).
    package internal(set) var revision: Int64 = 1
    /// History before this revision is gone.
    package internal(set) var compactRevision: Int64 = 0
    package internal(set) var leases: [Int64: Lease] = [:]

    package init(limits: Limits = Limits()) {
        self.limits = limits
    }

    // MARK: Reading

    /// The key's state at `revision`, if it existed then.
    static func visible(_ versions: KeyVersions, at revision: Int64) -> StoredVersion? {
        // Usually the newest version is the one: check it before searching.
        if let last = versions.last, last.modRevision <= revision { return last.version == 0 ? nil : last }
        var low = 0
        var high = versions.count
        while low < high {
            let mid = (low + high) / 2
            if versions[mid].modRevision <= revision { low = mid + 1 } else { high = mid }
        }
        guard low > 0 else { return nil }
        let found = versions[low - 1]
        return found.version == 0 ? nil : found
    }

    /// Visits keys in `[key, rangeEnd)` (etcd's conventions) that exist at `revision`, in key order,
    /// until `body` returns false.
    func forEachVisible(key: [UInt8], rangeEnd: [UInt8], at revision: Int64, _ body: (KeyValue) -> Bool) {
        forEachVisibleVersion(key: key, rangeEnd: rangeEnd, at: revision) { key, version in body(version.keyValue(key())) }
    }

    /// ``forEachVisible(key:rangeEnd:at:_:)`` handing each key as a function that copies it out of
    /// the index (for visitors that need only some keys, or none).
    func forEachVisibleVersion(
        key: [UInt8], rangeEnd: [UInt8], at revision: Int64, _ body: (_ key: () -> [UInt8], _ version: StoredVersion) -> Bool
    ) {
        if rangeEnd.isEmpty {
            if let versions = index[key], let version = Self.visible(versions, at: revision) { _ = body({ key }, version) }
            return
        }
        let upper = KeyRange.upperBound(rangeEnd)
        if let upper, compareBytes(upper, key) <= 0 { return }
        index.forEachEntry(from: key, to: upper) { key, versions in
            guard let version = Self.visible(versions, at: revision) else { return true }
            return body({ Array(key) }, version)
        }
    }

    /// Checks that `revision` (0 or less: the latest) can be read; returns the revision to read at.
    func readableRevision(_ requested: Int64, latest: Int64) throws(StoreError) -> Int64 {
        if requested <= 0 { return latest }
        if requested > latest { throw StoreError.futureRevision }
        if requested < compactRevision { throw StoreError.compacted(compactRevision) }
        return requested
    }

    /// Serves a range at the latest revision or the one it names.
    package func range(_ request: RangeRequest) throws(StoreError) -> RangeResponse {
        try validate(request)
        return try range(request, latest: revision)
    }

    func validate(_ request: RangeRequest) throws(StoreError) {
        if request.key.isEmpty { throw StoreError.emptyKey }
        if request.limit < 0 { throw StoreError(.invalidArgument, "etcdserver: negative limit") }
    }

    /// Serves a range with `latest` as the newest visible revision (inside a transaction that has
    /// written, its pending revision).
    func range(_ request: RangeRequest, latest: Int64) throws(StoreError) -> RangeResponse {
        let at = try readableRevision(request.revision, latest: latest)
        let filtered =
            request.minModRevision != 0 || request.maxModRevision != 0 || request.minCreateRevision != 0
            || request.maxCreateRevision != 0
        var order = request.sortOrder
        if request.sortTarget != .key && order == .none {
            order = .ascend  // sorting by anything but the key is ascending unless asked otherwise
        } else if request.sortTarget == .key && order == .ascend {
            order = .none  // keys already come in ascending order
        }
        // Everything must be fetched when sorting or filtering afterwards; otherwise one past the
        // limit tells whether there is more.
        let fetchAll = order != .none || filtered || request.limit == 0
        let fetchLimit = fetchAll ? Int.max : Int(request.limit) + 1
        var kvs: [KeyValue] = []
        var count: Int64 = 0
        forEachVisibleVersion(key: request.key, rangeEnd: request.rangeEnd, at: at) { key, version in
            count += 1
            if !request.countOnly && kvs.count < fetchLimit { kvs.append(version.keyValue(key())) }
            return true
        }
        if filtered {
            kvs.removeAll { kv in
                (request.minModRevision != 0 && kv.modRevision < request.minModRevision)
                    || (request.maxModRevision != 0 && kv.modRevision > request.maxModRevision)
                    || (request.minCreateRevision != 0 && kv.createRevision < request.minCreateRevision)
                    || (request.maxCreateRevision != 0 && kv.createRevision > request.maxCreateRevision)
            }
        }
        if order != .none { Self.sort(&kvs, by: request.sortTarget, order) }
        var more = false
        if request.limit > 0 && kvs.count > Int(request.limit) {
            kvs.removeSubrange(Int(request.limit)...)
            more = true
        }
        if request.keysOnly {
            for i in kvs.indices { kvs[i].value = [] }
        }
        return RangeResponse(header: ResponseHeader(revision: latest), kvs: kvs, more: more, count: count)
    }

    static func sort(_ kvs: inout [KeyValue], by target: RangeRequest.SortTarget, _ order: RangeRequest.SortOrder) {
        let ascending = order != .descend
        // Stable, with the key as the tie-break (the fetch order), as etcd's sort is.
        func less(_ a: KeyValue, _ b: KeyValue) -> Bool {
            switch target {
            case .key: return compareBytes(a.key, b.key) < 0
            case .version: return a.version < b.version
            case .create: return a.createRevision < b.createRevision
            case .mod: return a.modRevision < b.modRevision
            case .value: return compareBytes(a.value, b.value) < 0
            }
        }
        let indexed = kvs.enumerated().map { ($0.offset, $0.element) }
        kvs = indexed.sorted { x, y in
            if ascending {
                if less(x.1, y.1) { return true }
                if less(y.1, x.1) { return false }
            } else {
                if less(y.1, x.1) { return true }
                if less(x.1, y.1) { return false }
            }
            return x.0 < y.0
        }.map(\.1)
    }
}
