import Synchronization

/// Per-query tallies a plugin keeps between scheduling cycles, so that a cycle recounts only the nodes that
/// changed since the query last ran: the `capacity` most recently used queries keep theirs, the least recently
/// used is evicted. A tally is brought up to date under the lock; one scheduling loop uses it at a time, so
/// the lock only guards against a second caller, and the work inside is plugin code, not a call-out.
final class TallyCache<Query: Hashable & Sendable, Tally: Sendable>: Sendable {
    private struct Entry {
        var tally: Tally
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Query: Entry] = [:]
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let makeTally: @Sendable () -> Tally

    init(capacity: Int = 8, makeTally: @escaping @Sendable () -> Tally) {
        self.capacity = max(1, capacity)
        self.makeTally = makeTally
    }

    /// Runs `body` on the tally of `query` (a fresh one when the query is new or was evicted) and keeps it.
    func withTally<Result>(_ query: Query, _ body: (inout Tally) -> Result) -> Result {
        state.withLock { state in
            state.clock += 1
            // Taken out of the dictionary while it is updated, so the update does not copy it.
            var entry = state.entries.removeValue(forKey: query) ?? Entry(tally: makeTally(), lastUse: 0)
            let result = body(&entry.tally)
            entry.lastUse = state.clock
            if state.entries.count >= capacity,
                let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
            {
                state.entries[oldest] = nil
            }
            state.entries[query] = entry
            return result
        }
    }
}
