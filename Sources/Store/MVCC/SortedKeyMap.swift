#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Compares byte strings lexicographically (memcmp, then length). Shared with the API server's object cache,
/// which orders list results by store key.
@inline(__always)
package func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
    a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in compareBytes(UnsafeRawBufferPointer(pa), UnsafeRawBufferPointer(pb)) } }
}

@inline(__always)
package func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let common = min(a.count, b.count)
    let result = common == 0 ? 0 : Int(memcmp(a.baseAddress!, b.baseAddress!, common))
    if result != 0 { return result }
    return a.count - b.count
}

/// Byte strings in one buffer: `bytes` holds them back to back, `ends[i]` is where string `i` ends.
/// Searching them touches two contiguous arrays instead of one heap object per string, and a string
/// costs its bytes plus four.
struct PackedKeys: Sendable {
    private(set) var bytes: [UInt8] = []
    private(set) var ends: [UInt32] = []

    var count: Int { ends.count }
    var isEmpty: Bool { ends.isEmpty }

    @inline(__always)
    func bounds(_ i: Int) -> Range<Int> { (i == 0 ? 0 : Int(ends[i - 1]))..<Int(ends[i]) }

    subscript(i: Int) -> [UInt8] { Array(bytes[bounds(i)]) }

    /// String `i` without copying it (the slice shares this buffer).
    func slice(_ i: Int) -> ArraySlice<UInt8> { bytes[bounds(i)] }

    /// The first position whose string is >= `key` (`count` if none), and whether it equals `key`.
    func search(_ key: [UInt8]) -> (Int, Bool) {
        key.withUnsafeBytes { k in
            bytes.withUnsafeBytes { b in
                ends.withUnsafeBufferPointer { e in
                    var low = 0
                    var high = e.count
                    var equal = false
                    while low < high {
                        let mid = (low + high) / 2
                        let start = mid == 0 ? 0 : Int(e[mid - 1])
                        let order = compareBytes(UnsafeRawBufferPointer(rebasing: b[start..<Int(e[mid])]), k)
                        if order < 0 {
                            low = mid + 1
                        } else {
                            high = mid
                            equal = order == 0
                        }
                    }
                    // `equal` describes the last probe that moved `high`, which is position `low`.
                    return (low, equal && low < e.count)
                }
            }
        }
    }

    /// The last position whose string is <= `key` (0 when there is none).
    func lastNotAbove(_ key: [UInt8]) -> Int {
        let (position, found) = search(key)
        if found { return position }
        return max(0, position - 1)
    }

    /// Compares string `i` with `key`.
    func compare(_ i: Int, _ key: [UInt8]) -> Int {
        let range = bounds(i)
        return bytes.withUnsafeBytes { b in
            key.withUnsafeBytes { k in compareBytes(UnsafeRawBufferPointer(rebasing: b[range]), k) }
        }
    }

    mutating func append(_ key: some Collection<UInt8>) {
        bytes.append(contentsOf: key)
        precondition(bytes.count <= Int(UInt32.max), "packed keys exceed 4 GiB")
        ends.append(UInt32(bytes.count))
    }

    mutating func insert(_ key: [UInt8], at i: Int) {
        if i == count { return append(key) }
        let start = bounds(i).lowerBound
        bytes.insert(contentsOf: key, at: start)
        precondition(bytes.count <= Int(UInt32.max), "packed keys exceed 4 GiB")
        let shift = UInt32(key.count)
        ends.insert(UInt32(start), at: i)
        ends.withUnsafeMutableBufferPointer { e in
            for j in i..<e.count { e[j] &+= shift }
        }
    }

    mutating func remove(at i: Int) {
        let range = bounds(i)
        bytes.removeSubrange(range)
        ends.remove(at: i)
        let shift = UInt32(range.count)
        ends.withUnsafeMutableBufferPointer { e in
            for j in i..<e.count { e[j] &-= shift }
        }
    }

    mutating func replace(at i: Int, with key: [UInt8]) {
        remove(at: i)
        insert(key, at: i)
    }

    /// Moves strings `from...` into a new value.
    mutating func split(from: Int) -> PackedKeys {
        var upper = PackedKeys()
        let cut = bounds(from).lowerBound
        upper.bytes = Array(bytes[cut...])
        upper.ends = ends[from...].map { $0 - UInt32(cut) }
        bytes.removeSubrange(cut...)
        ends.removeSubrange(from...)
        return upper
    }
}

/// An ordered map from byte-string keys to values: sorted chunks of at most `chunkCapacity`
/// entries, found by binary search over each chunk's first key. Lookup and insertion cost
/// O(log n + chunkCapacity); a range scan costs O(log n + k). Keys are packed (``PackedKeys``): a
/// chunk's keys share one buffer, and the chunks' first keys another, so a lookup reads a few
/// contiguous arrays rather than chasing a pointer per comparison, and a key costs its bytes plus
/// four.
struct SortedKeyMap<Value> {
    struct Chunk {
        var keys = PackedKeys()
        var values: [Value] = []
    }

    static var chunkCapacity: Int { 512 }

    private(set) var chunks: [Chunk] = []
    /// Each chunk's first key, in chunk order.
    private var firsts = PackedKeys()
    private(set) var count = 0

    init() {}

    /// The chunk that holds `key` or where it would go: the last whose first key is <= key.
    private func chunkIndex(for key: [UInt8]) -> Int {
        firsts.lastNotAbove(key)
    }

    subscript(key: [UInt8]) -> Value? {
        guard !chunks.isEmpty else { return nil }
        let c = chunkIndex(for: key)
        let (i, found) = chunks[c].keys.search(key)
        return found ? chunks[c].values[i] : nil
    }

    /// Calls `body` with the value stored for `key` (inserting `make()` first if absent); the
    /// closure may change it in place.
    mutating func update<R>(_ key: [UInt8], default make: () -> Value, _ body: (inout Value) -> R) -> R {
        if chunks.isEmpty {
            var chunk = Chunk()
            chunk.keys.append(key)
            chunk.values.append(make())
            chunks.append(chunk)
            firsts.append(key)
            count = 1
            return body(&chunks[0].values[0])
        }
        var c = chunkIndex(for: key)
        var (i, found) = chunks[c].keys.search(key)
        if found { return body(&chunks[c].values[i]) }
        let n = chunks[c].keys.count
        if n >= Self.chunkCapacity {
            // Full: make room first (so no chunk's arrays grow past the capacity). Keys arriving in
            // order would leave every chunk half full after even splits, so one arriving past the
            // last key or before the first starts a chunk of its own.
            if c == chunks.count - 1 && i == n {
                chunks.append(Chunk())
                firsts.append(key)
                c += 1
                i = 0
            } else if c == 0 && i == 0 {
                chunks.insert(Chunk(), at: 0)
                firsts.insert(key, at: 0)
            } else {
                let half = n / 2
                let upper = Chunk(keys: chunks[c].keys.split(from: half), values: Array(chunks[c].values[half...]))
                chunks[c].values.removeSubrange(half...)
                firsts.insert(upper.keys[0], at: c + 1)
                chunks.insert(upper, at: c + 1)
                if i > half {
                    c += 1
                    i -= half
                }
            }
        }
        let wasEmpty = chunks[c].keys.isEmpty
        chunks[c].keys.insert(key, at: i)
        chunks[c].values.insert(make(), at: i)
        if i == 0 && !wasEmpty { firsts.replace(at: c, with: key) }
        count += 1
        return body(&chunks[c].values[i])
    }

    /// Removes `key`; returns its value.
    @discardableResult
    mutating func remove(_ key: [UInt8]) -> Value? {
        guard !chunks.isEmpty else { return nil }
        let c = chunkIndex(for: key)
        let (i, found) = chunks[c].keys.search(key)
        guard found else { return nil }
        chunks[c].keys.remove(at: i)
        let value = chunks[c].values.remove(at: i)
        count -= 1
        if chunks[c].keys.isEmpty {
            chunks.remove(at: c)
            firsts.remove(at: c)
        } else if i == 0 {
            firsts.replace(at: c, with: chunks[c].keys[0])
        }
        return value
    }

    /// Visits entries with `lower <= key < upper` (no upper bound when nil) in ascending order until
    /// `body` returns false. The key is a slice of the map's own buffer (no copy).
    func forEachEntry(from lower: [UInt8], to upper: [UInt8]?, _ body: (_ key: ArraySlice<UInt8>, _ value: Value) -> Bool) {
        guard !chunks.isEmpty else { return }
        var c = chunkIndex(for: lower)
        var (i, _) = chunks[c].keys.search(lower)
        while c < chunks.count {
            let chunk = chunks[c]
            while i < chunk.keys.count {
                if let upper, chunk.keys.compare(i, upper) >= 0 { return }
                if !body(chunk.keys.slice(i), chunk.values[i]) { return }
                i += 1
            }
            c += 1
            i = 0
        }
    }

    /// ``forEachEntry(from:to:_:)`` with each key copied into an array of its own.
    func forEach(from lower: [UInt8], to upper: [UInt8]?, _ body: (_ key: [UInt8], _ value: Value) -> Bool) {
        forEachEntry(from: lower, to: upper) { key, value in body(Array(key), value) }
    }

    /// Visits every entry in ascending order, letting `body` change the value or remove it (by
    /// returning false).
    mutating func retainAll(_ body: (_ key: ArraySlice<UInt8>, _ value: inout Value) -> Bool) {
        var c = 0
        var changed = false
        while c < chunks.count {
            var kept = Chunk()
            var removed = 0
            let keys = chunks[c].keys
            for i in 0..<keys.count {
                if body(keys.slice(i), &chunks[c].values[i]) {
                    kept.keys.append(keys.slice(i))
                    kept.values.append(chunks[c].values[i])
                } else {
                    removed += 1
                }
            }
            if removed > 0 {
                count -= removed
                chunks[c] = kept
                changed = true
            }
            if chunks[c].keys.isEmpty { chunks.remove(at: c) } else { c += 1 }
        }
        if changed {
            firsts = PackedKeys()
            for chunk in chunks { firsts.append(chunk.keys.slice(0)) }
        }
    }
}

extension SortedKeyMap: Sendable where Value: Sendable {}
extension SortedKeyMap.Chunk: Sendable where Value: Sendable {}
