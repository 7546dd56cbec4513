extension RaftNode {
    /// A continuation to resume once the lock is released.
    struct Resumption {
        let resume: () -> Void
        func callAsFunction() { resume() }
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

        /// Fails every waiter (on shutdown).
        mutating func failAll(_ error: RaftError) -> [Resumption] {
            var out: [Resumption] = []
            for waiter in proposals.values {
                out.append(Resumption { waiter.continuation.resume(returning: .failure(error)) })
            }
            for waiter in reads.values {
                out.append(Resumption { waiter.continuation.resume(returning: .failure(error)) })
            }
            for read in confirmedReads {
                out.append(Resumption { read.waiter.continuation.resume(returning: .failure(error)) })
            }
            for waiter in transfers {
                out.append(Resumption { waiter.continuation.resume(returning: .failure(error)) })
            }
            proposals = [:]
            reads = [:]
            confirmedReads = []
            transfers = []
            return out
        }

        /// Fails requests whose deadline passed; their outcome is unknown.
        mutating func expire() -> [Resumption] {
            var out: [Resumption] = []
            let now = ticks
            if proposals.values.contains(where: { $0.deadline <= now }) {
                for (index, waiter) in proposals where waiter.deadline <= now {
                    proposals[index] = nil
                    out.append(
                        Resumption {
                            waiter.continuation.resume(
                                returning: .failure(RaftError(.timeout, "proposal at index \(index) not applied in time"))
                            )
                        }
                    )
                }
            }
            for (context, waiter) in reads where waiter.deadline <= now {
                reads[context] = nil
                out.append(
                    Resumption { waiter.continuation.resume(returning: .failure(RaftError(.timeout, "read not confirmed in time"))) }
                )
            }
            confirmedReads.removeAll { read in
                guard read.waiter.deadline <= now else { return false }
                out.append(
                    Resumption {
                        read.waiter.continuation.resume(returning: .failure(RaftError(.timeout, "state machine did not catch up in time")))
                    }
                )
                return true
            }
            transfers.removeAll { waiter in
                if core.leader == waiter.target && core.leader != .none {
                    out.append(Resumption { waiter.continuation.resume(returning: .success([])) })
                    return true
                }
                guard waiter.deadline <= now else { return false }
                out.append(
                    Resumption {
                        waiter.continuation.resume(
                            returning: .failure(RaftError(.timeout, "leadership did not move to \(waiter.target) in time"))
                        )
                    }
                )
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
                out.append(Resumption { read.waiter.continuation.resume(returning: .success(read.index)) })
                return true
            }
            return out
        }
    }
}
