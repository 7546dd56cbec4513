import Raft
import Synchronization
import Testing

@testable import Store

/// Watch guarantees under the linearizability tests' faults: a watcher sees exactly the committed
/// events from its start revision — in order, without gaps, duplicates or steps back in time
/// (etcd-io/etcd#15271), whole revisions per response — also when its member crashes and it resumes
/// on another member from its last revision + 1, and when it is too slow for its buffer and catches
/// up from history. The reference is the whole event history read after the run from a healthy
/// member, itself checked against ranges at every revision on another member and against every
/// acknowledged write. `STORE_FAULT_SEED` reruns one seed.
@Suite("Store watch guarantees under faults", .serialized)
struct StoreWatchFaultTests {
    @Test("watchers on every member see exactly the committed events, resumed across crashes")
    func exactSequencesUnderFaults() async throws {
        var totals = WatchScenario.Totals()
        for seed in StoreLinearizabilityTests.seeds(from: 5_000, count: 30) {
            let scenario = WatchScenario(
                seed: seed, size: seed % 2 == 0 ? 3 : 5, profile: seed % 3 == 0 ? .crashHeavy : .mixed,
                snapshotInterval: seed % 4 == 1 ? 25 : 0, watchBufferEvents: 1_024, slow: false
            )
            totals.add(try await scenario.run())
        }
        totals.report("fast watchers")
        // Coverage of the whole seed set (a single rerun seed need not have it).
        if FaultEnvironment.value("STORE_FAULT_SEED") == nil {
            #expect(totals.resumes > 0, "no watcher was resumed after a crash: the faults did not exercise resumption")
        }
    }

    @Test("slow watchers with 4-event buffers catch up from history and still see exactly the committed events")
    func slowWatchersCatchUp() async throws {
        var totals = WatchScenario.Totals()
        for seed in StoreLinearizabilityTests.seeds(from: 6_000, count: 30) {
            let scenario = WatchScenario(
                seed: seed, size: seed % 2 == 0 ? 3 : 5, profile: seed % 2 == 0 ? .crashHeavy : .partitionHeavy,
                snapshotInterval: seed % 3 == 1 ? 25 : 0, watchBufferEvents: 4, slow: true
            )
            totals.add(try await scenario.run())
        }
        totals.report("slow watchers")
        if FaultEnvironment.value("STORE_FAULT_SEED") == nil {
            #expect(totals.catchUps > 0, "no response came from history catch-up: the slow path was not exercised")
            #expect(totals.oversizedRevisions > 0, "no revision larger than the buffer was delivered")
        }
    }

    @Test("a watch on a member that has stopped ends with shuttingDown instead of waiting forever")
    func watchOnStoppedMember() async throws {
        let cluster = try StoreCluster(seed: 11, size: 3, options: StoreCluster.options(), label: "stopped member")
        #expect(await cluster.waitForLeader() != nil)
        let stopped = cluster.store(1)!
        await cluster.crash(1)
        let outcome = await cluster.perform(maxTicks: 100) { () -> String in
            do throws(StoreError) {
                let watch = try stopped.watch(WatchRequest(key: FaultText.bytes("k"), startRevision: 1))
                var iterator = watch.makeAsyncIterator()
                let response = try await iterator.next()
                return "delivered \(String(describing: response))"
            } catch {
                return "\(error.code)"
            }
        }
        #expect(outcome == "shuttingDown", "\(cluster.describe())")
        await cluster.finish()
    }

    @Test("negative control: the checks catch a gap, a duplicate, a split revision, a step back and a wrong event")
    func checksCatchBrokenSequences() {
        func put(_ key: String, _ revision: Int64, _ value: String = "v") -> Event {
            Event(kind: .put, kv: KeyValue(key: FaultText.bytes(key), createRevision: revision, modRevision: revision, version: 1, value: FaultText.bytes(value)))
        }
        func response(_ header: Int64, _ events: [Event]) -> WatchResponse {
            WatchResponse(header: ResponseHeader(revision: header, memberID: 1), watchID: 1, events: events)
        }
        let expected = [put("a", 2), put("b", 3), put("c", 3), put("a", 4)]
        let filter = WatchFilter(key: FaultText.bytes("a"), rangeEnd: [0])

        func problems(_ responses: [WatchResponse], start: Int64 = 2) -> [String] {
            var stream = WatchStreamChecker(filter: filter, start: start, member: 1)
            var found: [String] = []
            for r in responses { found += stream.accept(r) }
            if let mismatch = WatchScenario.firstMismatch(stream.events, expected) { found.append(mismatch) }
            return found
        }

        #expect(problems([response(3, Array(expected[0..<3])), response(4, [expected[3]])]).isEmpty)
        #expect(!problems([response(3, [expected[0]]), response(4, [expected[3]])]).isEmpty, "a gap")
        #expect(!problems([response(3, Array(expected[0..<3])), response(4, [expected[2], expected[3]])]).isEmpty, "a duplicate")
        #expect(!problems([response(3, Array(expected[0..<2])), response(4, [expected[2], expected[3]])]).isEmpty, "a split revision")
        #expect(!problems([response(4, Array(expected[0..<3])), response(3, [expected[3]])]).isEmpty, "a header back in time")
        #expect(!problems([response(3, Array(expected[0..<3])), response(4, [put("a", 4, "other")])]).isEmpty, "a wrong value")
        #expect(!problems([response(3, [expected[1], expected[2], expected[0]]), response(4, [expected[3]])]).isEmpty, "out of order")
        #expect(!problems([response(3, Array(expected[0..<3])), response(4, [expected[3]])], start: 3).isEmpty, "before the start")
    }
}

/// The keys a watch covers (etcd's conventions).
struct WatchFilter: Sendable, Hashable, CustomStringConvertible {
    var key: [UInt8]
    var rangeEnd: [UInt8] = []

    func matches(_ candidate: [UInt8]) -> Bool {
        if rangeEnd.isEmpty { return candidate == key }
        if compareBytes(candidate, key) < 0 { return false }
        if rangeEnd == [0] { return true }
        return compareBytes(candidate, rangeEnd) < 0
    }

    static func prefix(_ text: String) -> WatchFilter {
        let key = FaultText.bytes(text)
        return WatchFilter(key: key, rangeEnd: KeyRange.prefixEnd(key))
    }

    var description: String {
        if key == [0] && rangeEnd == [0] { return "all keys" }
        return rangeEnd.isEmpty ? FaultText.string(key) : "[\(FaultText.string(key)), \(rangeEnd == [0] ? "∞" : FaultText.string(rangeEnd)))"
    }
}

/// Checks one watch stream response by response: events ordered, every revision after the last one
/// delivered (no duplicate, no revision split across responses), none before the start, headers
/// never back in time and never behind their events, only matching keys, from the right member.
struct WatchStreamChecker {
    let filter: WatchFilter
    let start: Int64
    let member: UInt64
    var events: [Event] = []
    var lastRevision: Int64 = 0
    var lastHeader: Int64 = 0
    var progressNotifications = 0

    init(filter: WatchFilter, start: Int64, member: UInt64) {
        self.filter = filter
        self.start = start
        self.member = member
    }

    mutating func accept(_ response: WatchResponse) -> [String] {
        var problems: [String] = []
        let header = response.header.revision
        if response.header.memberID != member { problems.append("response from member \(response.header.memberID) on a watch of member \(member)") }
        if header < lastHeader { problems.append("header revision went back in time: \(lastHeader) then \(header)") }
        lastHeader = max(lastHeader, header)
        if response.events.isEmpty {
            progressNotifications += 1
            if header < lastRevision { problems.append("progress notification at \(header) after events through \(lastRevision)") }
            return problems
        }
        var previous = lastRevision
        for (i, event) in response.events.enumerated() {
            let revision = event.kv.modRevision
            if revision < start { problems.append("event at revision \(revision) before the start revision \(start)") }
            if i == 0 && revision <= lastRevision {
                problems.append("revision \(revision) delivered again (or split across responses) after \(lastRevision)")
            }
            if revision < previous { problems.append("events out of order: revision \(revision) after \(previous)") }
            if !filter.matches(event.kv.key) { problems.append("event for \(FaultText.string(event.kv.key)) outside \(filter)") }
            previous = max(previous, revision)
        }
        if header < previous { problems.append("header revision \(header) behind its events (\(previous))") }
        lastRevision = max(lastRevision, previous)
        events += response.events
        return problems
    }
}

/// One seeded run for the watch guarantees.
struct WatchScenario {
    struct Totals {
        var runs = 0
        var watchers = 0
        var events = 0
        var resumes = 0
        var catchUps = 0
        var oversizedRevisions = 0
        var faults = 0
        var failures: [String] = []

        mutating func add(_ other: Totals) {
            runs += other.runs
            watchers += other.watchers
            events += other.events
            resumes += other.resumes
            catchUps += other.catchUps
            oversizedRevisions += other.oversizedRevisions
            faults += other.faults
            failures += other.failures
        }

        func report(_ label: String) {
            for failure in failures { Issue.record(Comment(rawValue: failure)) }
            print(
                "[StoreWatchFault] \(label): \(runs) runs, \(watchers) watchers, \(events) events delivered, \(resumes) resumes "
                    + "after crashes, \(catchUps) history catch-up responses, \(oversizedRevisions) revisions larger than the buffer, "
                    + "\(faults) fault actions, \(failures.count) failures"
            )
        }
    }

    /// What a watcher is asked for.
    struct Spec: Sendable {
        var name: String
        var filter: WatchFilter
        var prevKV: Bool
        var member: UInt64
        /// The start revision; 0 for "after the member's current revision".
        var start: Int64
        var slow: Bool
    }

    /// What a watcher saw.
    struct Seen: Sendable {
        var events: [Event] = []
        var problems: [String] = []
        var resumes: [String] = []
        var catchUps = 0
        var oversized = 0
        /// For a watch from "now": the member's revision before and after the watch was created.
        var nowBounds: (before: Int64, after: Int64)? = nil
        var finished = false
    }

    let seed: UInt64
    let size: Int
    let profile: StoreFaultProfile
    let snapshotInterval: UInt64
    let watchBufferEvents: Int
    let slow: Bool
    var writers = 3
    var operationsPerWriter = 60
    var faultTicks = 150

    static let keys = ["w/a", "w/b", "w/c", "w/d", "w/e", "w/f", "x/1", "x/2"]

    func run() async throws -> Totals {
        let options = StoreCluster.options(snapshotInterval: snapshotInterval, watchBufferEvents: watchBufferEvents)
        let cluster = try StoreCluster(seed: seed, size: size, options: options, label: slow ? "slow watchers" : "watchers")
        var totals = Totals()
        totals.runs = 1
        var problems: [String] = []
        func fail(_ message: String) { problems.append(message) }
        guard await cluster.waitForLeader() != nil else {
            fail("no leader elected")
            await cluster.finish()
            totals.failures = cluster.report(problems)
            return totals
        }
        var rng = SplitMix64(seed: seed ^ 0x3A7C_4E5D)

        // Writers.
        let acknowledged = FaultShared<[(revision: Int64, puts: [String: String], deletes: [String])]>([])
        let writersDone = FaultCounter()
        var tasks: [Task<Void, Never>] = []
        for w in 0..<writers {
            let writerSeed = seed &* 7_919 &+ UInt64(w)
            let operations = operationsPerWriter
            tasks.append(
                Task {
                    await WatchScenario.write(cluster: cluster, seed: writerSeed, writer: w, operations: operations, acknowledged: acknowledged)
                    writersDone.increment()
                }
            )
        }

        // Watchers from the start, on every member.
        var specs: [Spec] = []
        let filters: [(WatchFilter, Bool)] = [
            (.prefix("w/"), false), (WatchFilter(key: FaultText.bytes("w/a")), true), (WatchFilter(key: [0], rangeEnd: [0]), true),
            (WatchFilter(key: FaultText.bytes("w/b"), rangeEnd: FaultText.bytes("w/e")), false),
        ]
        for (i, id) in cluster.ids.enumerated() {
            let (filter, prevKV) = filters[i % filters.count]
            specs.append(Spec(name: "w\(specs.count)", filter: filter, prevKV: prevKV, member: id, start: 1, slow: slow && i % 2 == 0))
        }
        let seen = FaultShared<[Int: Seen]>([:])
        var watcherTasks: [Task<Void, Never>] = []
        func launch(_ spec: Spec) {
            let index = watcherTasks.count
            seen.withLock { $0[index] = Seen() }
            let watcherSeed = rng.next()
            watcherTasks.append(Task { await WatchScenario.watch(spec, index: index, cluster: cluster, seed: watcherSeed, seen: seen) })
        }
        for spec in specs { launch(spec) }

        // Faults, with more watchers joining mid-run from past, present and future revisions.
        var injector = StoreFaultInjector(seed: seed, profile: profile)
        for tick in 0..<faultTicks {
            if writersDone.value == writers { break }
            if tick % 20 == 10, let member = cluster.runningIDs.randomElement(using: &rng), let store = cluster.store(member) {
                let current = store.status().revision
                let (filter, prevKV) = filters[Int(rng.next() % UInt64(filters.count))]
                let start: Int64 =
                    switch rng.next() % 3 {
                    case 0: 0
                    case 1: Int64(rng.next() % UInt64(current + 2)) + 1
                    default: current + 1 + Int64(rng.next() % 3)
                    }
                let spec = Spec(name: "w\(specs.count)", filter: filter, prevKV: prevKV, member: member, start: start, slow: slow && rng.next() % 2 == 0)
                specs.append(spec)
                cluster.note("watch \(spec.name) on \(member) \(filter) from \(start == 0 ? "now" : "\(start)")\(spec.slow ? " (slow)" : "")")
                launch(spec)
            }
            try await injector.step(cluster)
            await cluster.tick()
        }
        try cluster.healAll()
        if !(await cluster.advance(maxTicks: 1_500) { writersDone.value == writers }) { fail("writers did not finish after healing") }
        if !(await cluster.waitConverged()) { fail("members did not converge after healing") }

        // The reference: every event, from a healthy member, checked against another member's ranges
        // and against the acknowledged writes.
        guard let leader = cluster.leader, let reference = await Self.reference(cluster: cluster, member: leader) else {
            fail("could not read the reference history")
            await Self.stop(watcherTasks, cluster: cluster)
            totals.failures = cluster.report(problems)
            await cluster.finish()
            for task in tasks { await task.value }
            return totals
        }
        let other = cluster.ids.first { $0 != leader }!
        for problem in Self.verify(reference: reference.events, through: reference.revision, against: cluster.store(other)!) {
            fail("reference history: \(problem)")
        }
        for ack in acknowledged.value {
            let atRevision = reference.events.filter { $0.kv.modRevision == ack.revision }
            for (key, value) in ack.puts where !atRevision.contains(where: { $0.kind == .put && $0.kv.key == FaultText.bytes(key) && $0.kv.value == FaultText.bytes(value) }) {
                fail("acknowledged put \(key)=\(value) at revision \(ack.revision) is not in the history")
            }
            for key in ack.deletes where !atRevision.contains(where: { $0.kind == .delete && $0.kv.key == FaultText.bytes(key) }) {
                fail("acknowledged delete of \(key) at revision \(ack.revision) is not in the history")
            }
        }

        // Every watcher gets exactly its part of the reference.
        func expected(_ spec: Spec, _ seen: Seen) -> [Event] {
            var start = spec.start
            if spec.start == 0 {
                // From "now": somewhere in (before, after]; the first event delivered says where.
                let bounds = seen.nowBounds ?? (0, 0)
                start = max(bounds.before + 1, min(seen.events.first?.kv.modRevision ?? .max, bounds.after + 1))
            }
            return reference.events.compactMap { event in
                guard event.kv.modRevision >= start, spec.filter.matches(event.kv.key) else { return nil }
                var shaped = event
                if !spec.prevKV { shaped.prevKV = nil }
                return shaped
            }
        }
        let specsSnapshot = specs
        let caughtUp = await cluster.advance(maxTicks: 1_500) {
            seen.withLock { all in
                specsSnapshot.indices.allSatisfy { i in
                    let s = all[i]!
                    return s.finished || s.events.count >= expected(specsSnapshot[i], s).count
                }
            }
        }
        await Self.stop(watcherTasks, cluster: cluster)
        for (i, spec) in specs.enumerated() {
            let s = seen.value[i]!
            let want = expected(spec, s)
            let label = "watcher \(spec.name) (\(spec.filter) from \(spec.start == 0 ? "now \(s.nowBounds.map { "\($0)" } ?? "")" : "\(spec.start)") on member \(spec.member)\(spec.slow ? ", slow" : ""); resumes: \(s.resumes))"
            for problem in s.problems { fail("\(label): \(problem)") }
            if let mismatch = Self.firstMismatch(s.events, want) {
                fail("\(label): \(mismatch)\(caughtUp ? "" : " (watchers did not catch up in time)")")
            }
            totals.events += s.events.count
            totals.resumes += s.resumes.count
            totals.catchUps += s.catchUps
            totals.oversizedRevisions += s.oversized
        }
        totals.watchers = specs.count
        totals.faults = cluster.actions.count
        await cluster.finish()
        for task in tasks { await task.value }
        totals.failures = cluster.report(problems)
        return totals
    }

    static func stop(_ watchers: [Task<Void, Never>], cluster: StoreCluster) async {
        for task in watchers { task.cancel() }
        for task in watchers { await task.value }
    }

    /// The first difference between what a watcher got and what it should have got.
    static func firstMismatch(_ got: [Event], _ want: [Event]) -> String? {
        func show(_ e: Event) -> String {
            "\(e.kind) \(FaultText.string(e.kv.key))=\(FaultText.string(e.kv.value))@\(e.kv.modRevision) v\(e.kv.version)"
                + (e.prevKV.map { " prev \(FaultText.string($0.value))@\($0.modRevision)" } ?? "")
        }
        for i in 0..<max(got.count, want.count) {
            switch (i < got.count ? got[i] : nil, i < want.count ? want[i] : nil) {
            case (let g?, let w?) where g != w || g.prevKV != w.prevKV:
                return "event \(i) differs: got \(show(g)), want \(show(w))"
            case (let g?, nil):
                return "\(got.count - want.count) extra events, the first \(show(g)) (want \(want.count))"
            case (nil, let w?):
                return "missing \(want.count - got.count) events from \(show(w)) on (got \(got.count))"
            default:
                continue
            }
        }
        return nil
    }

    /// The whole history (with previous values) from `member`: every event through its revision.
    static func reference(cluster: StoreCluster, member: UInt64) async -> (events: [Event], revision: Int64)? {
        guard let store = cluster.store(member) else { return nil }
        let revision = store.status().revision
        if revision <= 1 { return ([], revision) }
        let events = await cluster.perform(maxTicks: 200) { () -> [Event]? in
            do throws(StoreError) {
                let watch = try store.watch(WatchRequest(key: [0], rangeEnd: [0], startRevision: 1, prevKV: true))
                defer { watch.cancel() }
                var iterator = watch.makeAsyncIterator()
                var events: [Event] = []
                while events.last?.kv.modRevision ?? 0 < revision, let response = try await iterator.next() {
                    events += response.events
                }
                return events
            } catch {
                return nil
            }
        }
        return events.flatMap { $0 }.map { ($0, revision) }
    }

    /// Checks the reference against `other`'s ranges at every revision: each revision from 2 on has
    /// events, and applying them reproduces the key space the range at that revision returns.
    static func verify(reference: [Event], through revision: Int64, against other: KeyValueStore) -> [String] {
        var problems: [String] = []
        let revisions = reference.map(\.kv.modRevision)
        if revisions != revisions.sorted() { problems.append("not in revision order") }
        let distinct = Array(Set(revisions)).sorted()
        if revision > 1 && distinct != Array(2...revision) {
            problems.append("revisions \(distinct.first ?? 0)...\(distinct.last ?? 0) (\(distinct.count) distinct) do not cover 2...\(revision)")
        }
        if revision <= 1 { return problems }
        var state: [[UInt8]: KeyValue] = [:]
        var i = 0
        for r in 2...revision {
            while i < reference.count && reference[i].kv.modRevision == r {
                let event = reference[i]
                let before = state[event.kv.key]
                if event.prevKV != before { problems.append("revision \(r): prevKV of \(FaultText.string(event.kv.key)) is not the state before") }
                state[event.kv.key] = event.kind == .put ? event.kv : nil
                i += 1
            }
            do throws(StoreError) {
                let range = try other.machine.withState { s throws(StoreError) in
                    try s.mvcc.range(RangeRequest(key: [0], rangeEnd: [0], revision: r))
                }
                let want = state.values.sorted { compareBytes($0.key, $1.key) < 0 }
                if range.kvs != want {
                    problems.append("revision \(r): member \(other.memberID)'s range differs from the events' state")
                }
            } catch {
                problems.append("revision \(r): range on member \(other.memberID) failed: \(error)")
            }
            if problems.count > 5 { break }
        }
        return problems
    }

    // MARK: Tasks

    /// One writer: puts, deletes (single keys and ranges) and multi-key transactions through the leader.
    static func write(
        cluster: StoreCluster, seed: UInt64, writer: Int, operations: Int,
        acknowledged: FaultShared<[(revision: Int64, puts: [String: String], deletes: [String])]>
    ) async {
        var rng = SplitMix64(seed: seed)
        var leaderGuess: UInt64?
        for n in 0..<operations {
            let pause = Int(rng.next() % 5)
            if pause > 0 { try? await cluster.clock.sleep(for: cluster.heartbeat * pause) }
            let value = "w\(writer)-\(n)"
            var shuffled = keys
            shuffled.shuffle(using: &rng)
            let request: TxnRequest
            var puts: [String: String] = [:]
            switch rng.next() % 10 {
            case 0..<4:
                puts[shuffled[0]] = value
                request = TxnRequest(success: [.put(PutRequest(key: FaultText.bytes(shuffled[0]), value: FaultText.bytes(value)))])
            case 4..<5:
                request = TxnRequest(success: [.deleteRange(DeleteRangeRequest(key: FaultText.bytes(shuffled[0])))])
            case 5..<6:
                request = TxnRequest(success: [.deleteRange(DeleteRangeRequest(key: FaultText.bytes("w/c"), rangeEnd: FaultText.bytes("w/f")))])
            default:
                // Several keys at one revision (up to 6 events: more than a 4-event buffer).
                let count = Int(rng.next() % 5) + 2
                var ops: [RequestOp] = []
                for key in shuffled.prefix(count) {
                    puts[key] = value
                    ops.append(.put(PutRequest(key: FaultText.bytes(key), value: FaultText.bytes(value))))
                }
                if rng.next() % 2 == 0 { ops.append(.deleteRange(DeleteRangeRequest(key: FaultText.bytes(shuffled[count])))) }
                request = TxnRequest(compare: [Compare(key: FaultText.bytes(shuffled[7]), .version(0), .greater)], success: ops, failure: ops)
            }
            for _ in 0..<6 {
                guard let store = leaderGuess.flatMap({ cluster.store($0) }) ?? cluster.runningStores.randomElement(using: &rng) else {
                    try? await cluster.clock.sleep(for: cluster.heartbeat)
                    continue
                }
                do throws(StoreError) {
                    let response = try await store.txn(request)
                    cluster.activity.add(1, ordering: .relaxed)
                    leaderGuess = store.memberID
                    // Deletes are checked only where they removed something (the response says so).
                    var deleted: [String] = []
                    for op in response.responses {
                        if case .deleteRange(let d) = op, d.deleted > 0, let key = request.success.compactMap({ op -> String? in
                            if case .deleteRange(let r) = op, r.rangeEnd.isEmpty { return FaultText.string(r.key) }
                            return nil
                        }).first {
                            deleted.append(key)
                        }
                    }
                    if !puts.isEmpty || !deleted.isEmpty {
                        let entry = (revision: response.header.revision, puts: puts, deletes: deleted)
                        acknowledged.withLock { $0.append(entry) }
                    }
                    break
                } catch {
                    if error.code == .notLeader && error.leaderHint != 0 {
                        leaderGuess = error.leaderHint
                        continue
                    }
                    leaderGuess = nil
                    if error.code == .timeout || error.code == .shuttingDown { break }
                    try? await cluster.clock.sleep(for: cluster.heartbeat)
                }
            }
        }
    }

    /// One watcher: follows its member; when the member stops, resumes on another from the last
    /// revision delivered + 1. Slow watchers pause after responses (on virtual time).
    static func watch(_ spec: Spec, index: Int, cluster: StoreCluster, seed: UInt64, seen: FaultShared<[Int: Seen]>) async {
        var rng = SplitMix64(seed: seed)
        var member = spec.member
        var next = spec.start
        let capacity = cluster.options.watchBufferEvents
        func update(_ body: (inout Seen) -> Void) { seen.withLock { body(&$0[index]!) } }
        defer { update { $0.finished = true } }
        while !Task.isCancelled {
            guard let store = cluster.store(member) else {
                let others = cluster.runningIDs.filter { $0 != member }
                if let other = others.randomElement(using: &rng) {
                    member = other
                } else {
                    try? await cluster.clock.sleep(for: cluster.heartbeat)
                }
                continue
            }
            let watch: Watch
            do throws(StoreError) {
                let before = store.status().revision
                watch = try store.watch(WatchRequest(key: spec.filter.key, rangeEnd: spec.filter.rangeEnd, startRevision: next, prevKV: spec.prevKV))
                if next == 0 {
                    let after = store.status().revision
                    update { $0.nowBounds = (before, after) }
                }
            } catch {
                if error.code == .shuttingDown {
                    // It stopped between the lookup and the call: try again, elsewhere if possible.
                    member = cluster.runningIDs.filter { $0 != member }.randomElement(using: &rng) ?? member
                    continue
                }
                update { $0.problems.append("watch from \(next) on member \(member) refused: \(error)") }
                return
            }
            var stream = WatchStreamChecker(filter: spec.filter, start: Swift.max(1, next), member: member)
            if let last = seen.withLock({ $0[index]!.events.last }) { stream.lastRevision = last.kv.modRevision }
            var iterator = watch.makeAsyncIterator()
            do throws(StoreError) {
                while let response = try await iterator.next() {
                    let problems = stream.accept(response)
                    let revisions = Set(response.events.map(\.kv.modRevision))
                    update { s in
                        s.problems += problems
                        s.events += response.events
                        if response.events.count > capacity && revisions.count > 1 { s.catchUps += 1 }
                        if response.events.count > capacity && revisions.count == 1 { s.oversized += 1 }
                    }
                    if let last = response.events.last { next = last.kv.modRevision + 1 }
                    cluster.activity.add(1, ordering: .relaxed)
                    if spec.slow {
                        let ticks = rng.next() % 8 == 0 ? 20 + Int(rng.next() % 20) : 1 + Int(rng.next() % 6)
                        do {
                            try await cluster.clock.sleep(for: cluster.heartbeat * ticks)
                        } catch {
                            return
                        }
                    }
                }
                return  // cancelled
            } catch {
                guard error.code == .shuttingDown else {
                    update { $0.problems.append("watch on member \(member) ended with \(error)") }
                    return
                }
                if next == 0 {
                    // From "now" and nothing seen yet: resume from just after what was current.
                    next = (seen.withLock { $0[index]!.nowBounds?.before } ?? 0) + 1
                }
                let stoppedMember = member
                let others = cluster.runningIDs.filter { $0 != stoppedMember }
                member = others.randomElement(using: &rng) ?? member
                let resumeFrom = next
                update { $0.resumes.append("\(stoppedMember)->\(member) from \(resumeFrom)") }
            }
        }
    }
}
