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
