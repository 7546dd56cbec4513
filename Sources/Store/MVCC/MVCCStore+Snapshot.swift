import Raft

extension MVCCStore {
    static let imageMagic: [UInt8] = Array("SCPS".utf8)
    static let imageVersion: UInt8 = 1

    /// The whole state — every key's retained history, revisions, leases — as bytes. Raft snapshots
    /// and backups carry it; ``init(image:offset:limits:)`` reads it back.
    /// `prefix` goes first, unread by ``init(image:offset:limits:)`` (which starts at `offset`).
    package func image(prefix: [UInt8] = []) -> [UInt8] {
        let sortedLeases = leases.values.sorted { $0.id < $1.id }
        // The exact size first, then one buffer written in place.
        var size = prefix.count + Self.imageMagic.count + 1
        size += SizedEncoder.signedSize(revision) + SizedEncoder.signedSize(compactRevision)
        size += SizedEncoder.varintSize(UInt64(sortedLeases.count))
        for lease in sortedLeases { size += SizedEncoder.signedSize(lease.id) + SizedEncoder.signedSize(lease.ttl) }
        size += SizedEncoder.varintSize(UInt64(index.count))
        index.forEachEntry(from: [], to: nil) { key, versions in
            size += SizedEncoder.bytesSize(key.count) + SizedEncoder.varintSize(UInt64(versions.count))
            for version in versions { size += version.encodedSize }
            return true
        }
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var encoder = SizedEncoder(buffer)
            encoder.writeRaw(prefix)
            encoder.writeRaw(Self.imageMagic)
            encoder.write(Self.imageVersion)
            encoder.writeSigned(revision)
            encoder.writeSigned(compactRevision)
            encoder.writeVarint(UInt64(sortedLeases.count))
            for lease in sortedLeases {
                encoder.writeSigned(lease.id)
                encoder.writeSigned(lease.ttl)
            }
            encoder.writeVarint(UInt64(index.count))
            index.forEachEntry(from: [], to: nil) { key, versions in
                encoder.writeBytes(key)
                encoder.writeVarint(UInt64(versions.count))
                for version in versions { version.encode(into: &encoder) }
                return true
            }
            precondition(encoder.position == size, "image size miscomputed")
            initialized = encoder.position
        }
    }

    /// Rebuilds a state from ``image()``'s bytes.
    package init(image bytes: [UInt8], offset: Int = 0, limits: Limits = Limits()) throws(StoreError) {
        self.init(limits: limits)
        var reader = BinaryReader(bytes, offset: offset)
        do throws(RaftError) {
            for byte in Self.imageMagic where try reader.readByte() != byte {
                throw RaftError(.corrupt, "not a store image")
            }
            let version = try reader.readByte()
            if version != Self.imageVersion { throw RaftError(.corrupt, "store image version \(version) is not supported") }
            revision = try reader.readSigned()
            compactRevision = try reader.readSigned()
            for _ in 0..<(try reader.readCount(minimumElementSize: 2)) {
                let id = try reader.readSigned()
                leases[id] = Lease(id: id, ttl: try reader.readSigned(), keys: [])
            }
            let keyCount = try reader.readCount(minimumElementSize: 2)
            var previous: [UInt8]? = nil
            for _ in 0..<keyCount {
                let key = try reader.readBytes()
                if let previous, compareBytes(previous, key) >= 0 { throw RaftError(.corrupt, "store image keys out of order") }
                previous = key
                let count = try reader.readCount(minimumElementSize: 7)
                var versions: [StoredVersion] = []
                versions.reserveCapacity(count)
                for _ in 0..<count { versions.append(StoredVersion(try KeyValue(decoding: &reader, key: key))) }
                if let last = versions.last, last.version != 0, last.lease != 0 {
                    leases[last.lease]?.keys.insert(key)
                }
                index.update(key, default: { .empty }) { $0 = KeyVersions(versions) }
            }
            if !reader.isAtEnd { throw RaftError(.corrupt, "trailing bytes after the store image") }
        } catch {
            throw StoreError(corrupt: error, "store image")
        }
    }

    /// Approximate bytes held: every retained version's key and value plus fixed overhead.
    package var approximateSize: Int {
        var total = 0
        index.forEachEntry(from: [], to: nil) { key, versions in
            total += key.count + 16
            for kv in versions { total += kv.value.count + 48 }
            return true
        }
        return total
    }

    /// Keys that exist at the current revision.
    package var liveKeyCount: Int {
        var count = 0
        index.forEachEntry(from: [], to: nil) { _, versions in
            if let last = versions.last, last.version != 0 { count += 1 }
            return true
        }
        return count
    }
}
