import Store
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A fresh temporary directory for an embedded store, removed (with everything in it) by ``remove()``.
public struct ScratchDirectory: Sendable {
    public let path: String

    public init(prefix: String = "store-bench") throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw StoreError(.unavailable, "mkdtemp failed") }
        path = String(cString: made)
    }

    public func remove() { Self.removeTree(path) }

    static func removeTree(_ path: String) {
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let child = path + "/" + name
                if entry.pointee.d_type == UInt8(DT_DIR) { removeTree(child) } else { unlink(child) }
            }
            closedir(dir)
        }
        rmdir(path)
    }
}

/// A shared counter for concurrent clients.
public final class Tally: Sendable {
    let value: Atomic<Int>
    public init(_ start: Int = 0) { value = Atomic(start) }
    public func add(_ n: Int = 1) { value.add(n, ordering: .relaxed) }
    /// Takes one ticket from a countdown: its number (counting down from `start - 1`), or nil once
    /// none are left.
    public func take() -> Int? {
        let left = value.subtract(1, ordering: .relaxed).newValue
        return left >= 0 ? left : nil
    }
    public var count: Int { value.load(ordering: .relaxed) }
}

/// Keys and values the workloads write.
public enum StoreData {
    /// `count` distinct keys `<prefix><index, 7 digits>`, in index order.
    public static func keys(_ count: Int, prefix: String) -> [[UInt8]] {
        (0..<count).map { key($0, prefix: prefix) }
    }

    public static func key(_ index: Int, prefix: String) -> [UInt8] {
        var digits = String(index)
        if digits.count < 7 { digits = String(repeating: "0", count: 7 - digits.count) + digits }
        return Array((prefix + digits).utf8)
    }

    public static func value(_ bytes: Int) -> [UInt8] { [UInt8](repeating: 0x61, count: bytes) }

    /// Writes `keys` with `value` in transactions of `batch` puts (setup, not measured).
    public static func load(_ store: KeyValueStore, keys: [[UInt8]], value: [UInt8], batch: Int = 128) async throws {
        var start = 0
        while start < keys.count {
            let end = min(keys.count, start + batch)
            let puts = keys[start..<end].map { RequestOp.put(PutRequest(key: $0, value: value)) }
            _ = try await store.txn(TxnRequest(success: puts))
            start = end
        }
    }
}

/// Elapsed nanoseconds of a `ContinuousClock` duration.
@inline(__always)
func nanoseconds(_ duration: Duration) -> Int {
    Int(duration.components.seconds) * 1_000_000_000 + Int(duration.components.attoseconds / 1_000_000_000)
}

/// Resident set size of this process, in bytes (Linux: /proc/self/statm).
public func residentBytes() -> Int {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var buffer = [CChar](repeating: 0, count: 256)
    guard fgets(&buffer, Int32(buffer.count), file) != nil else { return 0 }
    let line = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    let fields = line.split(separator: " ")
    guard fields.count >= 2, let pages = Int(fields[1]) else { return 0 }
    return pages * sysconf(Int32(_SC_PAGESIZE))
}

/// Returns freed heap memory to the system (so a baseline taken after it is not inflated by an
/// earlier run's garbage).
public func trimHeap() {
    #if canImport(Glibc)
    // glibc's malloc_trim (not in the Glibc module's headers): found at run time.
    typealias MallocTrim = @convention(c) (Int) -> Int32
    if let symbol = dlsym(nil, "malloc_trim") {
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
    }
    #endif
}

/// Percentile of sorted nanosecond samples, in microseconds.
public func percentileMicroseconds(_ sorted: [Int], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1_000
}
