import Raft
import Synchronization

@testable import Store

/// Several replicated ``KeyValueStore`` members on an ``InMemoryNetwork`` and a ``ManualClock``:
/// virtual time only, with faults (crash, restart, partition, cut link, message loss, delayed and
/// reordered messages, leadership transfer) drawn from a seed by ``StoreFaultInjector``.
///
/// Every fault is noted with its virtual time in ``actions``; ``describe()`` renders the seed, the
/// configuration and the actions, for failure messages. The fault schedule and the clients' choices
/// reproduce from the seed; the interleaving of tasks does not (nor the Raft election jitter, which
/// the store seeds randomly itself), and on a loaded machine a member's thread may be descheduled
/// while virtual time runs on — a pause, which the checks tolerate as any other fault.
final class StoreCluster: Sendable {
    struct Member {
        var storage: MemoryStorage
        var store: KeyValueStore?
        var task: Task<Void, any Error>?
    }

    struct State {
        var members: [UInt64: Member] = [:]
        /// Member starts so far, to vary the election seed on every (re)start.
        var starts: UInt64 = 0
        var actions: [String] = []
        /// Background work the harness started (leadership transfers); awaited by ``finish()``.
        var background: [Task<Void, Never>] = []
    }

    let seed: UInt64
    let ids: [UInt64]
    let clock = ManualClock()
    let network: InMemoryNetwork
    let options: KeyValueStore.Options
    let label: String
    let state = Mutex(State())
    /// Messages held back by the delay fault, released by ``tick()``.
    let delays: StoreDelayLine
    /// Bumped by clients and watchers whenever they make progress; ``settle()`` waits for it (and
    /// the network) to go quiet.
    let activity = Atomic<Int>(0)

    var heartbeat: Duration { options.raft.heartbeatInterval }

    /// Short Raft timings: a 10 ms tick, a 100 ms election timeout, requests that time out after
    /// `requestTimeoutTicks` ticks.
    static func options(snapshotInterval: UInt64 = 0, requestTimeoutTicks: Int = 50, watchBufferEvents: Int = 1_024) -> KeyValueStore.Options {
        var options = KeyValueStore.Options()
        options.raft.heartbeatInterval = .milliseconds(10)
        options.raft.electionTimeout = .milliseconds(100)
        options.raft.requestTimeout = .milliseconds(10 * requestTimeoutTicks)
        options.raft.snapshotInterval = snapshotInterval
        options.raft.compactionSlack = snapshotInterval == 0 ? 5_000 : max(2, snapshotInterval / 4)
        options.watchBufferEvents = watchBufferEvents
        return options
    }

    init(seed: UInt64, size: Int, options: KeyValueStore.Options, label: String = "") throws {
        self.seed = seed
        self.ids = (1...UInt64(size)).map { $0 }
        self.network = InMemoryNetwork(seed: seed)
        self.delays = StoreDelayLine(network: network, seed: seed)
        self.options = options
        self.label = label
        for id in ids {
            state.withLock { $0.members[id] = Member(storage: MemoryStorage(voters: ids)) }
            try start(id)
        }
    }

    // MARK: Members

    /// Starts (or restarts) a member over its storage, with a fresh state machine.
    func start(_ id: UInt64) throws {
        let storage = state.withLock { $0.members[id]!.storage }
        let transport = StoreDelayLine.Transport(line: delays, from: id)
        // Election timing follows the seed (and differs after each restart, as a real one would).
        var options = options
        let restarts = state.withLock { s -> UInt64 in
            defer { s.starts += 1 }
            return s.starts
        }
        options.raftSeed = seed &* 0x2545_F491_4F6C_DD1D &+ restarts
        let store = try KeyValueStore(member: id, storage: storage, transport: transport, clock: clock, options: options)
        network.register(id, store.raft)
        let task = Task { try await store.run() }
        state.withLock { s in
            s.members[id]!.store = store
            s.members[id]!.task = task
        }
    }

    /// Stops a member as a crash would: its task is cancelled (awaited) and its link removed. What
    /// its storage holds survives.
    func crash(_ id: UInt64) async {
        let task = state.withLock { s -> Task<Void, any Error>? in
            defer {
                s.members[id]!.task = nil
                s.members[id]!.store = nil
            }
            return s.members[id]!.task
        }
        network.unregister(id)
        task?.cancel()
        _ = await task?.result
    }

    /// The running member `id`, if it runs.
    func store(_ id: UInt64) -> KeyValueStore? { state.withLock { $0.members[id]?.store } }

    var runningIDs: [UInt64] { state.withLock { s in s.members.filter { $0.value.store != nil }.keys.sorted() } }
    var crashedIDs: [UInt64] { state.withLock { s in s.members.filter { $0.value.store == nil }.keys.sorted() } }
    var runningStores: [KeyValueStore] { runningIDs.compactMap { store($0) } }

    /// The running member that believes it leads with the highest term.
    var leader: UInt64? {
        let statuses = runningStores.map { (id: $0.memberID, status: $0.raft.status()) }
        return statuses.filter { $0.status.softState.role == .leader }
            .max { $0.status.hardState.term < $1.status.hardState.term }?.id
    }

    // MARK: Faults and their record

    /// Records an action (with the virtual time) for the failure report.
    func note(_ action: String) {
        let ms = clock.now.offset / .milliseconds(1)
        state.withLock { $0.actions.append("t=\(Int(ms))ms \(action)") }
    }

    var actions: [String] { state.withLock { $0.actions } }

    /// The seed, the configuration and every action so far: enough to reproduce a run.
    func describe() -> String {
        var lines = [
            "seed \(seed)\(label.isEmpty ? "" : " (\(label))"): \(ids.count) members, snapshotInterval=\(options.raft.snapshotInterval), "
                + "watchBufferEvents=\(options.watchBufferEvents), requestTimeout=\(options.raft.requestTimeout)",
            "rerun this seed alone: STORE_FAULT_SEED=\(seed) swift test --filter 'StoreLinearizability|StoreWatchFault'",
            "fault actions:",
        ]
        lines += actions.map { "  " + $0 }
        return lines.joined(separator: "\n")
    }

    /// Every member's Raft view, one line each (for failure reports).
    func raftSummary() -> String {
        ids.map { id in
            guard let store = store(id) else { return "  \(id): down" }
            let r = store.raft.status()
            let progress = r.progress.keys.sorted().map { "\($0):\(r.progress[$0]!.match)/\(r.progress[$0]!.next) \(r.progress[$0]!.state)" }
            return "  \(id): \(r.softState.role) term \(r.hardState.term) leader \(r.softState.leader) commit \(r.hardState.commit) "
                + "applied \(r.applied) last \(r.lastIndex) revision \(store.status().revision)"
                + (progress.isEmpty ? "" : " progress [\(progress.joined(separator: ", "))]")
        }.joined(separator: "\n")
    }

    /// One failure report for a run's problems (none when there are none): the first problems, then
    /// ``describe()``.
    func report(_ problems: [String]) -> [String] {
        if problems.isEmpty { return [] }
        var lines = problems.prefix(20).map { "- " + $0 }
        if problems.count > 20 { lines.append("- … and \(problems.count - 20) more") }
        return [(["\(problems.count) problem(s):"] + lines + [describe(), "members at the end:", raftSummary()]).joined(separator: "\n")]
    }

    /// Starts a background leadership transfer from the current leader to `target`.
    func transferLeadership(from leader: UInt64, to target: UInt64) {
        guard let store = store(leader) else { return }
        note("transfer leadership \(leader) -> \(target)")
        let task = Task<Void, Never> {
            do throws(RaftError) {
                try await store.raft.transferLeadership(to: target)
            } catch {
                // A transfer may time out or meet a crash; the fault is the attempt.
            }
        }
        state.withLock { $0.background.append(task) }
    }

    /// Heals the network (cuts, loss, delays) and restarts every crashed member.
    func healAll() throws {
        network.heal()
        delays.set(rate: 0, maxTicks: 0)
        let crashed = crashedIDs
        for id in crashed { try start(id) }
        note("heal network" + (crashed.isEmpty ? "" : ", restart \(crashed)"))
    }

    // MARK: Time

    /// A cheap fingerprint of everything that moves: network deliveries, applied indexes, client and
    /// watcher progress.
    private func fingerprint() -> Int {
        var value = network.counters.delivered &* 31 &+ activity.load(ordering: .relaxed)
        for store in runningStores { value = value &* 31 &+ Int(truncatingIfNeeded: store.raft.status().applied) }
        return value
    }

    /// Lets tasks run without moving time: yields until nothing moved for a few rounds.
    func settle() async {
        var last = fingerprint()
        var quiet = 0
        for _ in 0..<200 {
            await Task.yield()
            let now = fingerprint()
            if now == last {
                quiet += 1
                if quiet >= 4 { return }
            } else {
                quiet = 0
                last = now
            }
        }
    }

    /// One heartbeat of virtual time, then settles.
    func tick() async {
        clock.advance(by: heartbeat)
        delays.tick()
        await settle()
    }

    /// Advances virtual time one heartbeat at a time until `condition` holds (true) or `maxTicks` pass
    /// — and at least `realTimeFloor` of real time, so that on a loaded machine, where a member's
    /// thread can be descheduled while virtual time runs on, a slow run is not taken for a stuck one.
    @discardableResult
    func advance(maxTicks: Int, realTimeFloor: Duration = .seconds(3), until condition: () -> Bool) async -> Bool {
        await settle()
        let started = ContinuousClock.now
        var ticks = 0
        while ticks < maxTicks || ContinuousClock.now - started < realTimeFloor {
            if condition() { return true }
            await tick()
            ticks += 1
        }
        return condition()
    }

    @discardableResult
    func waitForLeader(maxTicks: Int = 300) async -> UInt64? {
        await advance(maxTicks: maxTicks) { leader != nil }
        return leader
    }

    /// Waits until every member runs, follows one leader, and has applied everything the leader
    /// committed, at the same revision.
    func waitConverged(maxTicks: Int = 600) async -> Bool {
        await advance(maxTicks: maxTicks) {
            guard crashedIDs.isEmpty, let leader, let leaderStore = store(leader) else { return false }
            let commit = leaderStore.raft.status().hardState.commit
            let revision = leaderStore.status().revision
            // Raft's applied index, not the store status's (which counts only entries the state
            // machine saw: a new leader's empty entry does not reach it).
            return runningStores.allSatisfy { store in
                let raft = store.raft.status()
                return raft.applied == commit && raft.softState.leader == leader && store.status().revision == revision
            }
        }
    }

    /// Waits for the harness's background tasks (advancing time, since they wait on it), then stops
    /// every member.
    func finish() async {
        let background = state.withLock { s -> [Task<Void, Never>] in
            defer { s.background = [] }
            return s.background
        }
        let done = FaultCounter()
        let watchers = background.map { task in
            Task {
                await task.value
                done.increment()
            }
        }
        await advance(maxTicks: 1_000) { done.value == background.count }
        for id in runningIDs { await crash(id) }
        for watcher in watchers { await watcher.value }
    }
}

/// Fault profiles for ``StoreFaultInjector``.
struct StoreFaultProfile: Sendable {
    /// Chance per tick that a fault is injected.
    var rate = 0.1
    var crash = 3
    var restart = 3
    var isolate = 2
    var split = 2
    var cutLink = 1
    var heal = 3
    var drop = 2
    var transfer = 2
    var delay = 2
    /// At most this many members down at once (a minority keeps the cluster available).
    var maxCrashed: Int?

    static let mixed = StoreFaultProfile()
    static let crashHeavy = StoreFaultProfile(rate: 0.1, crash: 6, restart: 5, isolate: 1, split: 1, cutLink: 0, heal: 2, drop: 1, transfer: 1, delay: 1)
    /// Mostly delayed and reordered messages: the window in which a read could miss a write.
    static let delayHeavy = StoreFaultProfile(rate: 0.1, crash: 1, restart: 2, isolate: 1, split: 1, cutLink: 1, heal: 2, drop: 1, transfer: 2, delay: 8)
    static let partitionHeavy = StoreFaultProfile(rate: 0.1, crash: 1, restart: 2, isolate: 4, split: 4, cutLink: 2, heal: 4, drop: 3, transfer: 2, delay: 3)
}

/// Draws faults from a seed and applies them to a ``StoreCluster``.
struct StoreFaultInjector {
    var rng: SplitMix64
    let profile: StoreFaultProfile

    init(seed: UInt64, profile: StoreFaultProfile) {
        rng = SplitMix64(seed: seed ^ 0xFA17_FA17_0BAD_CAFE)
        self.profile = profile
    }

    /// The loss rate in force (a new partition replaces the previous one's cuts but keeps it).
    var dropRate = 0.0

    /// Replaces the cuts in force with a partition into `groups`.
    func repartition(_ cluster: StoreCluster, _ groups: [[UInt64]]) {
        cluster.network.heal()
        cluster.network.setDropRate(dropRate)
        cluster.network.partition(groups)
    }

    mutating func pick<T>(_ items: [T]) -> T? {
        items.isEmpty ? nil : items[Int(rng.next() % UInt64(items.count))]
    }

    /// Maybe injects one fault (per the profile's rate).
    mutating func step(_ cluster: StoreCluster) async throws {
        guard rng.chance(profile.rate) else { return }
        let weights = [
            profile.crash, profile.restart, profile.isolate, profile.split, profile.cutLink, profile.heal, profile.drop,
            profile.transfer, profile.delay,
        ]
        var draw = Int(rng.next() % UInt64(weights.reduce(0, +)))
        var kind = 0
        while draw >= weights[kind] {
            draw -= weights[kind]
            kind += 1
        }
        let ids = cluster.ids
        let maxCrashed = profile.maxCrashed ?? (ids.count - 1) / 2
        switch kind {
        case 0:
            let running = cluster.runningIDs
            guard cluster.crashedIDs.count < maxCrashed else { return }
            // Half the time the leader, whose crash matters most.
            let victim = rng.next() % 2 == 0 ? (cluster.leader ?? pick(running)) : pick(running)
            guard let victim else { return }
            cluster.note("crash \(victim)" + (victim == cluster.leader ? " (leader)" : ""))
            await cluster.crash(victim)
        case 1:
            guard let id = pick(cluster.crashedIDs) else { return }
            cluster.note("restart \(id)")
            try cluster.start(id)
        case 2:
            let victim = rng.next() % 2 == 0 ? (cluster.leader ?? pick(ids)!) : pick(ids)!
            cluster.note("isolate \(victim)")
            repartition(cluster, [[victim], ids.filter { $0 != victim }])
        case 3:
            var shuffled = ids
            shuffled.shuffle(using: &rng)
            let minority = Int(rng.next() % UInt64((ids.count - 1) / 2)) + 1
            let groups = [Array(shuffled.prefix(minority)).sorted(), Array(shuffled.dropFirst(minority)).sorted()]
            cluster.note("partition \(groups)")
            repartition(cluster, groups)
        case 4:
            var shuffled = ids
            shuffled.shuffle(using: &rng)
            cluster.note("cut \(shuffled[0])<->\(shuffled[1])")
            cluster.network.cut(shuffled[0], shuffled[1])
        case 5:
            cluster.note("heal network")
            cluster.network.heal()
            cluster.delays.set(rate: 0, maxTicks: 0)
            dropRate = 0
        case 6:
            dropRate = [0.05, 0.1, 0.2, 0.3][Int(rng.next() % 4)]
            cluster.note("drop rate \(dropRate)")
            cluster.network.setDropRate(dropRate)
        case 8:
            let rate = [0.1, 0.3, 0.5][Int(rng.next() % 3)]
            let ticks = Int(rng.next() % 4) + 1
            cluster.note("delay \(rate) of messages by up to \(ticks) ticks (reordering them)")
            cluster.delays.set(rate: rate, maxTicks: ticks)
        default:
            guard let leader = cluster.leader, let target = pick(cluster.runningIDs.filter({ $0 != leader })) else { return }
            cluster.transferLeadership(from: leader, to: target)
        }
    }
}

/// The delay fault: a share of messages is held back a few ticks (so messages also overtake one
/// another), then handed to the network, whose cuts and loss apply at delivery.
final class StoreDelayLine: Sendable {
    struct Held {
        var due: Int
        var from: UInt64
        var message: Message
    }

    struct State {
        var rate = 0.0
        var maxTicks = 0
        var now = 0
        var held: [Held] = []
        var rng: SplitMix64
    }

    let network: InMemoryNetwork
    let state: Mutex<State>

    init(network: InMemoryNetwork, seed: UInt64) {
        self.network = network
        state = Mutex(State(rng: SplitMix64(seed: seed ^ 0xDE1A_7DE1_A7DE_1A70)))
    }

    /// Holds back each message with probability `rate`, for 1 to `maxTicks` ticks (0: no delays;
    /// what is held is still released on time).
    func set(rate: Double, maxTicks: Int) {
        state.withLock {
            $0.rate = maxTicks > 0 ? rate : 0
            $0.maxTicks = maxTicks
        }
    }

    func send(_ messages: [Message], from: UInt64) {
        let now = state.withLock { s -> [Message] in
            guard s.rate > 0 else { return messages }
            var now: [Message] = []
            for message in messages {
                if s.rng.chance(s.rate) {
                    s.held.append(Held(due: s.now + 1 + Int(s.rng.next() % UInt64(s.maxTicks)), from: from, message: message))
                } else {
                    now.append(message)
                }
            }
            return now
        }
        if !now.isEmpty { network.transport(for: from).send(now) }
    }

    /// One tick passed: releases what is due.
    func tick() {
        let due = state.withLock { s -> [Held] in
            s.now += 1
            let now = s.now
            let due = s.held.filter { $0.due <= now }
            s.held.removeAll { $0.due <= now }
            return due
        }
        for held in due { network.transport(for: held.from).send([held.message]) }
    }

    /// A member's sending side.
    struct Transport: RaftTransport {
        let line: StoreDelayLine
        let from: UInt64

        func send(_ messages: [Message]) { line.send(messages, from: from) }
    }
}

/// A value shared between tasks under a lock (a class, so closures and structs can hold it).
final class FaultShared<Value: Sendable>: Sendable {
    private let lock: Mutex<Value>

    init(_ value: Value) { lock = Mutex(value) }

    func withLock<R>(_ body: (inout Value) -> R) -> R { lock.withLock { body(&$0) } }

    var value: Value { lock.withLock { $0 } }
}

/// A counter shared between tasks.
final class FaultCounter: Sendable {
    private let atomic = Atomic<Int>(0)

    init() {}

    func increment() { atomic.add(1, ordering: .sequentiallyConsistent) }

    var value: Int { atomic.load(ordering: .sequentiallyConsistent) }
}

/// UTF-8 helpers for the fault tests.
enum FaultText {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    static func string(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}

extension StoreCluster {
    /// Runs `body` in a task while advancing virtual time until it finishes (nil after `maxTicks`,
    /// the task then left to finish on its own time).
    func perform<T: Sendable>(maxTicks: Int = 300, _ body: @escaping @Sendable () async -> T) async -> T? {
        let result = FaultShared<T?>(nil)
        let task = Task {
            let value = await body()
            result.withLock { $0 = value }
            self.activity.add(1, ordering: .relaxed)
        }
        let done = await advance(maxTicks: maxTicks) { result.value != nil }
        if done { await task.value }
        return result.value
    }
}
