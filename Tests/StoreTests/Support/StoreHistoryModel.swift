import Raft
import Synchronization

/// The sequential specification of the store's single-key operations the fault tests issue, for
/// ``LinearizabilityChecker``. Every operation touches one key, so histories are checked per key.
///
/// Each key is a register with etcd's per-key version (1 after a create, +1 per put, reset by a
/// delete). Values written are unique, so a read pins down which write it saw.
enum StoreKVModel: LinearizabilityModel {
    enum Input: Sendable, Hashable, CustomStringConvertible {
        /// `put` with prevKV.
        case put(key: String, value: String)
        /// A linearizable `range` of one key.
        case get(key: String)
        /// `deleteRange` of one key, with prevKV.
        case delete(key: String)
        /// `txn` comparing the key's value with `expected`; then put `value`, else range the key.
        case cas(key: String, expected: String, value: String)

        var key: String {
            switch self {
            case .put(let key, _), .get(let key), .delete(let key), .cas(let key, _, _): return key
            }
        }

        var description: String {
            switch self {
            case .put(let key, let value): return "put(\(key), \(value))"
            case .get(let key): return "get(\(key))"
            case .delete(let key): return "delete(\(key))"
            case .cas(let key, let expected, let value): return "txn(\(key) == \(expected) ? put \(value) : get)"
            }
        }
    }

    /// A key's observed state: its value and version (nil: absent).
    struct Observed: Sendable, Hashable, CustomStringConvertible {
        var value: String
        var version: Int64
        var description: String { "\"\(value)\"@v\(version)" }
    }

    enum Output: Sendable, Hashable, CustomStringConvertible {
        /// A write whose outcome is unknown (pending): any result is acceptable if it took effect.
        case unknown
        /// A put's previous state.
        case put(previous: Observed?)
        case get(Observed?)
        /// A delete's previous state (nil: nothing was deleted).
        case delete(previous: Observed?)
        /// A txn: whether the compare held and, when it did not, what the range saw.
        case cas(succeeded: Bool, observed: Observed?)

        var description: String {
            func show(_ o: Observed?) -> String { o.map(\.description) ?? "nil" }
            switch self {
            case .unknown: return "?"
            case .put(let previous): return "prev \(show(previous))"
            case .get(let observed): return show(observed)
            case .delete(let previous): return "prev \(show(previous))"
            case .cas(let succeeded, let observed): return succeeded ? "succeeded" : "failed, saw \(show(observed))"
            }
        }
    }

    /// Every key's state (one key per partition).
    typealias State = [String: Observed]

    static var initial: State { [:] }

    static func step(_ state: State, _ input: Input, _ output: Output) -> (ok: Bool, next: State) {
        let current = state[input.key]
        var next = state
        let written = Observed(value: "", version: (current?.version ?? 0) + 1)
        switch input {
        case .put(let key, let value):
            next[key] = Observed(value: value, version: written.version)
            if case .put(let previous) = output { return (previous == current, next) }
            return (output == .unknown, next)
        case .get:
            if case .get(let observed) = output { return (observed == current, state) }
            return (false, state)
        case .delete(let key):
            next[key] = nil
            if case .delete(let previous) = output { return (previous == current, next) }
            return (output == .unknown, next)
        case .cas(let key, let expected, let value):
            let holds = current?.value == expected
            if holds { next[key] = Observed(value: value, version: written.version) }
            switch output {
            case .unknown: return (true, next)
            case .cas(let succeeded, let observed):
                if succeeded { return (holds, next) }
                return (!holds && observed == current, next)
            default: return (false, next)
            }
        }
    }

    static func partitionKey(of input: Input) -> String? { input.key }

    static func describe(_ input: Input, _ output: Output) -> String { "\(input) -> \(output)" }

    static func isReadOnly(_ input: Input) -> Bool {
        if case .get = input { return true }
        return false
    }
}

/// Records a concurrent history: call and response times come from one shared atomic counter, so
/// "responded before the other was called" is exact.
final class StoreHistoryRecorder: Sendable {
    typealias Operation = HistoryOperation<StoreKVModel.Input, StoreKVModel.Output>

    /// A write's acknowledged revision, for the revision cross-check.
    struct Acknowledged: Sendable, Hashable {
        var input: StoreKVModel.Input
        var revision: Int64
    }

    /// A completed read that saw a value, with the revision of the version it saw.
    struct Read: Sendable, Hashable {
        var key: String
        var value: String
        var modRevision: Int64
    }

    private let counter = Atomic<UInt64>(0)
    private let state = Mutex<(ops: [Operation], acknowledged: [Acknowledged], reads: [Read])>(([], [], []))

    /// The next instant.
    func now() -> UInt64 { counter.add(1, ordering: .sequentiallyConsistent).newValue }

    func record(client: Int, _ input: StoreKVModel.Input, _ output: StoreKVModel.Output, call: UInt64, response: UInt64) {
        let op = Operation(client: client, input: input, output: output, call: call, response: response)
        state.withLock { $0.ops.append(op) }
    }

    /// A write whose outcome is unknown: it may take effect at any time after `call`, or never.
    func recordPending(client: Int, _ input: StoreKVModel.Input, call: UInt64) {
        record(client: client, input, .unknown, call: call, response: HistoryOperation<StoreKVModel.Input, StoreKVModel.Output>.pending)
    }

    func acknowledge(_ input: StoreKVModel.Input, revision: Int64) {
        state.withLock { $0.acknowledged.append(Acknowledged(input: input, revision: revision)) }
    }

    func read(key: String, value: String, modRevision: Int64) {
        state.withLock { $0.reads.append(Read(key: key, value: value, modRevision: modRevision)) }
    }

    var history: [Operation] { state.withLock { $0.ops } }
    var acknowledged: [Acknowledged] { state.withLock { $0.acknowledged } }
    var reads: [Read] { state.withLock { $0.reads } }

    /// Checks revisions against the acknowledgements, beyond what the register model sees:
    /// acknowledged writes that changed something have distinct revisions, and a read that saw a
    /// value an acknowledged write put reports the revision that write was acknowledged with.
    /// Returns the problems found.
    func revisionProblems() -> [String] {
        var problems: [String] = []
        var byRevision: [Int64: StoreKVModel.Input] = [:]
        var putRevision: [String: Int64] = [:]
        for ack in acknowledged {
            if let other = byRevision[ack.revision] {
                problems.append("revision \(ack.revision) acknowledged for both \(other) and \(ack.input)")
            }
            byRevision[ack.revision] = ack.input
            switch ack.input {
            case .put(_, let value), .cas(_, _, let value): putRevision[value] = ack.revision
            default: break
            }
        }
        for read in reads {
            if let revision = putRevision[read.value], revision != read.modRevision {
                problems.append("get(\(read.key)) saw \"\(read.value)\" at mod revision \(read.modRevision), but its write was acknowledged at \(revision)")
            }
        }
        return problems
    }
}
