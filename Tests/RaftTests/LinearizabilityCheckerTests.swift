import Testing
@testable import Raft

/// The checker on hand-written histories. Times are abstract; intervals that touch are concurrent.
@Suite struct LinearizabilityCheckerTests {
    typealias KV = LinearizabilityChecker<KVModel>
    typealias Op = KV.Operation
    static let never = Op.pending

    static func put(_ client: Int, _ key: String, _ value: String, _ call: UInt64, _ response: UInt64) -> Op {
        KV.put(client: client, key, value, call: call, response: response)
    }

    static func get(_ client: Int, _ key: String, _ value: String?, _ call: UInt64, _ response: UInt64) -> Op {
        KV.get(client: client, key, value, call: call, response: response)
    }

    // MARK: Linearizable

    @Test("empty and sequential histories are linearizable")
    func sequential() {
        #expect(KV.check([]).isLinearizable)
        let history = [
            Self.get(0, "x", nil, 0, 1),
            Self.put(0, "x", "1", 2, 3),
            Self.get(1, "x", "1", 4, 5),
            Self.put(1, "x", "2", 6, 7),
            Self.get(0, "x", "2", 8, 9),
        ]
        #expect(KV.check(history).isLinearizable)
    }

    @Test("a read overlapping a write may see the old or the new value")
    func overlappingRead() {
        // get→nil and get→1 both overlap put 1; get→nil can be ordered first.
        let history = [
            Self.put(0, "x", "1", 0, 10),
            Self.get(1, "x", nil, 1, 4),
            Self.get(2, "x", "1", 2, 3),
        ]
        #expect(KV.check(history).isLinearizable)
        // Listed out of order: the checker sorts by call time itself.
        #expect(KV.check(history.reversed()).isLinearizable)
    }

    @Test("concurrent writes may be ordered either way, but only one way")
    func concurrentWrites() {
        let during = [
            Self.put(0, "x", "a", 0, 10),
            Self.put(1, "x", "b", 0, 10),
            Self.get(2, "x", "b", 1, 2),
            Self.get(2, "x", "a", 3, 4),
        ]
        #expect(KV.check(during).isLinearizable)
        let flipFlop = during + [Self.get(3, "x", "b", 11, 12)]
        #expect(!KV.check(flipFlop).isLinearizable)
    }

    @Test("intervals that touch are concurrent")
    func touchingIntervals() {
        #expect(KV.check([Self.put(0, "x", "1", 0, 5), Self.get(1, "x", nil, 5, 6)]).isLinearizable)
        #expect(!KV.check([Self.put(0, "x", "1", 0, 5), Self.get(1, "x", nil, 6, 7)]).isLinearizable)
    }

    @Test("keys are independent")
    func independentKeys() {
        let history = [
            Self.put(0, "x", "1", 0, 1),
            Self.put(1, "y", "2", 0, 3),
            Self.get(2, "y", nil, 2, 2),
            Self.get(2, "x", "1", 4, 5),
            Self.get(0, "y", "2", 4, 5),
        ]
        #expect(KV.check(history).isLinearizable)
    }

    // MARK: Not linearizable

    @Test("a stale read after a completed write is a violation")
    func staleRead() throws {
        let history = [
            Self.put(0, "x", "1", 0, 1),
            Self.put(0, "x", "2", 2, 3),
            Self.get(1, "x", "1", 4, 5),
        ]
        let violation = try #require(KV.check(history).violation)
        #expect(violation.partition == "x")
        #expect(violation.culprits.map(\.output) == ["1"])
        #expect(violation.description.contains("get(x) -> \"1\""))
    }

    @Test("a lost write is a violation")
    func lostWrite() throws {
        let history = [
            Self.put(0, "x", "1", 0, 1),
            Self.get(1, "x", nil, 2, 3),
        ]
        let violation = try #require(KV.check(history).violation)
        #expect(violation.operations.count == 2)
    }

    @Test("a read of a value never written is a violation")
    func phantomRead() throws {
        let history = [
            Self.put(0, "x", "1", 0, 10),
            Self.get(1, "x", "42", 2, 3),
        ]
        let violation = try #require(KV.check(history).violation)
        #expect(violation.culprits.map(\.output) == ["42"])
    }

    @Test("a read that goes back in time is a violation")
    func nonMonotonicReads() {
        let history = [
            Self.put(0, "x", "1", 0, 100),
            Self.get(1, "x", "1", 10, 11),
            Self.get(2, "x", nil, 20, 21),
        ]
        #expect(!KV.check(history).isLinearizable)
    }

    // MARK: Unknown outcomes

    @Test("an indeterminate write may have taken effect")
    func indeterminateWriteTookEffect() {
        let history = [
            Self.put(0, "x", "1", 0, Self.never),
            Self.get(1, "x", nil, 1, 2),
            Self.get(1, "x", "1", 50, 51),
            Self.get(2, "x", "1", 60, 61),
        ]
        #expect(KV.check(history).isLinearizable)
    }

    @Test("an indeterminate write may never have taken effect")
    func indeterminateWriteDidNot() {
        let history = [
            Self.put(0, "x", "1", 0, 1),
            Self.put(1, "x", "2", 2, Self.never),
            Self.get(2, "x", "1", 100, 101),
            Self.put(0, "x", "3", 102, Self.never),
        ]
        #expect(KV.check(history).isLinearizable)
        #expect(KV.check([Self.put(0, "x", "1", 0, Self.never)]).isLinearizable)
    }

    @Test("an indeterminate write takes effect at most once and not before it was called")
    func indeterminateWriteConstraints() {
        // Seen, then unseen, then seen again.
        let flicker = [
            Self.put(0, "x", "1", 0, Self.never),
            Self.get(1, "x", "1", 10, 11),
            Self.get(1, "x", nil, 12, 13),
        ]
        #expect(!KV.check(flicker).isLinearizable)
        // Seen before it was called.
        let early = [
            Self.get(1, "x", "1", 0, 1),
            Self.put(0, "x", "1", 2, Self.never),
        ]
        #expect(!KV.check(early).isLinearizable)
        // Overwritten by a completed write, then seen again.
        let resurrected = [
            Self.put(0, "x", "1", 0, Self.never),
            Self.get(1, "x", "1", 5, 6),
            Self.put(1, "x", "2", 7, 8),
            Self.get(2, "x", "1", 9, 10),
        ]
        #expect(!KV.check(resurrected).isLinearizable)
    }

    // MARK: Witnesses

    @Test("the witness is the shortest failing prefix of the failing key, without needless reads")
    func minimalWitness() throws {
        var history: [Op] = []
        var time: UInt64 = 0
        for i in 0..<40 {
            history.append(Self.put(i % 3, "x", "v\(i)", time, time + 3))
            history.append(Self.get((i + 1) % 3, "x", "v\(i)", time + 4, time + 5))
            history.append(Self.put(i % 3, "y", "w\(i)", time, time + 2))
            time += 6
        }
        #expect(KV.check(history).isLinearizable)
        // A stale read in the middle, then more good operations.
        history.append(Self.get(0, "x", "v10", time, time + 1))
        let badTime = time
        for i in 40..<60 {
            time += 6
            history.append(Self.put(i % 3, "x", "v\(i)", time, time + 3))
            history.append(Self.get((i + 1) % 3, "x", "v\(i)", time + 4, time + 5))
        }
        let violation = try #require(KV.check(history).violation)
        #expect(violation.partition == "x")
        #expect(violation.culprits.count == 1)
        #expect(violation.culprits.first?.call == badTime)
        // Nothing after the stale read, and none of the other reads.
        #expect(violation.operations.allSatisfy { $0.call <= badTime })
        #expect(violation.operations.count(where: { KVModel.isReadOnly($0.input) }) == 1)
        #expect(violation.operations.allSatisfy { $0.input.key == "x" })
        #expect(violation.partitionSize == 121)
    }

    // MARK: Generated histories

    /// A random history that is linearizable by construction: operations run sequentially at
    /// linearization points 10 apart, each with an interval stretched randomly around its point.
    static func generated(seed: UInt64, count: Int, keys: Int = 2) -> [Op] {
        var rng = SplitMix64(seed: seed)
        var values: [String: String] = [:]
        var history: [Op] = []
        for i in 0..<count {
            let point = UInt64(100 + 10 * i)
            let call = point - rng.next() % 60
            let key = "k\(rng.next() % UInt64(keys))"
            let pendingWrite = rng.next() % 10 == 0
            let response = pendingWrite ? Op.pending : point + rng.next() % 60
            if rng.next() % 2 == 0 {
                values[key] = "v\(i)"
                history.append(Self.put(i % 5, key, "v\(i)", call, response))
            } else {
                history.append(Self.get(i % 5, key, values[key], call, point + rng.next() % 60))
            }
        }
        return history
    }

    @Test("generated linearizable histories pass, and corrupting one read is caught", arguments: 0..<20 as Range<UInt64>)
    func generatedHistories(seed: UInt64) throws {
        var history = Self.generated(seed: seed, count: 120)
        #expect(KV.check(history).isLinearizable, "seed \(seed)")
        let reads = history.indices.filter { KVModel.isReadOnly(history[$0].input) }
        let victim = try #require(reads.dropFirst(reads.count / 2).first)
        history[victim].output = "never-written"
        let violation = try #require(KV.check(history).violation, "seed \(seed)")
        #expect(violation.culprits.contains { $0.output == "never-written" }, "\(violation)")
    }

    // MARK: Other models

    /// A counter without partition keys: `add(n)` returns nothing, `read` returns the total.
    enum CounterModel: LinearizabilityModel {
        enum Input { case add(Int), read }
        static var initial: Int { 0 }
        static func step(_ state: Int, _ input: Input, _ output: Int) -> (ok: Bool, next: Int) {
            switch input {
            case .add(let n): return (true, state + n)
            case .read: return (output == state, state)
            }
        }
    }

    @Test("a model without partition keys is checked as one history")
    func unpartitionedModel() throws {
        typealias Counter = LinearizabilityChecker<CounterModel>
        let ok: [Counter.Operation] = [
            .init(client: 0, input: .add(1), output: 0, call: 0, response: 10),
            .init(client: 1, input: .add(2), output: 0, call: 0, response: 10),
            .init(client: 2, input: .read, output: 2, call: 1, response: 2),
            .init(client: 2, input: .read, output: 3, call: 11, response: 12),
        ]
        #expect(Counter.check(ok).isLinearizable)
        var bad = ok
        bad[2].output = 1
        bad[3].output = 2
        let violation = try #require(Counter.check(bad).violation)
        #expect(violation.partition == nil)
    }

    @Test("a search over its budget is undetermined, not a verdict")
    func budget() {
        // Many concurrent writes and a read that no order explains: the search must try them all.
        var history = (0..<10).map { Self.put($0, "x", "v\($0)", 0, 100) }
        history.append(Self.get(20, "x", "nope", 101, 102))
        #expect({ if case .undetermined = KV.check(history, maxStates: 50) { true } else { false } }())
        #expect(!KV.check(history).isLinearizable)
    }
}
