import Synchronization

/// A network of members in one process: delivers messages by reference (no encoding), with seeded
/// fault injection (cut links, partitions, random loss). For tests and single-process clusters.
///
/// Receivers are held weakly, so members and the network can be released in any order.
public final class InMemoryNetwork: Sendable {
    final class WeakReceiver: Sendable {
        weak let receiver: (any RaftMessageReceiver)?
        init(_ receiver: any RaftMessageReceiver) { self.receiver = receiver }
    }

    struct Link: Hashable {
        var from: NodeID
        var to: NodeID
    }

    struct State {
        var receivers: [NodeID: WeakReceiver] = [:]
        var cut: Set<Link> = []
        var dropRate = 0.0
        var rng: SplitMix64
        var delivered = 0
        var dropped = 0
    }

    let state: Mutex<State>

    public init(seed: UInt64 = 0) {
        state = Mutex(State(rng: SplitMix64(seed: seed)))
    }

    /// Connects a member: messages addressed to `id` reach `receiver`.
    public func register(_ id: NodeID, _ receiver: any RaftMessageReceiver) {
        state.withLock { $0.receivers[id] = WeakReceiver(receiver) }
    }

    public func unregister(_ id: NodeID) {
        state.withLock { $0.receivers[id] = nil }
    }

    /// The transport a member uses to send.
    public func transport(for id: NodeID) -> Transport {
        Transport(network: self, from: id)
    }

    /// Cuts both directions between `a` and `b`.
    public func cut(_ a: NodeID, _ b: NodeID) {
        state.withLock {
            $0.cut.insert(Link(from: a, to: b))
            $0.cut.insert(Link(from: b, to: a))
        }
    }

    /// Cuts every link between nodes of different groups.
    public func partition(_ groups: [[NodeID]]) {
        for (i, left) in groups.enumerated() {
            for right in groups[(i + 1)...] {
                for a in left { for b in right { cut(a, b) } }
            }
        }
    }

    /// Restores every link and stops random loss.
    public func heal() {
        state.withLock {
            $0.cut = []
            $0.dropRate = 0
        }
    }

    /// Drops each message with probability `rate`.
    public func setDropRate(_ rate: Double) {
        state.withLock { $0.dropRate = rate }
    }

    /// Messages delivered and dropped so far.
    public var counters: (delivered: Int, dropped: Int) {
        state.withLock { ($0.delivered, $0.dropped) }
    }

    func deliver(_ messages: [Message], from: NodeID) {
        var batches: [(any RaftMessageReceiver, [Message])] = []
        state.withLock { s in
            var byTarget: [NodeID: [Message]] = [:]
            for message in messages {
                if s.cut.contains(Link(from: from, to: message.to)) {
                    s.dropped += 1
                    continue
                }
                if s.rng.chance(s.dropRate) {
                    s.dropped += 1
                    continue
                }
                byTarget[message.to, default: []].append(message)
            }
            for (target, batch) in byTarget {
                guard let receiver = s.receivers[target]?.receiver else {
                    s.dropped += batch.count
                    continue
                }
                s.delivered += batch.count
                batches.append((receiver, batch))
            }
        }
        // Deliver outside the lock: receivers take their own locks.
        for (receiver, batch) in batches { receiver.receive(batch) }
    }

    /// A member's sending side of the network.
    public struct Transport: RaftTransport {
        let network: InMemoryNetwork
        let from: NodeID

        public func send(_ messages: [Message]) {
            network.deliver(messages, from: from)
        }
    }
}
