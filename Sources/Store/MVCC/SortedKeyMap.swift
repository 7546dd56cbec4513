#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Compares byte strings lexicographically (memcmp, then length).
@inline(__always)
func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
    let common = min(a.count, b.count)
    let result = a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            common == 0 ? 0 : Int(memcmp(pa.baseAddress!, pb.baseAddress!, common))
        }
    }
    if result != 0 { return result }
    return a.count - b.count
}

/// An ordered map from byte-string keys to values: sorted chunks of at most `chunkCapacity`
/// entries, found by binary search over each chunk's first key. Lookup and insertion cost
/// O(log n + chunkCapacity); a range scan costs O(log n + k). Cache-friendly and small: a key costs
/// its entry in one chunk, with no per-node pointers.
struct SortedKeyMap<Value> {
    struct Chunk {
        var keys: [[UInt8]] = []
        var values: [Value] = []
    }

    static var chunkCapacity: Int { 512 }

    private(set) var chunks: [Chunk] = []
    private(set) var count = 0

    init() {}

    /// The chunk that holds `key` or where it would go.
    private func chunkIndex(for key: [UInt8]) -> Int {
        // The last chunk whose first key is <= key.
        var low = 0
        var high = chunks.count - 1
        var found = 0
        while low <= high {
            let mid = (low + high) / 2
            if compareBytes(chunks[mid].keys[0], key) <= 0 {
                found = mid
                low = mid + 1
            } else {
                high = mid - 1
            }
        }
        return found
    }

    /// Position of the first key >= `key` in `chunk`, and whether it is equal.
    private static func position(of key: [UInt8], in chunk: Chunk) -> (Int, Bool) {
        var low = 0
        var high = chunk.keys.count
        while low < high {
            let mid = (low + high) / 2
            if compareBytes(chunk.keys[mid], key) < 0 { low = mid + 1 } else { high = mid }
        }
        return (low, low < chunk.keys.count && chunk.keys[low] == key)
    }

    subscript(key: [UInt8]) -> Value? {
        guard !chunks.isEmpty else { return nil }
        let c = chunkIndex(for: key)
        let (i, found) = Self.position(of: key, in: chunks[c])
        return found ? chunks[c].values[i] : nil
    }

    /// Calls `body` with the value stored for `key` (inserting `make()` first if absent); the
    /// closure may change it in place.
    mutating func update<R>(_ key: [UInt8], default make: () -> Value, _ body: (inout Value) -> R) -> R {
        if chunks.isEmpty {
            chunks.append(Chunk(keys: [key], values: [make()]))
            count = 1
            return body(&chunks[0].values[0])
        }
        var c = chunkIndex(for: key)
        let (position, found) = Self.position(of: key, in: chunks[c])
        if found { return body(&chunks[c].values[position]) }
        var i = position
        chunks[c].keys.insert(key, at: i)
        chunks[c].values.insert(make(), at: i)
        count += 1
        if chunks[c].keys.count > Self.chunkCapacity {
            let half = chunks[c].keys.count / 2
            let upper = Chunk(keys: Array(chunks[c].keys[half...]), values: Array(chunks[c].values[half...]))
            chunks[c].keys.removeSubrange(half...)
            chunks[c].values.removeSubrange(half...)
            chunks.insert(upper, at: c + 1)
            if i >= half {
                c += 1
                i -= half
            }
        }
        return body(&chunks[c].values[i])
    }

    /// Removes `key`; returns its value.
    @discardableResult
    mutating func remove(_ key: [UInt8]) -> Value? {
        guard !chunks.isEmpty else { return nil }
        let c = chunkIndex(for: key)
        let (i, found) = Self.position(of: key, in: chunks[c])
        guard found else { return nil }
        chunks[c].keys.remove(at: i)
        let value = chunks[c].values.remove(at: i)
        count -= 1
        if chunks[c].keys.isEmpty { chunks.remove(at: c) }
        return value
    }

    /// Visits entries with `lower <= key < upper` (no upper bound when nil) in ascending order until
    /// `body` returns false.
    func forEach(from lower: [UInt8], to upper: [UInt8]?, _ body: (_ key: [UInt8], _ value: Value) -> Bool) {
        guard !chunks.isEmpty else { return }
        var c = chunkIndex(for: lower)
        var (i, _) = Self.position(of: lower, in: chunks[c])
        while c < chunks.count {
            let chunk = chunks[c]
            while i < chunk.keys.count {
                if let upper, compareBytes(chunk.keys[i], upper) >= 0 { return }
                if !body(chunk.keys[i], chunk.values[i]) { return }
                i += 1
            }
            c += 1
            i = 0
        }
    }

    /// Visits every entry in ascending order, letting `body` change the value or remove it (by
    /// returning false).
    mutating func retainAll(_ body: (_ key: [UInt8], _ value: inout Value) -> Bool) {
        var c = 0
        while c < chunks.count {
            var kept = Chunk()
            var removed = 0
            for i in chunks[c].keys.indices {
                if body(chunks[c].keys[i], &chunks[c].values[i]) {
                    kept.keys.append(chunks[c].keys[i])
                    kept.values.append(chunks[c].values[i])
                } else {
                    removed += 1
                }
            }
            if removed > 0 {
                count -= removed
                chunks[c] = kept
            }
            if chunks[c].keys.isEmpty { chunks.remove(at: c) } else { c += 1 }
        }
    }
}

extension SortedKeyMap: Sendable where Value: Sendable {}
extension SortedKeyMap.Chunk: Sendable where Value: Sendable {}
