import Raft
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@testable import Store

/// Concurrent clients against a replicated store under seeded faults; every history is checked for
/// linearizability. Set `STORE_FAULT_SEED` to rerun a single seed (every test then runs just it).
@Suite("Store linearizability under faults", .serialized)
struct StoreLinearizabilityTests {
    @Test("3 members, mixed faults: 110 histories, every one linearizable")
    func threeMembers() async throws {
        try await Self.runSeeds(Self.seeds(from: 1_000, count: 110), label: "3 members, mixed") { seed in
            StoreWorkload(seed: seed, size: 3, profile: .mixed, snapshotInterval: seed % 3 == 0 ? 40 : 0)
        }
    }

    @Test("5 members, partition-heavy faults: 60 histories, every one linearizable")
    func fiveMembers() async throws {
        try await Self.runSeeds(Self.seeds(from: 2_000, count: 60), label: "5 members, partitions") { seed in
            StoreWorkload(seed: seed, size: 5, profile: .partitionHeavy, snapshotInterval: seed % 2 == 0 ? 30 : 0)
        }
    }

    @Test("crash-heavy with frequent snapshots (restarted members restore them): 50 histories")
    func crashHeavy() async throws {
        try await Self.runSeeds(Self.seeds(from: 3_000, count: 50), label: "crash-heavy, snapshots") { seed in
            StoreWorkload(seed: seed, size: seed % 2 == 0 ? 3 : 5, profile: .crashHeavy, snapshotInterval: 15)
        }
    }

    @Test("read-heavy, 8 clients, delayed and reordered messages: 40 histories")
    func readHeavy() async throws {
        try await Self.runSeeds(Self.seeds(from: 4_000, count: 40), label: "read-heavy") { seed in
            var workload = StoreWorkload(seed: seed, size: seed % 2 == 0 ? 3 : 5, profile: .delayHeavy, snapshotInterval: 0)
            workload.clients = 8
            workload.readPercent = 70
            workload.maxPause = 1
            workload.operationsPerClient = 20
            workload.initialDelayRate = 0.3
            return workload
        }
    }

    // MARK: Negative controls

    @Test("negative control: serializable reads from a partitioned stale member are caught")
    func staleSerializableReadsAreCaught() async throws {
        // The scenario needs two acknowledged puts around the isolation; a run on a loaded machine can
        // pause a member long enough (in virtual time) to time one out, so a few seeds are allowed.
        var skipped: [String] = []
        for seed: UInt64 in 77..<82 {
            if let reason = try await Self.staleReadControl(seed: seed) {
                skipped.append(reason)
                continue
            }
            return
        }
        Issue.record(Comment(rawValue: "the scenario never got its preconditions:\n" + skipped.joined(separator: "\n")))
    }

    /// Runs the stale-read scenario; returns why it could not (nil when it ran and was checked).
    static func staleReadControl(seed: UInt64) async throws -> String? {
        let cluster = try StoreCluster(seed: seed, size: 3, options: StoreCluster.options(), label: "negative control")
        let recorder = StoreHistoryRecorder()
        guard let leader = await cluster.waitForLeader() else {
            await cluster.finish()
            return "no leader\n\(cluster.describe())"
        }
        let follower = cluster.ids.first { $0 != leader }!
        let isolated = FaultShared(false)

        /// A put through the leader, recorded; nil once acknowledged, else why not. Attempts refused
        /// before entering the log (no leader yet, not the leader) are retried: they had no effect.
        func put(_ value: String) async -> String? {
            let attempt = await cluster.perform { () -> (call: UInt64, result: Result<StoreKVModel.Observed?, StoreError>) in
                var last = StoreError(.unavailable, "no leader")
                for _ in 0..<30 {
                    if let id = cluster.leader, id != follower || !isolated.value, let store = cluster.store(id) {
                        let call = recorder.now()
                        do throws(StoreError) {
                            let response = try await store.put(PutRequest(key: FaultText.bytes("k"), value: FaultText.bytes(value), prevKV: true))
                            return (call, .success(response.prevKV.map(StoreWorkload.observed)))
                        } catch {
                            last = error
                            if error.code != .notLeader && error.code != .unavailable { return (call, .failure(error)) }
                        }
                    }
                    try? await cluster.clock.sleep(for: cluster.heartbeat)
                }
                return (0, .failure(last))
            }
            guard let attempt, case .success(let prev) = attempt.result else {
                return "put \(value) failed: \(String(describing: attempt?.result))\n\(cluster.describe())\n\(cluster.raftSummary())"
            }
            recorder.record(client: 0, .put(key: "k", value: value), .put(previous: prev), call: attempt.call, response: recorder.now())
            return nil
        }

        if let failure = await put("v1") {
            await cluster.finish()
            return failure
        }
        // Every member follows the leader and applied v1 before the follower is cut off (so the other
        // two go on committing without it).
        guard await cluster.waitConverged(), let stale = cluster.store(follower) else {
            await cluster.finish()
            return "no convergence after v1\n\(cluster.raftSummary())"
        }
        cluster.network.partition([[follower], cluster.ids.filter { $0 != follower }])
        isolated.withLock { $0 = true }
        cluster.note("isolate \(follower)")
        if let failure = await put("v2") {
            await cluster.finish()
            return failure
        }

        // A serializable read on the stale member, after v2 was acknowledged: v1.
        let call = recorder.now()
        let read = await cluster.perform { () -> KeyValue?? in
            try? await stale.range(RangeRequest(key: FaultText.bytes("k"), serializable: true)).kvs.first
        }
        let observed = read??.map(StoreWorkload.observed)
        recorder.record(client: 1, .get(key: "k"), .get(observed), call: call, response: recorder.now())
        #expect(observed?.value == "v1", "\(cluster.describe())")

        let result = LinearizabilityChecker<StoreKVModel>.check(recorder.history)
        #expect(result.violation != nil, "the stale read should make the history non-linearizable\n\(cluster.describe())")
        if let violation = result.violation {
            #expect(violation.culprits.contains { $0.input == .get(key: "k") })
        }

        // The same read, linearizable, on the partitioned member cannot be served…
        let blocked = await cluster.perform(maxTicks: 200) { () -> Bool in
            (try? await stale.range(RangeRequest(key: FaultText.bytes("k")))) == nil
        }
        #expect(blocked == true)
        // …and after healing it sees v2 (acknowledged, so committed).
        cluster.network.heal()
        let healed = await cluster.perform { () -> [UInt8]? in
            // Until it hears from the leader again, the member may know of none and refuse at once.
            for _ in 0..<50 {
                if let response = try? await stale.range(RangeRequest(key: FaultText.bytes("k"))) { return response.kvs.first?.value }
                try? await cluster.clock.sleep(for: cluster.heartbeat)
            }
            return nil
        }
        #expect(healed == FaultText.bytes("v2"), "\(cluster.describe())\n\(cluster.raftSummary())")
        await cluster.finish()
        return nil
    }

    @Test("negative control: the model rejects hand-made violations and accepts their fixes")
    func modelRejectsBadHistories() {
        typealias Op = HistoryOperation<StoreKVModel.Input, StoreKVModel.Output>
        func obs(_ value: String, _ version: Int64) -> StoreKVModel.Observed { .init(value: value, version: version) }
        let put1 = Op(client: 0, input: .put(key: "a", value: "1"), output: .put(previous: nil), call: 1, response: 2)
        let put2 = Op(client: 0, input: .put(key: "a", value: "2"), output: .put(previous: obs("1", 1)), call: 3, response: 4)
        let cases: [(String, [Op], Bool)] = [
            ("sequential puts and a fresh read", [put1, put2, Op(client: 1, input: .get(key: "a"), output: .get(obs("2", 2)), call: 5, response: 6)], true),
            ("a stale read", [put1, put2, Op(client: 1, input: .get(key: "a"), output: .get(obs("1", 1)), call: 5, response: 6)], false),
            ("a wrong version", [put1, Op(client: 1, input: .get(key: "a"), output: .get(obs("1", 2)), call: 3, response: 4)], false),
            (
                "a txn that succeeded on a value not there",
                [put1, Op(client: 1, input: .cas(key: "a", expected: "9", value: "3"), output: .cas(succeeded: true, observed: nil), call: 3, response: 4)],
                false
            ),
            (
                "a txn that failed on the value it compared",
                [put1, Op(client: 1, input: .cas(key: "a", expected: "1", value: "3"), output: .cas(succeeded: false, observed: obs("1", 1)), call: 3, response: 4)],
                false
            ),
            (
                "a txn that succeeded, then a read of its write",
                [
                    put1, Op(client: 1, input: .cas(key: "a", expected: "1", value: "3"), output: .cas(succeeded: true, observed: nil), call: 3, response: 4),
                    Op(client: 2, input: .get(key: "a"), output: .get(obs("3", 2)), call: 5, response: 6),
                ],
                true
            ),
            (
                "a delete that saw nothing after a put",
                [put1, Op(client: 1, input: .delete(key: "a"), output: .delete(previous: nil), call: 3, response: 4)],
                false
            ),
            (
                "a delete resets the version",
                [
                    put1, Op(client: 1, input: .delete(key: "a"), output: .delete(previous: obs("1", 1)), call: 3, response: 4),
                    Op(client: 1, input: .put(key: "a", value: "5"), output: .put(previous: nil), call: 5, response: 6),
                    Op(client: 2, input: .get(key: "a"), output: .get(obs("5", 1)), call: 7, response: 8),
                ],
                true
            ),
            (
                "a pending write may explain a later read",
                [
                    put1, Op(client: 1, input: .put(key: "a", value: "7"), output: .unknown, call: 3, response: .max),
                    Op(client: 2, input: .get(key: "a"), output: .get(obs("7", 2)), call: 10, response: 11),
                ],
                true
            ),
            (
                "a pending write cannot take effect before its call",
                [
                    put1, Op(client: 2, input: .get(key: "a"), output: .get(obs("7", 2)), call: 3, response: 4),
                    Op(client: 1, input: .put(key: "a", value: "7"), output: .unknown, call: 5, response: .max),
                ],
                false
            ),
        ]
        for (name, history, linearizable) in cases {
            let result = LinearizabilityChecker<StoreKVModel>.check(history)
            #expect(result.isLinearizable == linearizable, "\(name): \(result.violation?.description ?? "linearizable")")
        }
    }

    // MARK: Running seeds

    static func seeds(from base: UInt64, count: Int) -> [UInt64] {
        if let text = FaultEnvironment.value("STORE_FAULT_SEED"), let seed = UInt64(text) { return [seed] }
        return (0..<UInt64(count)).map { base + $0 }
    }

    static func runSeeds(_ seeds: [UInt64], label: String, _ workload: (UInt64) -> StoreWorkload) async throws {
        var totals = StoreWorkload.Outcome()
        for seed in seeds {
            let outcome = try await workload(seed).run()
            for failure in outcome.failures { Issue.record(Comment(rawValue: failure)) }
            totals.add(outcome)
        }
        print(
            "[StoreLinearizability] \(label): \(totals.histories) histories checked, \(totals.violations) violations; "
                + "\(totals.completed) completed and \(totals.pending) pending operations (\(totals.refused) refused attempts left out), "
                + "\(totals.faults) fault actions; completed by kind: \(totals.kinds.sorted { $0.key < $1.key })"
        )
        #expect(totals.histories == seeds.count)
        #expect(totals.violations == 0)
        #expect(totals.completed > seeds.count * 20)
        // Over the whole seed set the workload exercises every kind of result, and unknown outcomes.
        if seeds.count > 1 {
            for kind in ["get", "put", "delete", "delete (absent)", "txn (compare held)", "txn (compare failed)"] {
                #expect(totals.kinds[kind, default: 0] > 0, "no completed \(kind)")
            }
            #expect(totals.pending > 0, "no operation with an unknown outcome")
        }
    }
}

/// Reads an environment variable.
enum FaultEnvironment {
    static func value(_ name: String) -> String? {
        guard let pointer = getenv(name) else { return nil }
        return String(cString: pointer)
    }
}

/// One seeded run: a cluster, concurrent clients, faults, then healing, convergence and the checks.
struct StoreWorkload {
    struct Outcome {
        var histories = 0
        var violations = 0
        var completed = 0
        var pending = 0
        var faults = 0
        /// Writes refused before entering the log (notLeader, unavailable) and reads that failed.
        var refused = 0
        /// Completed operations by kind (txns split by outcome).
        var kinds: [String: Int] = [:]
        var failures: [String] = []

        mutating func add(_ other: Outcome) {
            histories += other.histories
            violations += other.violations
            completed += other.completed
            pending += other.pending
            faults += other.faults
            refused += other.refused
            kinds.merge(other.kinds, uniquingKeysWith: +)
            failures += other.failures
        }
    }

    var seed: UInt64
    var size: Int
    var profile: StoreFaultProfile
    var snapshotInterval: UInt64
    var clients = 4
    var keys = 3
    var operationsPerClient = 30
    var faultTicks = 150
    var readPercent = 35
    var maxPause = 4
    /// Delay (and so reorder) this share of messages by up to 3 ticks from the start.
    var initialDelayRate = 0.0

    static func observed(_ kv: KeyValue) -> StoreKVModel.Observed {
        StoreKVModel.Observed(value: FaultText.string(kv.value), version: kv.version)
    }

    func run() async throws -> Outcome {
        let options = StoreCluster.options(snapshotInterval: snapshotInterval)
        let cluster = try StoreCluster(seed: seed, size: size, options: options, label: "linearizability")
        let recorder = StoreHistoryRecorder()
        var outcome = Outcome()
        var problems: [String] = []
        func fail(_ message: String) { problems.append(message) }
        guard await cluster.waitForLeader() != nil else {
            fail("no leader elected")
            await cluster.finish()
            outcome.failures = cluster.report(problems)
            return outcome
        }

        if initialDelayRate > 0 {
            cluster.note("delay \(initialDelayRate) of messages by up to 3 ticks (reordering them)")
            cluster.delays.set(rate: initialDelayRate, maxTicks: 3)
        }
        let finished = FaultCounter()
        let unexpected = FaultShared<[String]>([])
        let refused = FaultCounter()
        var tasks: [Task<Void, Never>] = []
        for c in 0..<clients {
            var client = StoreClient(
                id: c, cluster: cluster, recorder: recorder, rng: SplitMix64(seed: seed &* 1_000_003 &+ UInt64(c)),
                keys: (0..<keys).map { "k\($0)" }, unexpected: unexpected, refused: refused
            )
            client.readPercent = readPercent
            client.maxPause = maxPause
            let operations = operationsPerClient
            let ready = client
            tasks.append(
                Task {
                    var client = ready
                    await client.run(operations: operations)
                    finished.increment()
                    cluster.activity.add(1, ordering: .relaxed)
                }
            )
        }

        var injector = StoreFaultInjector(seed: seed, profile: profile)
        for _ in 0..<faultTicks {
            if finished.value == clients { break }
            try await injector.step(cluster)
            await cluster.tick()
        }
        try cluster.healAll()
        let clientsDone = await cluster.advance(maxTicks: 1_500) { finished.value == clients }
        if !clientsDone { fail("clients did not finish after healing (stuck requests)") }
        if !(await cluster.waitConverged()) { fail("members did not converge after healing: \(cluster.runningStores.map { $0.status() })") }

        // Every member applied the same history.
        let revision = cluster.runningStores.map { $0.status().revision }.min() ?? 0
        let hashes = cluster.runningStores.map { try? $0.hash(revision: revision).hash }
        if Set(hashes).count != 1 || hashes.contains(nil) { fail("members disagree on the key space at revision \(revision): \(hashes)") }

        let history = recorder.history
        outcome.histories = 1
        outcome.completed = history.count { !$0.isPending }
        outcome.pending = history.count { $0.isPending }
        outcome.faults = cluster.actions.count
        outcome.refused = refused.value
        for op in history where !op.isPending {
            let kind: String
            switch op.output {
            case .get: kind = "get"
            case .put: kind = "put"
            case .delete(let previous): kind = previous == nil ? "delete (absent)" : "delete"
            case .cas(let succeeded, _): kind = succeeded ? "txn (compare held)" : "txn (compare failed)"
            case .unknown: kind = "unknown"
            }
            outcome.kinds[kind, default: 0] += 1
        }
        switch LinearizabilityChecker<StoreKVModel>.check(history) {
        case .linearizable:
            break
        case .violation(let violation):
            outcome.violations = 1
            fail("history not linearizable:\n\(violation)")
        case .undetermined:
            fail("linearizability undetermined (search budget exhausted) for \(history.count) operations")
        }
        for problem in recorder.revisionProblems() { fail("revision check: \(problem)") }
        for problem in unexpected.value { fail("unexpected error: \(problem)") }

        await cluster.finish()
        for task in tasks { await task.value }
        outcome.failures = cluster.report(problems)
        return outcome
    }
}

/// A client issuing one operation at a time: writes to the leader (following notLeader hints),
/// linearizable reads to any member.
struct StoreClient {
    let id: Int
    let cluster: StoreCluster
    let recorder: StoreHistoryRecorder
    var rng: SplitMix64
    let keys: [String]
    let unexpected: FaultShared<[String]>
    let refused: FaultCounter
    /// Percent of operations that are reads.
    var readPercent = 35
    /// Ticks a client may think between operations.
    var maxPause = 4
    var leaderGuess: UInt64? = nil
    var sequence = 0
    /// The last value this client saw per key (the compare value of its transactions).
    var lastSeen: [String: String] = [:]

    init(id: Int, cluster: StoreCluster, recorder: StoreHistoryRecorder, rng: SplitMix64, keys: [String], unexpected: FaultShared<[String]>, refused: FaultCounter) {
        self.id = id
        self.cluster = cluster
        self.recorder = recorder
        self.rng = rng
        self.keys = keys
        self.unexpected = unexpected
        self.refused = refused
    }

    mutating func pause(ticks: Int) async {
        if ticks == 0 {
            await Task.yield()
            return
        }
        try? await cluster.clock.sleep(for: cluster.heartbeat * ticks)
    }

    mutating func run(operations: Int) async {
        for _ in 0..<operations {
            await pause(ticks: Int(rng.next() % UInt64(maxPause + 1)))
            let key = keys[Int(rng.next() % UInt64(keys.count))]
            sequence += 1
            let value = "c\(id)-\(sequence)"
            let draw = Int(rng.next() % 100)
            // Writes split 30 : 15 : 20 between put, delete and txn, whatever the share of reads.
            let kind = draw < readPercent ? -1 : (draw - readPercent) * 65 / (100 - readPercent)
            if kind < 0 {
                await get(key)
            } else if kind < 30 {
                await write(.put(key: key, value: value))
            } else if kind < 45 {
                await write(.delete(key: key))
            } else {
                await write(.cas(key: key, expected: lastSeen[key] ?? "none", value: value))
            }
        }
    }

    mutating func pickMember() -> KeyValueStore? {
        let running = cluster.runningStores
        return running.isEmpty ? nil : running[Int(rng.next() % UInt64(running.count))]
    }

    mutating func get(_ key: String) async {
        let target = rng.next() % 2 == 0 ? leaderGuess.flatMap { cluster.store($0) } ?? pickMember() : pickMember()
        guard let store = target else { return }
        let call = recorder.now()
        do throws(StoreError) {
            let response = try await store.range(RangeRequest(key: FaultText.bytes(key)))
            let responded = recorder.now()
            let kv = response.kvs.first
            recorder.record(client: id, .get(key: key), .get(kv.map(StoreWorkload.observed)), call: call, response: responded)
            if let kv {
                recorder.read(key: key, value: FaultText.string(kv.value), modRevision: kv.modRevision)
                lastSeen[key] = FaultText.string(kv.value)
            }
        } catch {
            // A failed read had no effect: left out of the history.
            refused.increment()
            if ![.timeout, .shuttingDown, .unavailable, .notLeader].contains(error.code) {
                let message = "client \(id) get(\(key)): \(error)"
                unexpected.withLock { $0.append(message) }
            }
        }
        cluster.activity.add(1, ordering: .relaxed)
    }

    /// Performs a write on `store`; returns its output and the revision it wrote (nil if it changed nothing).
    func perform(_ input: StoreKVModel.Input, on store: KeyValueStore) async throws(StoreError) -> (StoreKVModel.Output, Int64?) {
        switch input {
        case .put(let key, let value):
            let response = try await store.put(PutRequest(key: FaultText.bytes(key), value: FaultText.bytes(value), prevKV: true))
            return (.put(previous: response.prevKV.map(StoreWorkload.observed)), response.header.revision)
        case .delete(let key):
            let response = try await store.deleteRange(DeleteRangeRequest(key: FaultText.bytes(key), prevKV: true))
            if response.deleted != Int64(response.prevKVs.count) {
                throw StoreError(.corrupt, "delete reported \(response.deleted) deleted with \(response.prevKVs.count) previous values")
            }
            return (.delete(previous: response.prevKVs.first.map(StoreWorkload.observed)), response.deleted > 0 ? response.header.revision : nil)
        case .cas(let key, let expected, let value):
            let k = FaultText.bytes(key)
            let response = try await store.txn(
                TxnRequest(
                    compare: [Compare(key: k, .value(FaultText.bytes(expected)), .equal)],
                    success: [.put(PutRequest(key: k, value: FaultText.bytes(value)))],
                    failure: [.range(RangeRequest(key: k))]
                )
            )
            if response.succeeded { return (.cas(succeeded: true, observed: nil), response.header.revision) }
            guard case .range(let range)? = response.responses.first else {
                throw StoreError(.corrupt, "a failed txn answered \(response.responses) instead of its range")
            }
            return (.cas(succeeded: false, observed: range.kvs.first.map(StoreWorkload.observed)), nil)
        case .get:
            preconditionFailure("reads go through get(_:)")
        }
    }

    mutating func write(_ input: StoreKVModel.Input) async {
        defer { cluster.activity.add(1, ordering: .relaxed) }
        for _ in 0..<6 {
            guard let store = leaderGuess.flatMap({ cluster.store($0) }) ?? pickMember() else {
                await pause(ticks: 1)
                continue
            }
            let call = recorder.now()
            do throws(StoreError) {
                let (output, revision) = try await perform(input, on: store)
                recorder.record(client: id, input, output, call: call, response: recorder.now())
                if let revision { recorder.acknowledge(input, revision: revision) }
                switch (input, output) {
                case (.put(let key, let value), _), (.cas(let key, _, let value), .cas(true, _)): lastSeen[key] = value
                case (.cas(let key, _, _), .cas(false, let observed)): lastSeen[key] = observed?.value
                case (.delete(let key), _): lastSeen[key] = nil
                default: break
                }
                leaderGuess = store.memberID
                return
            } catch {
                switch error.code {
                case .notLeader:
                    refused.increment()
                    // Refused before entering the log: it did not happen. Follow the hint.
                    leaderGuess = error.leaderHint == 0 ? nil : error.leaderHint
                    if error.leaderHint == 0 { await pause(ticks: 1) }
                case .unavailable:
                    refused.increment()
                    // Refused (no leader, transfer in progress, dropped): it did not happen.
                    leaderGuess = nil
                    await pause(ticks: 1)
                case .timeout, .shuttingDown:
                    // Outcome unknown: it may take effect at any time, or never.
                    recorder.recordPending(client: id, input, call: call)
                    leaderGuess = nil
                    return
                default:
                    recorder.recordPending(client: id, input, call: call)
                    let message = "client \(id) \(input): \(error)"
                    unexpected.withLock { $0.append(message) }
                    return
                }
            }
        }
    }
}
