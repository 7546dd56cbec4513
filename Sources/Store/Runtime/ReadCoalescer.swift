import Raft
import Synchronization

/// Shares one ReadIndex round among every linearizable read that arrived before it was issued (as
/// etcd's linearizable read loop does): under load, thousands of reads cost one barrier.
///
/// A read joins the *next* round, never one already in flight: a round's read index must be taken
/// after every read it serves began, or a read could miss a write acknowledged before it started.
final class ReadCoalescer: Sendable {
    /// Unchecked (no allocation per read): a round takes its waiters out of `waiting` under the
    /// lock and resumes each once.
    typealias Waiter = UnsafeContinuation<Result<UInt64, RaftError>, Never>

    struct State {
        var waiting: [Waiter] = []
        var roundInFlight = false
    }

    let state = Mutex(State())
    let barrier: @Sendable () async throws(RaftError) -> UInt64

    init(barrier: @escaping @Sendable () async throws(RaftError) -> UInt64) {
        self.barrier = barrier
    }

    /// Waits until the local state reflects every write committed before the call; returns the read index.
    func wait() async throws(RaftError) -> UInt64 {
        let result = await withUnsafeContinuation { (waiter: Waiter) in
            let startRound = state.withLock { s -> Bool in
                s.waiting.append(waiter)
                if s.roundInFlight { return false }
                s.roundInFlight = true
                return true
            }
            if startRound { Task { await self.runRounds() } }
        }
        return try result.get()
    }

    private func runRounds() async {
        while true {
            let round = state.withLock { s -> [Waiter] in
                defer { s.waiting = [] }
                if s.waiting.isEmpty { s.roundInFlight = false }
                return s.waiting
            }
            if round.isEmpty { return }
            let result: Result<UInt64, RaftError>
            do throws(RaftError) {
                result = .success(try await barrier())
            } catch {
                result = .failure(error)
            }
            for waiter in round { waiter.resume(returning: result) }
        }
    }
}
