/// A sequential specification that concurrent histories are checked against.
///
/// The checker treats the model as a deterministic state machine: ``step(_:_:_:)`` says whether
/// `output` is a legal result of applying `input` in `state`, and which state follows.
///
/// A model may declare a ``partitionKey(of:)`` for its inputs. When every operation of a history
/// has a key, the history is split by key and each part is checked on its own, starting from
/// ``initial`` (P-compositionality, as in Porcupine). Only declare keys when the state really is a
/// product of independent per-key states whose operations never touch other keys.
public protocol LinearizabilityModel {
    /// The model's state; hashed to memoize the search.
    associatedtype State: Hashable
    /// What a client asked for.
    associatedtype Input
    /// What the client observed.
    associatedtype Output
    /// The key that partitions a history into independent sub-histories.
    associatedtype PartitionKey: Hashable = Int

    /// The state before any operation.
    static var initial: State { get }

    /// Whether `output` is a legal result of `input` in `state`, and the state afterwards.
    static func step(_ state: State, _ input: Input, _ output: Output) -> (ok: Bool, next: State)

    /// How an operation is printed in a counterexample.
    static func describe(_ input: Input, _ output: Output) -> String

    /// The partition of an operation, or nil when the model does not partition histories (the
    /// default). A history is partitioned only when every operation has a key.
    static func partitionKey(of input: Input) -> PartitionKey?

    /// Whether `input` never changes the state (a read). The checker only uses this to shrink a
    /// counterexample: dropping a completed read from a non-linearizable history keeps it
    /// non-linearizable, so reads that are not needed to show the violation are left out.
    static func isReadOnly(_ input: Input) -> Bool
}

extension LinearizabilityModel {
    public static func describe(_ input: Input, _ output: Output) -> String { "\(input) -> \(output)" }
    public static func partitionKey(of input: Input) -> PartitionKey? { nil }
    public static func isReadOnly(_ input: Input) -> Bool { false }
}

/// One operation of a concurrent history: invoked by `client` at `call`, answered at `response`.
///
/// Times are abstract ticks (for example simulation steps). Operation `a` precedes operation `b`
/// in real time only when `a.response < b.call`; operations whose intervals touch or overlap are
/// concurrent and may be linearized in either order.
///
/// An operation whose outcome is unknown (a write whose client timed out or crashed) has
/// `response == .max` (see ``HistoryOperation/pending``), as in Porcupine: it may take effect at
/// any point after its call, or never; its `output` is only checked if it takes effect.
/// Operations that are known to have failed without effect should be left out of the history.
public struct HistoryOperation<Input, Output> {
    /// The response time of an operation whose outcome is unknown.
    public static var pending: UInt64 { .max }

    public var client: Int
    public var input: Input
    public var output: Output
    public var call: UInt64
    public var response: UInt64

    public init(client: Int, input: Input, output: Output, call: UInt64, response: UInt64) {
        precondition(call <= response, "an operation cannot respond before it is called")
        self.client = client
        self.input = input
        self.output = output
        self.call = call
        self.response = response
    }

    /// Whether the outcome of the operation is unknown.
    public var isPending: Bool { response == .max }
}

extension HistoryOperation: Sendable where Input: Sendable, Output: Sendable {}
extension HistoryOperation: Equatable where Input: Equatable, Output: Equatable {}
extension HistoryOperation: Hashable where Input: Hashable, Output: Hashable {}

extension HistoryOperation: CustomStringConvertible {
    public var description: String {
        let end = isPending ? "?" : "\(response)"
        return "[\(call), \(end)] client \(client): \(input) -> \(isPending ? "(unknown) " : "")\(output)"
    }
}

/// Why a history is not linearizable: the smallest witness the checker could find.
public struct LinearizabilityViolation<Input, Output>: CustomStringConvertible {
    /// The partition key of the failing sub-history, rendered (nil when not partitioned).
    public var partition: String?
    /// A non-linearizable sub-history, in call order: the shortest prefix (in time) of the failing
    /// partition that is already not linearizable, without the reads that are not needed to show it.
    /// Operations that had not responded by the end of the prefix appear as pending.
    public var operations: [HistoryOperation<Input, Output>]
    /// The operations that responded at the end of the prefix: adding their responses made the
    /// history non-linearizable.
    public var culprits: [HistoryOperation<Input, Output>]
    /// How many operations the failing partition had in full.
    public var partitionSize: Int

    /// A rendering of the witness, one operation per line, culprits starred.
    public let description: String
}

extension LinearizabilityViolation: Sendable where Input: Sendable, Output: Sendable {}

/// The verdict on a history.
public enum LinearizabilityResult<Input, Output> {
    /// Some order of the operations respects real time and the model.
    case linearizable
    /// No order does; the violation holds a small witness.
    case violation(LinearizabilityViolation<Input, Output>)
    /// The search gave up after exploring its budget of states.
    case undetermined

    public var isLinearizable: Bool {
        if case .linearizable = self { return true }
        return false
    }

    /// The violation, if the history is not linearizable.
    public var violation: LinearizabilityViolation<Input, Output>? {
        if case .violation(let v) = self { return v }
        return nil
    }
}

extension LinearizabilityResult: Sendable where Input: Sendable, Output: Sendable {}

/// A linearizability checker in the style of Wing & Gong and Lowe, as implemented by Porcupine:
/// a depth-first search over linearization orders that backtracks when the model rejects an
/// operation, memoizing every (set of linearized operations, model state) already explored.
///
/// ```swift
/// let result = LinearizabilityChecker<KVModel>.check(history)
/// if let violation = result.violation { print(violation) }
/// ```
public enum LinearizabilityChecker<Model: LinearizabilityModel> {
    public typealias Operation = HistoryOperation<Model.Input, Model.Output>

    /// Checks `history`. `maxStates` bounds the number of model steps per partition; past it the
    /// answer is ``LinearizabilityResult/undetermined``.
    public static func check(_ history: [Operation], maxStates: Int = 5_000_000) -> LinearizabilityResult<Model.Input, Model.Output> {
        var undetermined = false
        for (key, part) in partitions(history) {
            switch search(part, budget: maxStates) {
            case .linearizable:
                continue
            case .undetermined:
                undetermined = true
            case .notLinearizable:
                return .violation(shrink(part, key: key, budget: maxStates))
            }
        }
        return undetermined ? .undetermined : .linearizable
    }

    /// Splits `history` by ``LinearizabilityModel/partitionKey(of:)``, in order of first call.
    static func partitions(_ history: [Operation]) -> [(String?, [Operation])] {
        var keys: [Model.PartitionKey] = []
        var parts: [Model.PartitionKey: [Operation]] = [:]
        for op in history {
            guard let key = Model.partitionKey(of: op.input) else { return [(nil, history)] }
            if parts[key] == nil { keys.append(key) }
            parts[key, default: []].append(op)
        }
        return keys.map { ("\($0)", parts[$0]!) }
    }

    enum Verdict { case linearizable, notLinearizable, undetermined }

    /// A fixed-size set of operation positions, hashed for memoization.
    struct Bits: Hashable {
        var words: [UInt64]
        init(count: Int) { words = Array(repeating: 0, count: (count + 63) / 64) }
        func contains(_ i: Int) -> Bool { words[i >> 6] & (1 << UInt64(i & 63)) != 0 }
        mutating func insert(_ i: Int) { words[i >> 6] |= 1 << UInt64(i & 63) }
        mutating func remove(_ i: Int) { words[i >> 6] &= ~(1 << UInt64(i & 63)) }
    }

    struct Memo: Hashable {
        var bits: Bits
        var state: Model.State
    }

    struct Frame {
        var state: Model.State
        var candidates: [Int]
        var position = 0
        /// The operation linearized to reach this frame (nil for the root).
        var via: Int?
    }

    /// The depth-first search proper, over one partition.
    static func search(_ history: [Operation], budget: Int) -> Verdict {
        let ops = history.sorted { ($0.call, $0.response) < ($1.call, $1.response) }
        let n = ops.count
        var remainingComplete = ops.count(where: { !$0.isPending })
        if remainingComplete == 0 { return .linearizable }
        var linearized = Bits(count: n)
        var seen: Set<Memo> = [Memo(bits: linearized, state: Model.initial)]
        var steps = 0

        // An operation can be linearized next when no other unlinearized operation responded
        // before it was called, that is when its call is at most the earliest pending response.
        func candidates() -> [Int] {
            var earliest = UInt64.max
            for i in 0..<n where !linearized.contains(i) && ops[i].response < earliest {
                earliest = ops[i].response
            }
            var result: [Int] = []
            for i in 0..<n {
                if ops[i].call > earliest { break }
                if !linearized.contains(i) { result.append(i) }
            }
            return result
        }

        var stack = [Frame(state: Model.initial, candidates: candidates())]
        while !stack.isEmpty {
            let top = stack.count - 1
            guard stack[top].position < stack[top].candidates.count else {
                // Every continuation from here failed: undo the operation that led here.
                if let via = stack[top].via {
                    linearized.remove(via)
                    if !ops[via].isPending { remainingComplete += 1 }
                }
                stack.removeLast()
                continue
            }
            let i = stack[top].candidates[stack[top].position]
            stack[top].position += 1
            steps += 1
            if steps > budget { return .undetermined }
            let (ok, next) = Model.step(stack[top].state, ops[i].input, ops[i].output)
            guard ok else { continue }
            linearized.insert(i)
            guard seen.insert(Memo(bits: linearized, state: next)).inserted else {
                linearized.remove(i)
                continue
            }
            if !ops[i].isPending { remainingComplete -= 1 }
            // Once only operations of unknown outcome remain, they can all be taken never to have
            // happened (or to take effect after everything observed).
            if remainingComplete == 0 { return .linearizable }
            stack.append(Frame(state: next, candidates: candidates(), via: i))
        }
        return .notLinearizable
    }

    /// The operations called by `time`, with those that had not responded by then made pending.
    /// If this prefix is not linearizable, neither is the whole history.
    static func prefix(_ ops: [Operation], at time: UInt64) -> [Operation] {
        ops.compactMap { op in
            guard op.call <= time else { return nil }
            var copy = op
            if op.response > time { copy.response = .max }
            return copy
        }
    }

    /// Finds a small witness of a non-linearizable partition: the shortest non-linearizable prefix
    /// (by binary search over response times, since linearizability is prefix-closed), then drops
    /// the read-only operations that are not needed for it to stay non-linearizable.
    static func shrink(_ part: [Operation], key: String?, budget: Int) -> LinearizabilityViolation<Model.Input, Model.Output> {
        let ops = part.sorted { ($0.call, $0.response) < ($1.call, $1.response) }
        let times = Array(Set(ops.lazy.filter { !$0.isPending }.map(\.response))).sorted()
        var low = 0
        var high = times.count - 1  // prefix(at: times[high]) is known to fail
        while low < high {
            let mid = (low + high) / 2
            if search(prefix(ops, at: times[mid]), budget: budget) == .notLinearizable {
                high = mid
            } else {
                low = mid + 1
            }
        }
        let cut = times.isEmpty ? UInt64.max : times[high]
        var witness = prefix(ops, at: cut)
        var i = 0
        while i < witness.count {
            let op = witness[i]
            if Model.isReadOnly(op.input) && op.response != cut {
                var without = witness
                without.remove(at: i)
                if search(without, budget: budget) == .notLinearizable {
                    witness = without
                    continue
                }
            }
            i += 1
        }
        let culprits = witness.filter { $0.response == cut }
        var lines = [
            "not linearizable" + (key.map { " (partition \($0))" } ?? "")
                + ": \(witness.count) of \(part.count) operations suffice"
        ]
        for op in witness {
            let end = op.isPending ? "pending" : "\(op.response)"
            let mark = op.response == cut ? "  * " : "    "
            lines.append(mark + "[\(op.call), \(end)] client \(op.client): " + Model.describe(op.input, op.output))
        }
        lines.append("  (* responses that no linearization of the operations above can explain)")
        return LinearizabilityViolation(
            partition: key,
            operations: witness,
            culprits: culprits,
            partitionSize: part.count,
            description: lines.joined(separator: "\n")
        )
    }
}

/// A key-value store of registers: `put(key, value)` and `get(key) -> value?`, partitioned by key.
public enum KVModel: LinearizabilityModel {
    public enum Input: Sendable, Hashable, CustomStringConvertible {
        case put(key: String, value: String)
        case get(key: String)

        public var key: String {
            switch self {
            case .put(let key, _), .get(let key): return key
            }
        }

        public var description: String {
            switch self {
            case .put(let key, let value): return "put(\(key), \(value))"
            case .get(let key): return "get(\(key))"
            }
        }
    }

    /// The value a `get` observed (nil: the key was absent); ignored for a `put`.
    public typealias Output = String?

    /// The values of the keys written so far (one key per partition).
    public typealias State = [String: String]

    public static var initial: State { [:] }

    public static func step(_ state: State, _ input: Input, _ output: Output) -> (ok: Bool, next: State) {
        switch input {
        case .put(let key, let value):
            var next = state
            next[key] = value
            return (true, next)
        case .get(let key):
            return (state[key] == output, state)
        }
    }

    public static func partitionKey(of input: Input) -> String? { input.key }

    public static func describe(_ input: Input, _ output: Output) -> String {
        switch input {
        case .put: return input.description
        case .get: return "\(input) -> " + (output.map { "\"\($0)\"" } ?? "nil")
        }
    }

    public static func isReadOnly(_ input: Input) -> Bool {
        if case .get = input { return true }
        return false
    }
}

extension LinearizabilityChecker where Model == KVModel {
    /// A completed `put`.
    public static func put(client: Int, _ key: String, _ value: String, call: UInt64, response: UInt64) -> Operation {
        Operation(client: client, input: .put(key: key, value: value), output: nil, call: call, response: response)
    }

    /// A completed `get` that observed `value`.
    public static func get(client: Int, _ key: String, _ value: String?, call: UInt64, response: UInt64) -> Operation {
        Operation(client: client, input: .get(key: key), output: value, call: call, response: response)
    }
}
