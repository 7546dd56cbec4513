import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Raft messages over TCP between members, on POSIX sockets and the transport's own threads.
///
/// - Frames are versioned and CRC-32C-checked (see `TCPFrame`). A malformed, corrupt or oversized
///   frame closes that connection with a logged reason; the node itself is never affected.
/// - Each peer has a bounded send queue (count and bytes): a slow or dead peer cannot exhaust memory.
///   When full, new messages to that peer are dropped (Raft retransmits what matters).
/// - Connections are made lazily and remade with exponential backoff (50 ms → 2 s).
///
/// Create it (it binds its listening socket at once, so peers can learn the port), connect a
/// receiver, then call ``run()``; cancelling that task closes every socket.
public final class TCPTransport: RaftTransport, Sendable {
    public struct Options: Sendable {
        /// Messages queued per peer before new ones are dropped.
        public var maxQueuedMessages = 4_096
        /// Bytes queued per peer before new messages are dropped.
        public var maxQueuedBytes = 64 << 20
        /// The largest frame accepted (a snapshot travels as one frame until chunking lands).
        public var maxFrameBytes = 256 << 20

        public init() {}
    }

    final class Peer: Sendable {
        struct Queue {
            var messages: [Message] = []
            var bytes = 0
            var dropped = 0
        }

        let id: NodeID
        let address: Mutex<TCPAddress>
        let queue = Mutex(Queue())
        let wakeup = DispatchSemaphore(value: 0)

        init(id: NodeID, address: TCPAddress) {
            self.id = id
            self.address = Mutex(address)
        }
    }

    struct State {
        var receiver: (any RaftMessageReceiver)?
        var stopped = false
        var connections: Set<Int32> = []
    }

    public let id: NodeID
    /// The address this member listens on (with the actual port when 0 was asked for).
    public let listenAddress: TCPAddress
    let listenFD: Int32
    let options: Options
    let peers: Mutex<[NodeID: Peer]>
    let state = Mutex(State())
    let log: @Sendable (String) -> Void

    /// Binds `address` (port 0 picks a free port; see ``listenAddress``).
    public init(
        id: NodeID,
        listenOn address: TCPAddress,
        options: Options = Options(),
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) throws(RaftError) {
        let (fd, port) = try Sockets.listenSocket(on: address)
        self.id = id
        self.listenFD = fd
        self.listenAddress = TCPAddress(host: address.host, port: port)
        self.options = options
        self.peers = Mutex([:])
        self.log = log
    }

    /// Sets (or changes) where `peer` listens.
    public func setPeer(_ peer: NodeID, address: TCPAddress) {
        let existing = peers.withLock { peers -> Peer? in
            if let existing = peers[peer] { return existing }
            peers[peer] = Peer(id: peer, address: address)
            return nil
        }
        existing?.address.withLock { $0 = address }
        if existing == nil, state.withLock({ $0.receiver != nil && !$0.stopped }) { startSender(for: peer) }
    }

    /// Where incoming messages go.
    public func connect(_ receiver: any RaftMessageReceiver) {
        state.withLock { $0.receiver = receiver }
    }

    /// Messages dropped because a peer's queue was full, per peer.
    public var droppedMessages: [NodeID: Int] {
        peers.withLock { $0.mapValues { peer in peer.queue.withLock { $0.dropped } } }
    }

    public func send(_ messages: [Message]) {
        var woken: [Peer] = []
        let peers = peers.withLock { $0 }
        for message in messages {
            guard let peer = peers[message.to] else { continue }
            let size = message.sizeEstimate
            let accepted = peer.queue.withLock { q -> Bool in
                if q.messages.count >= options.maxQueuedMessages || q.bytes + size > options.maxQueuedBytes {
                    q.dropped += 1
                    return false
                }
                q.messages.append(message)
                q.bytes += size
                return q.messages.count == 1
            }
            if accepted && !woken.contains(where: { $0 === peer }) { woken.append(peer) }
        }
        for peer in woken { peer.wakeup.signal() }
    }

    /// Accepts connections and sends until cancelled; then closes every socket.
    public func run() async throws {
        spawnThread { [self] in acceptLoop() }
        for peer in peers.withLock({ Array($0.keys) }) { startSender(for: peer) }
        // Wait for cancellation without holding a thread (the doorbell rings on cancellation).
        let cancelled = Doorbell()
        while !Task.isCancelled { await cancelled.wait() }
        stop()
    }

    func stop() {
        let connections = state.withLock { s -> Set<Int32> in
            s.stopped = true
            return s.connections
        }
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
        for peer in peers.withLock({ Array($0.values) }) { peer.wakeup.signal() }
    }

    var isStopped: Bool { state.withLock { $0.stopped } }

    // MARK: Receiving

    func acceptLoop() {
        while !isStopped {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                if isStopped { return }
                usleep(10_000)
                continue
            }
            _ = state.withLock { $0.connections.insert(fd) }
            spawnThread { [self] in readLoop(fd) }
        }
    }

    func readLoop(_ fd: Int32) {
        defer {
            state.withLock { _ = $0.connections.remove(fd) }
            close(fd)
        }
        while !isStopped {
            guard let header = Sockets.readExactly(fd, TCPFrame.headerSize) else { return }
            let parsed: (length: Int, checksum: UInt32)
            switch TCPFrame.parseHeader(header, maxPayload: options.maxFrameBytes) {
            case .success(let value): parsed = value
            case .failure(let error):
                log("node \(id): closing connection: \(error.message)")
                return
            }
            guard let payload = Sockets.readExactly(fd, parsed.length) else { return }
            guard CRC32C.checksum(payload) == parsed.checksum else {
                log("node \(id): closing connection: frame checksum mismatch")
                return
            }
            let message: Message
            do {
                message = try Message(decoding: payload)
            } catch {
                log("node \(id): closing connection: undecodable message: \(error)")
                return
            }
            guard message.to == id else {
                log("node \(id): closing connection: message for node \(message.to)")
                return
            }
            state.withLock { $0.receiver }?.receive([message])
        }
    }

    // MARK: Sending

    func startSender(for peerID: NodeID) {
        guard let peer = peers.withLock({ $0[peerID] }) else { return }
        spawnThread { [self] in sendLoop(peer) }
    }

    func sendLoop(_ peer: Peer) {
        var fd: Int32 = -1
        var backoffMicros: UInt32 = 50_000
        defer { if fd >= 0 { close(fd) } }
        while !isStopped {
            let batch = peer.queue.withLock { q -> [Message] in
                defer {
                    q.messages = []
                    q.bytes = 0
                }
                return q.messages
            }
            if batch.isEmpty {
                _ = peer.wakeup.wait(timeout: .now() + .milliseconds(200))
                continue
            }
            if fd < 0 {
                do {
                    fd = try Sockets.connectSocket(to: peer.address.withLock { $0 })
                    backoffMicros = 50_000
                } catch {
                    // Unreachable: what was queued is dropped (Raft retransmits); back off before retrying.
                    usleep(backoffMicros)
                    backoffMicros = min(backoffMicros * 2, 2_000_000)
                    continue
                }
            }
            var frames = BinaryWriter(capacity: batch.reduce(0) { $0 + $1.sizeEstimate + TCPFrame.headerSize })
            for message in batch { TCPFrame.encode(message, into: &frames) }
            if !Sockets.writeAll(fd, frames.bytes) {
                close(fd)
                fd = -1
            }
        }
    }
}
