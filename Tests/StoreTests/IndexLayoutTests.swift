import Raft
import Testing

@testable import Store

/// The index's compact layout: packed keys, chunks filled by keys arriving in order, inline single
/// versions.
@Suite struct IndexLayoutTests {
    static func key(_ n: Int) -> [UInt8] { Array("key/\(100_000 + n)".utf8) }

    @Test(arguments: ["ascending", "descending", "scrambled"])
    func keysInAnyOrderMatchAModel(order: String) {
        let n = 5_000
        let indices: [Int]
        switch order {
        case "ascending": indices = Array(0..<n)
        case "descending": indices = Array((0..<n).reversed())
        default: indices = (0..<n).map { ($0 * 7_919) % n }
        }
        var map = SortedKeyMap<Int>()
        for i in indices { map.update(Self.key(i), default: { -1 }) { $0 = i } }
        #expect(map.count == n)
        for i in 0..<n { #expect(map[Self.key(i)] == i) }
        #expect(map[Array("key/".utf8)] == nil)
        #expect(map[Self.key(n)] == nil)
        var visited: [Int] = []
        map.forEachEntry(from: [], to: nil) { key, value in
            visited.append(value)
            return Array(key) == Self.key(value)
        }
        #expect(visited == Array(0..<n))
        if order != "scrambled" {
            // In-order arrival fills every chunk but one.
            let partial = map.chunks.filter { $0.keys.count < SortedKeyMap<Int>.chunkCapacity }
            #expect(partial.count <= 1)
        }
        // Removing keys, including chunks' first keys, keeps lookups and scans right.
        for i in stride(from: 0, to: n, by: 3) { #expect(map.remove(Self.key(i)) == i) }
        var rest: [Int] = []
        map.forEachEntry(from: Self.key(100), to: Self.key(200)) { _, value in
            rest.append(value)
            return true
        }
        #expect(rest == (100..<200).filter { $0 % 3 != 0 })
        for i in 0..<n { #expect(map[Self.key(i)] == (i % 3 == 0 ? nil : i)) }
    }

    @Test func keyVersionsGrowAndShrinkAcrossTheInlineCase() {
        func version(_ revision: Int64) -> StoredVersion {
            StoredVersion(KeyValue(key: [1], createRevision: 1, modRevision: revision, version: revision, value: [UInt8(revision)]))
        }
        var versions = KeyVersions.empty
        #expect(versions.isEmpty)
        versions.append(version(1))
        #expect(versions.map(\.modRevision) == [1])
        versions.append(version(2))
        versions.append(version(3))
        #expect(versions.map(\.modRevision) == [1, 2, 3])
        #expect(versions.removeLast().modRevision == 3)
        versions.removeFirst(1)
        #expect(versions.map(\.modRevision) == [2])
        #expect(versions[0].keyValue([9]) == KeyValue(key: [9], createRevision: 1, modRevision: 2, version: 2, value: [2]))
        versions.removeLast()
        #expect(versions.isEmpty)
    }
}

/// The snapshot image, written in one sized buffer, is byte for byte what the straightforward
/// `BinaryWriter` encoding gives.
@Suite struct ImageEncodingTests {
    static func reference(_ store: MVCCStore, prefix: [UInt8]) -> [UInt8] {
        var writer = BinaryWriter(capacity: 64)
        writer.writeRaw(prefix)
        writer.writeRaw(MVCCStore.imageMagic)
        writer.write(MVCCStore.imageVersion)
        writer.writeSigned(store.revision)
        writer.writeSigned(store.compactRevision)
        let leases = store.leases.values.sorted { $0.id < $1.id }
        writer.writeVarint(UInt64(leases.count))
        for lease in leases {
            writer.writeSigned(lease.id)
            writer.writeSigned(lease.ttl)
        }
        writer.writeVarint(UInt64(store.index.count))
        store.index.forEach(from: [], to: nil) { key, versions in
            writer.writeBytes(key)
            writer.writeVarint(UInt64(versions.count))
            for version in versions { version.keyValue(key).encode(into: &writer, withKey: false) }
            return true
        }
        return writer.bytes
    }

    @Test func imageMatchesTheReferenceEncoding() throws {
        var store = MVCCStore()
        try store.grantLease(id: 7, ttl: 60)
        try store.grantLease(id: 300, ttl: 1 << 32)
        for i in 0..<3_000 {
            let key = Array("k/\(i % 700)".utf8)
            let value = [UInt8](repeating: UInt8(i % 251), count: i % 300)
            _ = try store.put(PutRequest(key: key, value: value, lease: i % 5 == 0 ? 7 : 0))
            if i % 11 == 0 { _ = try store.deleteRange(DeleteRangeRequest(key: Array("k/\(i % 97)".utf8))) }
        }
        try store.compact(1_500)
        let prefix: [UInt8] = [1, 2, 3]
        let image = store.image(prefix: prefix)
        #expect(image == Self.reference(store, prefix: prefix))
        let restored = try MVCCStore(image: image, offset: prefix.count)
        #expect(try restored.hash(at: 0) == store.hash(at: 0))
        #expect(MVCCStore().image() == Self.reference(MVCCStore(), prefix: []))
    }
}

/// The single-key read path (lookup under the lock, response built outside it) answers exactly as
/// the general range does.
@Suite struct SingleKeyReadTests {
    @Test func singleKeyLookupMatchesRange() throws {
        var store = MVCCStore()
        try store.grantLease(id: 9, ttl: 60)
        for i in 0..<40 { _ = try store.put(PutRequest(key: Array("k\(i % 8)".utf8), value: [UInt8(i)], lease: i % 3 == 0 ? 9 : 0)) }
        _ = try store.deleteRange(DeleteRangeRequest(key: Array("k3".utf8)))
        try store.compact(10)
        var checked = 0
        for key in ["k0", "k3", "k7", "absent"] {
            for revision: Int64 in [0, 10, 12, 25, 41, 42] {
                for (limit, countOnly, keysOnly, order) in [
                    (Int64(0), false, false, RangeRequest.SortOrder.none), (1, false, false, .descend), (0, true, false, .none),
                    (0, false, true, .ascend), (2, false, false, .none),
                ] {
                    let request = RangeRequest(
                        key: Array(key.utf8), limit: limit, revision: revision, sortOrder: order, sortTarget: .value,
                        keysOnly: keysOnly, countOnly: countOnly
                    )
                    #expect(request.isSingleKey)
                    let expected = Result { () throws(StoreError) in try store.range(request) }
                    let fast = Result { () throws(StoreError) in
                        let (version, latest) = try store.lookup(request)
                        return MVCCStore.response(to: request, version, latest: latest)
                    }
                    switch (expected, fast) {
                    case (.success(let a), .success(let b)): #expect(a == b)
                    case (.failure(let a), .failure(let b)): #expect(a.code == b.code)
                    default: Issue.record("\(key)@\(revision): \(expected) vs \(fast)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked == 120)
        #expect(!RangeRequest(key: [1], minModRevision: 2).isSingleKey)
        #expect(!RangeRequest.prefix([1]).isSingleKey)
    }
}
