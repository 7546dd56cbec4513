import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Splits per-node work across threads (kube-scheduler's parallelizer): `parallelism` workers take chunks of
/// indexes from a shared counter until the work runs out or a worker says stop. Synchronous: the caller's
/// thread takes part, and the call returns when every worker is done.
public struct Parallelizer: Sendable {
    /// How many threads work at once (kube-scheduler's default is 16; here at most the active cores).
    public var parallelism: Int

    public init(parallelism: Int = ProcessInfoCores.active) {
        self.parallelism = max(1, parallelism)
    }

    /// Calls `body` with consecutive chunks of `0..<count`; a `false` return stops every worker at its next
    /// chunk. `body` runs concurrently with itself when `parallelism` > 1.
    public func forEachChunk(count: Int, chunkSize: Int? = nil, _ body: @Sendable (Range<Int>) -> Bool) {
        guard count > 0 else { return }
        let size = chunkSize ?? max(1, min(64, count / (parallelism * 4)))
        let chunks = (count + size - 1) / size
        let workers = min(parallelism, chunks)
        if workers == 1 {
            var start = 0
            while start < count {
                if !body(start..<min(count, start + size)) { return }
                start += size
            }
            return
        }
        let next = Atomic<Int>(0)
        let stopped = Atomic<Bool>(false)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while !stopped.load(ordering: .relaxed) {
                let chunk = next.add(1, ordering: .relaxed).oldValue
                guard chunk < chunks else { return }
                let start = chunk * size
                if !body(start..<min(count, start + size)) {
                    stopped.store(true, ordering: .relaxed)
                    return
                }
            }
        }
    }
}

/// The number of cores this process may use.
public enum ProcessInfoCores {
    public static let active: Int = {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
        #endif
    }()
}
