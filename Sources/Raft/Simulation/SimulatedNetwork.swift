/// Fault settings of a ``SimulatedNetwork``. Rates are probabilities per message.
public struct NetworkFaults: Sendable, Hashable {
    public var dropRate: Double
    public var duplicateRate: Double
    /// Delivery delay in simulation steps, drawn uniformly; a spread reorders messages.
    public var minDelay: Int
    public var maxDelay: Int

    public init(dropRate: Double = 0, duplicateRate: Double = 0, minDelay: Int = 1, maxDelay: Int = 1) {
        self.dropRate = dropRate
        self.duplicateRate = duplicateRate
        self.minDelay = max(0, minDelay)
        self.maxDelay = max(self.minDelay, maxDelay)
    }

    /// Reliable, in-order delivery after one step.
    public static let none = NetworkFaults()
}

/// A deterministic network between simulated members: drops, duplicates, delays (and so reorders)
/// and partitions messages, every decision drawn from a seeded generator.
public struct SimulatedNetwork: Sendable {
    struct Pending: Sendable {
        var deliverAt: UInt64
        var sequence: UInt64
        var message: Message
    }

    public var faults: NetworkFaults
    private var rng: SplitMix64
    private var queue: [Pending] = []
    private var sequence: UInt64 = 0
    /// Directed links that are cut.
    private var cutLinks: Set<Link> = []
    public private(set) var now: UInt64 = 0
    public private(set) var sent = 0
    public private(set) var dropped = 0

    struct Link: Hashable, Sendable {
        var from: NodeID
        var to: NodeID
    }

    public init(seed: UInt64, faults: NetworkFaults = .none) {
        rng = SplitMix64(seed: seed)
        self.faults = faults
    }

    /// Messages waiting for delivery.
    public var inFlight: Int { queue.count }

    public func isCut(from: NodeID, to: NodeID) -> Bool {
        cutLinks.contains(Link(from: from, to: to))
    }

    /// Cuts both directions between `a` and `b`.
    public mutating func cut(_ a: NodeID, _ b: NodeID) {
        cutLinks.insert(Link(from: a, to: b))
        cutLinks.insert(Link(from: b, to: a))
    }

    /// Cuts every link between nodes of different groups.
    public mutating func partition(_ groups: [[NodeID]]) {
        for (i, left) in groups.enumerated() {
            for right in groups[(i + 1)...] {
                for a in left { for b in right { cut(a, b) } }
            }
        }
    }

    /// Cuts `node` off from every node in `others`.
    public mutating func isolate(_ node: NodeID, from others: [NodeID]) {
        for other in others where other != node { cut(node, other) }
    }

    /// Restores every link.
    public mutating func heal() {
        cutLinks.removeAll()
    }

    /// Accepts a message for delivery, applying the fault settings; false if it was dropped at once.
    @discardableResult
    public mutating func send(_ message: Message) -> Bool {
        sent += 1
        if isCut(from: message.from, to: message.to) || rng.chance(faults.dropRate) {
            dropped += 1
            return false
        }
        enqueue(message)
        if rng.chance(faults.duplicateRate) { enqueue(message) }
        return true
    }

    /// Removes and returns the messages due at the current step, in delivery order.
    public mutating func takeDue() -> [Message] {
        guard queue.contains(where: { $0.deliverAt <= now }) else { return [] }
        var due: [Pending] = []
        var rest: [Pending] = []
        rest.reserveCapacity(queue.count)
        for pending in queue {
            if pending.deliverAt <= now { due.append(pending) } else { rest.append(pending) }
        }
        queue = rest
        due.sort { ($0.deliverAt, $0.sequence) < ($1.deliverAt, $1.sequence) }
        // A link cut after sending loses what was in flight on it.
        return due.compactMap { isCut(from: $0.message.from, to: $0.message.to) ? nil : $0.message }
    }

    /// Moves time forward by one step.
    public mutating func advance() {
        now += 1
    }

    /// Drops everything in flight to or from `node` (its connections reset when it crashed).
    public mutating func dropAll(involving node: NodeID) {
        queue.removeAll { $0.message.to == node || $0.message.from == node }
    }

    /// A random draw from the network's generator, for fault schedules that must replay from the seed.
    public mutating func random(below bound: UInt64) -> UInt64 {
        bound == 0 ? 0 : rng.next() % bound
    }

    private mutating func enqueue(_ message: Message) {
        let spread = UInt64(faults.maxDelay - faults.minDelay)
        let delay = UInt64(faults.minDelay) + (spread == 0 ? 0 : rng.next() % (spread + 1))
        sequence += 1
        queue.append(Pending(deliverAt: now + delay, sequence: sequence, message: message))
    }

}
