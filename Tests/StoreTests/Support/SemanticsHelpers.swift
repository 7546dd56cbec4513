import Foundation
import Raft
import Synchronization
import Testing

@testable import Store

// Helpers for the etcd-semantics suites (StoreSemantics, WatchSemantics, LeaseTests, MaintenanceTests).
// Every name carries a `sem` / `Sem` prefix: other suites of this target define their own helpers.

/// A key or value from text.
func semBytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Text from a key or value.
func semText(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Runs `body` with an in-memory store (real clock) and closes it afterwards, whatever happens.
@discardableResult
func withSemStore<R>(
    options: KeyValueStore.Options = KeyValueStore.Options(),
    _ body: (KeyValueStore) async throws -> R
) async throws -> R {
    let store = try await KeyValueStore.inMemory(options: options)
    do {
        let result = try await body(store)
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}

/// The error a call threw, if it threw a ``StoreError``; records an issue otherwise.
func semError(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async -> StoreError? {
    do {
        try await body()
        Issue.record("expected a StoreError, the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let error as StoreError {
        return error
    } catch {
        Issue.record("expected a StoreError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Lets other tasks run (a few yields and a millisecond of real time).
func semSettle() async {
    for _ in 0..<10 { await Task.yield() }
    try? await Task.sleep(for: .milliseconds(1))
}

/// Polls `condition` until it holds or `timeout` of real time passed; returns whether it held.
@discardableResult
func semEventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    // At least as many polls as the timeout takes on an idle machine: on a busy one real time passes
    // without the awaited work getting a turn.
    let deadline = ContinuousClock.now + timeout
    let minimumPolls = Int(timeout / .milliseconds(1))
    var polls = 0
    while ContinuousClock.now < deadline || polls < minimumPolls {
        if try await condition() { return true }
        polls += 1
        await semSettle()
    }
    return try await condition()
}

struct SemTimeout: Error, CustomStringConvertible {
    var description: String { "no watch response in time" }
}

/// The watch's next response, failing (instead of hanging) if none comes within `timeout` of real time.
/// A timeout cancels the watch.
func semNext(_ watch: Watch, timeout: Duration = .seconds(10)) async throws -> WatchResponse? {
    try await withThrowingTaskGroup(of: WatchResponse?.self) { group in
        group.addTask { try await watch.next() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw SemTimeout()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Collects responses until `count` events arrived (progress notifications are skipped).
func semEvents(_ watch: Watch, count: Int, timeout: Duration = .seconds(10)) async throws -> (events: [Event], responses: [WatchResponse]) {
    var events: [Event] = []
    var responses: [WatchResponse] = []
    while events.count < count {
        guard let response = try await semNext(watch, timeout: timeout) else { break }
        responses.append(response)
        events += response.events
    }
    return (events, responses)
}

/// Replicated store members on one ``ManualClock`` and an ``InMemoryNetwork``: leases, progress
/// notifications, auto compaction and elections run on virtual time, moved by ``advance(by:)``.
final class SemCluster: Sendable {
    let clock = ManualClock()
    let network = InMemoryNetwork(seed: 11)
    let stores: [UInt64: KeyValueStore]
    let tasks = Mutex<[UInt64: Task<Void, any Error>]>([:])
    let step: Duration

    /// Creates and runs the members (on memory logs unless `storage` says otherwise).
    init(
        members: [UInt64],
        options: KeyValueStore.Options = KeyValueStore.Options(),
        storage: ((UInt64) throws -> any DurableRaftLog)? = nil
    ) throws {
        var stores: [UInt64: KeyValueStore] = [:]
        for id in members {
            let log = try storage?(id) ?? MemoryStorage(voters: members)
            let store = try KeyValueStore(
                member: id, storage: log, transport: network.transport(for: id), clock: clock, options: options
            )
            network.register(id, store.raft)
            stores[id] = store
        }
        self.stores = stores
        self.step = options.raft.heartbeatInterval
        for (id, store) in stores {
            let task = Task { try await store.run() }
            tasks.withLock { $0[id] = task }
        }
    }

    /// A running single member (id 1) that already leads.
    static func single(options: KeyValueStore.Options = KeyValueStore.Options()) async throws -> SemCluster {
        let cluster = try SemCluster(members: [1], options: options)
        let store = cluster.store
        // A lone voter campaigns at once; it is ready once a read barrier passes.
        var attempts = 0
        while true {
            store.raft.campaign()
            do {
                _ = try await store.raft.readBarrier()
                return cluster
            } catch {
                attempts += 1
                if attempts > 5_000 {
                    await cluster.stop()
                    throw error
                }
                await semSettle()
            }
        }
    }

    /// Runs `body` with a running single member, stopping it afterwards whatever happens.
    @discardableResult
    static func withSingle<R>(
        options: KeyValueStore.Options = KeyValueStore.Options(),
        _ body: (SemCluster) async throws -> R
    ) async throws -> R {
        let cluster = try await single(options: options)
        return try await cluster.using(body)
    }

    /// Runs `body`, then stops every member, whatever happens.
    @discardableResult
    func using<R>(_ body: (SemCluster) async throws -> R) async throws -> R {
        do {
            let result = try await body(self)
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }

    /// The lowest member (the only one of a single-member cluster).
    var store: KeyValueStore { stores[stores.keys.min()!]! }

    subscript(id: UInt64) -> KeyValueStore { stores[id]! }

    /// The member that believes it leads with the highest term.
    var leader: KeyValueStore? {
        stores.values
            .filter { $0.raft.status().softState.role == .leader }
            .max { $0.raft.status().hardState.term < $1.raft.status().hardState.term }
    }

    /// Moves virtual time forward by `total`, one heartbeat at a time, letting tasks run between steps.
    func advance(by total: Duration) async {
        var moved = Duration.zero
        while moved < total {
            let delta = min(step, total - moved)
            clock.advance(by: delta)
            moved += delta
            await semSettle()
        }
    }

    /// Moves virtual time forward until `condition` holds, for at most `limit` of virtual time.
    @discardableResult
    func advance(until condition: () async throws -> Bool, atMost limit: Duration) async rethrows -> Bool {
        var moved = Duration.zero
        while moved <= limit {
            if try await condition() { return true }
            await semSettle()
            if try await condition() { return true }
            clock.advance(by: step)
            moved += step
        }
        return try await condition()
    }

    /// Waits (moving virtual time) until a leader is elected and every member knows it.
    func electLeader() async throws -> KeyValueStore {
        let elected = await advance(until: {
            guard let leader else { return false }
            let id = leader.memberID
            return stores.values.allSatisfy { $0.raft.status().softState.leader == id }
        }, atMost: .seconds(60))
        guard elected, let leader else { throw StoreError(.unavailable, "no leader elected") }
        // Until it has committed an entry of its term, a new leader cannot serve reads.
        _ = try await driving { try await leader.raft.readBarrier() }
        return leader
    }

    /// Runs `operation` while moving virtual time, until it completes (at most `limit` of virtual time).
    func driving<T: Sendable>(atMost limit: Duration = .seconds(60), _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let done = Mutex<Result<T, any Error>?>(nil)
        let task = Task {
            let result: Result<T, any Error>
            do { result = .success(try await operation()) } catch { result = .failure(error) }
            done.withLock { $0 = result }
        }
        await advance(until: { done.withLock { $0 != nil } }, atMost: limit)
        guard let result = done.withLock({ $0 }) else {
            task.cancel()
            throw StoreError(.timeout, "operation did not complete within \(limit) of virtual time")
        }
        return try result.get()
    }

    func stop() async {
        let running = tasks.withLock { t -> [Task<Void, any Error>] in
            defer { t = [:] }
            return Array(t.values)
        }
        for task in running { task.cancel() }
        for task in running { _ = await task.result }
    }
}
