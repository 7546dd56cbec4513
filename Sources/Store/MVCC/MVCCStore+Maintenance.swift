import Raft

extension MVCCStore {
    /// etcd's `MaxLeaseTTL`.
    package static let maxLeaseTTL: Int64 = 9_000_000_000

    // MARK: Compaction

    /// Drops history before `revision`: reads and watches at older revisions fail with
    /// ``StoreError/Code/compacted`` from now on. Each key keeps its state as of `revision`.
    package mutating func compact(_ revision: Int64) throws(StoreError) {
        if revision > self.revision { throw StoreError.futureRevision }
        if revision <= compactRevision { throw StoreError.compacted(compactRevision) }
        index.retainAll { _, versions in
            // The newest version at or before `revision` stays, unless it is a deletion.
            var keepFrom = versions.count
            while keepFrom > 0 && versions[keepFrom - 1].modRevision > revision { keepFrom -= 1 }
            if keepFrom > 0 {
                let base = keepFrom - 1
                let dropBase = versions[base].version == 0
                let first = dropBase ? keepFrom : base
                versions.removeFirst(first)
            }
            return !versions.isEmpty
        }
        compactRevision = revision
    }

    // MARK: Leases

    package mutating func grantLease(id: Int64, ttl: Int64) throws(StoreError) {
        if id <= 0 { throw StoreError(.invalidArgument, "etcdserver: lease ID must be positive") }
        if leases[id] != nil { throw StoreError(.leaseExists, "etcdserver: lease already exists") }
        if ttl > Self.maxLeaseTTL { throw StoreError(.leaseTTLTooLarge, "etcdserver: too large lease TTL") }
        leases[id] = Lease(id: id, ttl: ttl, keys: [])
    }

    /// Revokes a lease: every key attached to it is deleted, all at one new revision.
    package mutating func revokeLease(id: Int64) throws(StoreError) -> Events {
        guard let lease = leases[id] else { throw StoreError(.leaseNotFound, "etcdserver: requested lease not found") }
        // Not a transaction: a lease may hold more keys than a transaction may have operations.
        var context = WriteContext(writeRevision: revision + 1)
        for key in lease.keys.sorted(by: { compareBytes($0, $1) < 0 }) {
            _ = apply(DeleteRangeRequest(key: key), &context)
        }
        if !context.events.isEmpty { revision = context.writeRevision }
        leases[id] = nil
        return context.events
    }

    // MARK: Consistency

    /// A CRC-32C over the key space's history in `(compactRevision, revision]`, in key then revision
    /// order: members that applied the same log agree on it.
    package func hash(at revision: Int64) throws(StoreError) -> UInt32 {
        let at = try readableRevision(revision, latest: self.revision)
        var crc: UInt32 = 0
        index.forEach(from: [], to: nil) { key, versions in
            for kv in versions where kv.modRevision > compactRevision && kv.modRevision <= at {
                var writer = BinaryWriter(capacity: key.count + kv.value.count + 48)
                writer.writeBytes(key)
                writer.writeVarint(UInt64(bitPattern: kv.createRevision))
                writer.writeVarint(UInt64(bitPattern: kv.modRevision))
                writer.writeVarint(UInt64(bitPattern: kv.version))
                writer.writeVarint(UInt64(bitPattern: kv.lease))
                writer.writeBytes(kv.value)
                crc = CRC32C.checksum(writer.bytes, extending: crc)
            }
            return true
        }
        return crc
    }
}
