/// Pending ReadIndex requests on the leader, confirmed by heartbeat acknowledgements (§6.4 of the
/// Raft thesis).
struct ReadOnly {
    struct Status {
        var request: Message
        var index: UInt64
        var acks: Set<NodeID>
    }

    let option: ReadOnlyOption
    private(set) var pending: [[UInt8]: Status] = [:]
    private(set) var queue: [[UInt8]] = []

    init(option: ReadOnlyOption) {
        self.option = option
    }

    mutating func addRequest(index: UInt64, _ request: Message) {
        let context = request.context
        if pending[context] != nil { return }
        pending[context] = Status(request: request, index: index, acks: [])
        queue.append(context)
    }

    /// Records that `id` acknowledged the heartbeat carrying `context`; returns the acknowledgers.
    mutating func receiveAck(from id: NodeID, context: [UInt8]) -> [NodeID: Bool]? {
        guard pending[context] != nil else { return nil }
        pending[context]!.acks.insert(id)
        var votes: [NodeID: Bool] = [:]
        for ack in pending[context]!.acks { votes[ack] = true }
        return votes
    }

    /// Removes and returns every request up to and including the one with `context`: a quorum that
    /// confirmed a later request confirmed the earlier ones too.
    mutating func advance(context: [UInt8]) -> [Status] {
        guard let position = queue.firstIndex(of: context) else { return [] }
        var released: [Status] = []
        for ctx in queue[...position] {
            if let status = pending.removeValue(forKey: ctx) { released.append(status) }
        }
        queue.removeFirst(position + 1)
        return released
    }

    var lastPendingContext: [UInt8]? { queue.last }
}
