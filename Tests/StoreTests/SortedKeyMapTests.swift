import Raft
import Testing
@testable import Store

/// The ordered index against a reference model: a dictionary plus sorting.
@Suite struct SortedKeyMapTests {
    static func key(_ n: UInt64) -> [UInt8] { Array("k\(n % 5_000)".utf8) + (n % 3 == 0 ? [0xFF] : []) }

    @Test(arguments: [UInt64(1), 2, 3])
    func matchesAReferenceModelUnderRandomOperations(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var map = SortedKeyMap<Int>()
        var model: [[UInt8]: Int] = [:]
        for step in 0..<20_000 {
            let key = Self.key(rng.next())
            switch rng.next() % 4 {
            case 0, 1:
                map.update(key, default: { 0 }) { $0 = step }
                model[key] = step
            case 2:
                #expect(map.remove(key) == model.removeValue(forKey: key))
            default:
                #expect(map[key] == model[key])
            }
        }
        #expect(map.count == model.count)
        let sorted = model.keys.sorted { compareBytes($0, $1) < 0 }
        var visited: [[UInt8]] = []
        map.forEach(from: [], to: nil) { key, value in
            visited.append(key)
            return value == model[key]
        }
        #expect(visited == sorted)
        // Bounded scans, including bounds that are not keys.
        for _ in 0..<200 {
            let a = Self.key(rng.next())
            let b = Self.key(rng.next())
            let (lower, upper) = compareBytes(a, b) <= 0 ? (a, b) : (b, a)
            var scanned: [[UInt8]] = []
            map.forEach(from: lower, to: upper) { key, _ in
                scanned.append(key)
                return true
            }
            #expect(scanned == sorted.filter { compareBytes($0, lower) >= 0 && compareBytes($0, upper) < 0 })
        }
        // Removing every other key in one pass.
        var flip = false
        map.retainAll { _, _ in
            flip.toggle()
            return flip
        }
        #expect(map.count == (sorted.count + 1) / 2)
    }

    @Test func compareBytesIsLexicographic() {
        #expect(compareBytes([], []) == 0)
        #expect(compareBytes([], [0]) < 0)
        #expect(compareBytes([1, 2], [1, 2, 0]) < 0)
        #expect(compareBytes([2], [1, 0xFF]) > 0)
        #expect(KeyRange.prefixEnd(Array("abc".utf8)) == Array("abd".utf8))
        #expect(KeyRange.prefixEnd([0x61, 0xFF]) == [0x62])
        #expect(KeyRange.prefixEnd([0xFF, 0xFF]) == [0])
        #expect(KeyRange.prefixEnd([]) == [0])
    }
}
