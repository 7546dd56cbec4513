extension RaftNode {
    typealias ProposalContinuation = CheckedContinuation<Result<[UInt8], RaftError>, Never>
    typealias ReadContinuation = CheckedContinuation<Result<UInt64, RaftError>, Never>

    /// A continuation to resume, with its result, once every lock is released.
    enum Resumption {
        case proposal(ProposalContinuation, Result<[UInt8], RaftError>)
        case read(ReadContinuation, Result<UInt64, RaftError>)

        func callAsFunction() {
            switch self {
            case .proposal(let continuation, let result): continuation.resume(returning: result)
            case .read(let continuation, let result): continuation.resume(returning: result)
            }
        }
    }

    /// What producers hand the driver: kept apart from the core's lock so that hundreds of proposers
    /// and the transport only ever hold a lock for an append.
    struct Intake {
        struct Proposal {
            var data: [UInt8]
            var continuation: ProposalContinuation
        }

        enum Report {
            case snapshot(NodeID, succeeded: Bool)
            case unreachable(NodeID)
        }

        var messages: [Message] = []
        var proposals: [Proposal] = []
        /// What the transport reported about deliveries.
        var reports: [Report] = []
        var ticks = 0
        var stopped = false
    }

    /// Everything the core's lock protects.
    struct State {
        enum Lifecycle {
            case idle
            case running
            case stopped
        }

        struct Waiter {
            var term: UInt64
            var deadline: UInt64
            var continuation: ProposalContinuation
        }

        struct ReadWaiter {
            var deadline: UInt64
            var continuation: ReadContinuation
        }

        struct ConfirmedRead {
            var index: UInt64
            var waiter: ReadWaiter
        }

        struct TransferWaiter {
            var target: NodeID
            var deadline: UInt64
            var continuation: ProposalContinuation
        }

        var core: RaftCore
        var lifecycle = Lifecycle.idle
        /// Ticks since start: request deadlines are measured in them.
        var ticks: UInt64 = 0
        /// Proposals and membership changes by log index.
        var proposals = ProposalWaiters()
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

        /// Registers a request waiting for the entry at `index`. A waiter already there belongs to an
        /// entry this node proposed in an earlier term and has since lost from its log: its fate is
        /// unknown, and it is failed so.
        mutating func register(_ waiter: Waiter, at index: UInt64, into out: inout [Resumption]) {
            if let old = proposals.insert(waiter, at: index) {
                let error = RaftError(.outcomeUnknown, "entry \(index) of term \(old.term) was truncated by a later leader")
                out.append(.proposal(old.continuation, .failure(error)))
            }
        }

        /// Fails every waiter (on shutdown).
        mutating func failAll(_ error: RaftError) -> [Resumption] {
            var out: [Resumption] = []
            for (_, waiter) in proposals.removeAll(where: { _ in true }) {
                out.append(.proposal(waiter.continuation, .failure(error)))
            }
            for waiter in reads.values { out.append(.read(waiter.continuation, .failure(error))) }
            for read in confirmedReads { out.append(.read(read.waiter.continuation, .failure(error))) }
            for waiter in transfers { out.append(.proposal(waiter.continuation, .failure(error))) }
            reads = [:]
            confirmedReads = []
            transfers = []
            return out
        }

        /// Fails requests whose deadline passed (their outcome is unknown) and completes transfers.
        mutating func expire(into out: inout [Resumption]) {
            let now = ticks
            for (index, waiter) in proposals.removeAll(where: { $0.deadline <= now }) {
                let error = RaftError(.timeout, "proposal at index \(index) not applied in time")
                out.append(.proposal(waiter.continuation, .failure(error)))
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
            completeTransfers(into: &out)
        }

        mutating func completeTransfers(into out: inout [Resumption]) {
            guard !transfers.isEmpty else { return }
            let now = ticks
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
        }

        /// Completes reads whose index the state machine has reached.
        mutating func releaseReads(applied: UInt64, into out: inout [Resumption]) {
            guard !confirmedReads.isEmpty else { return }
            confirmedReads.removeAll { read in
                guard read.index <= applied else { return false }
                out.append(.read(read.waiter.continuation, .success(read.index)))
                return true
            }
        }
    }
}
