extension RaftNode {
    /// A continuation to resume, with its result, once the lock is released.
    enum Resumption {
        case proposal(CheckedContinuation<Result<[UInt8], RaftError>, Never>, Result<[UInt8], RaftError>)
        case read(CheckedContinuation<Result<UInt64, RaftError>, Never>, Result<UInt64, RaftError>)

        func callAsFunction() {
            switch self {
            case .proposal(let continuation, let result): continuation.resume(returning: result)
            case .read(let continuation, let result): continuation.resume(returning: result)
            }
        }
    }

    /// Everything the node's lock protects.
    struct State {
        enum Lifecycle {
            case idle
            case running
            case stopped
        }

        struct Waiter {
            var term: UInt64
            var deadline: UInt64
            var continuation: CheckedContinuation<Result<[UInt8], RaftError>, Never>
        }

        struct ReadWaiter {
            var deadline: UInt64
            var continuation: CheckedContinuation<Result<UInt64, RaftError>, Never>
        }

        struct ConfirmedRead {
            var index: UInt64
            var waiter: ReadWaiter
        }

        struct TransferWaiter {
            var target: NodeID
            var deadline: UInt64
            var continuation: CheckedContinuation<Result<[UInt8], RaftError>, Never>
        }

        var core: RaftCore
        var lifecycle = Lifecycle.idle
        var inbox: [Message] = []
        var pendingTicks = 0
        /// Ticks since start: request deadlines are measured in them.
        var ticks: UInt64 = 0
        /// Proposals by log index.
        var proposals: [UInt64: Waiter] = [:]
        /// Reads waiting for their ReadIndex, by context.
        var reads: [[UInt8]: ReadWaiter] = [:]
        /// Reads whose index is known, waiting for the state machine to catch up.
        var confirmedReads: [ConfirmedRead] = []
        var readSequence: UInt64 = 0
        var transfers: [TransferWaiter] = []
        var lastSnapshotIndex: UInt64

        init(core: RaftCore, lastSnapshotIndex: UInt64) {
            self.core = core
            self.lastSnapshotIndex = lastSnapshotIndex
        }

        /// Proposals waiting for an index whose earlier waiter was superseded: resumed after the lock.
        var superseded: [Resumption] = []

        /// Registers a proposal waiting for `index`. A waiter already there belongs to an entry this
        /// node proposed in an earlier term and has since lost from its log: its fate is unknown.
        mutating func register(_ waiter: Waiter, at index: UInt64) {
            if let old = proposals.updateValue(waiter, forKey: index) {
                let error = RaftError(.outcomeUnknown, "entry \(index) of term \(old.term) was truncated by a later leader")
                superseded.append(.proposal(old.continuation, .failure(error)))
            }
        }

        mutating func takeSuperseded() -> [Resumption] {
            defer { superseded = [] }
            return superseded
        }

        /// Fails every waiter (on shutdown).
        mutating func failAll(_ error: RaftError) -> [Resumption] {
            var out: [Resumption] = superseded
            superseded = []
            for waiter in proposals.values { out.append(.proposal(waiter.continuation, .failure(error))) }
            for waiter in reads.values { out.append(.read(waiter.continuation, .failure(error))) }
            for read in confirmedReads { out.append(.read(read.waiter.continuation, .failure(error))) }
            for waiter in transfers { out.append(.proposal(waiter.continuation, .failure(error))) }
            proposals = [:]
            reads = [:]
            confirmedReads = []
            transfers = []
            return out
        }

        /// Fails requests whose deadline passed (their outcome is unknown) and completes transfers.
        mutating func expire() -> [Resumption] {
            var out: [Resumption] = superseded
            superseded = []
            let now = ticks
            if proposals.values.contains(where: { $0.deadline <= now }) {
                for (index, waiter) in proposals where waiter.deadline <= now {
                    proposals[index] = nil
                    let error = RaftError(.timeout, "proposal at index \(index) not applied in time")
                    out.append(.proposal(waiter.continuation, .failure(error)))
                }
            }
            for (context, waiter) in reads where waiter.deadline <= now {
                reads[context] = nil
                out.append(.read(waiter.continuation, .failure(RaftError(.timeout, "read not confirmed in time"))))
            }
            confirmedReads.removeAll { read in
                guard read.waiter.deadline <= now else { return false }
                let error = RaftError(.timeout, "state machine did not catch up in time")
                out.append(.read(read.waiter.continuation, .failure(error)))
                return true
            }
            transfers.removeAll { waiter in
                if core.leader == waiter.target && core.leader != .none {
                    out.append(.proposal(waiter.continuation, .success([])))
                    return true
                }
                guard waiter.deadline <= now else { return false }
                let error = RaftError(.timeout, "leadership did not move to \(waiter.target) in time")
                out.append(.proposal(waiter.continuation, .failure(error)))
                return true
            }
            return out
        }

        /// Completes reads whose index the state machine has reached.
        mutating func releaseReads(applied: UInt64) -> [Resumption] {
            guard !confirmedReads.isEmpty else { return [] }
            var out: [Resumption] = []
            confirmedReads.removeAll { read in
                guard read.index <= applied else { return false }
                out.append(.read(read.waiter.continuation, .success(read.index)))
                return true
            }
            return out
        }
    }
}
