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
/// - Snapshots are streamed in chunks (``Options/snapshotChunkBytes``) with a window of
///   unacknowledged chunks; the receiver writes them to a temporary file and acknowledges what it
///   holds, so a broken connection resumes at the last acknowledged byte instead of starting over.
///   The node hears how each stream ended (``RaftMessageReceiver/reportSnapshot(to:succeeded:)``).
///
/// Create it (it binds its listening socket at once, so peers can learn the port), connect a
/// receiver, then call ``run()``; cancelling that task closes every socket.
public final class TCPTransport: RaftTransport, Sendable {
    public struct Options: Sendable {
        /// Messages queued per peer before new ones are dropped.
        public var maxQueuedMessages = 4_096
        /// Bytes queued per peer before new messages are dropped.
        public var maxQueuedBytes = 64 << 20
        /// The largest frame accepted. Snapshots travel in chunks, so this bounds appends and chunks.
        public var maxFrameBytes = 64 << 20
        /// Bytes of snapshot data per chunk.
        public var snapshotChunkBytes = 1 << 20
        /// Chunks a snapshot stream may have unacknowledged.
        public var snapshotWindowChunks = 4
        /// A stream with no acknowledged progress for this long is abandoned and reported failed.
        public var snapshotStallTimeout: Duration = .seconds(30)
        /// Where incoming snapshots are assembled (default: `$TMPDIR` or `/tmp`).
        public var snapshotDirectory: String?

        public init() {}
    }

    /// Snapshot streaming counters, for monitoring and tests.
    public struct SnapshotStatistics: Sendable, Equatable {
        /// Streams this member finished sending (the receiver confirmed the image).
        public var sent = 0
        /// Streams abandoned: the receiver reported a bad image, or no progress within the stall timeout.
        public var failed = 0
        /// Snapshots received whole and delivered to the node.
        public var received = 0
        /// Snapshot bytes put on the wire, resends included.
        public var bytesSent: UInt64 = 0
        /// Times a stream went back to the last acknowledged byte (broken connection, resend request).
        public var resumptions = 0
    }

    enum Outgoing {
        case message(Message)
        case ack(SnapshotAck)
    }

    final class Peer: Sendable {
        struct Queue {
            var items: [Outgoing] = []
            var bytes = 0
            var dropped = 0
        }

        let id: NodeID
        let address: Mutex<TCPAddress>
        let queue = Mutex(Queue())
        let snapshot = Mutex<OutgoingSnapshot?>(nil)
        /// Set to make the sender drop its connection (fault injection in tests).
        let dropConnection = Atomic(false)
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
        var blocked: Set<NodeID> = []
        var snapshots = SnapshotStatistics()
    }

    public let id: NodeID
    /// The address this member listens on (with the actual port when 0 was asked for).
    public let listenAddress: TCPAddress
    let listenFD: Int32
    let options: Options
    let peers: Mutex<[NodeID: Peer]>
    let state = Mutex(State())
    let log: @Sendable (String) -> Void
    let snapshotReceiver: SnapshotReceiver

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
        let directory = options.snapshotDirectory ?? (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp")
        self.snapshotReceiver = SnapshotReceiver(directory: directory, prefix: "raft-snapshot-\(id)-\(port)-")
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

    /// Snapshot streaming counters.
    public var snapshotStatistics: SnapshotStatistics { state.withLock { $0.snapshots } }

    /// Fault injection: drops every message to and from `peers` (an empty set heals). Connections
    /// stay up, as with a firewall that discards packets.
    public func block(_ peers: Set<NodeID>) {
        state.withLock { $0.blocked = peers }
    }

    public func send(_ messages: [Message]) {
        var woken: [Peer] = []
        let peers = peers.withLock { $0 }
        let blocked = state.withLock { $0.blocked }
        for message in messages {
            guard let peer = peers[message.to], !blocked.contains(message.to) else { continue }
            let accepted: Bool
            if message.kind == .snapshot {
                accepted = startSnapshot(message, to: peer)
            } else {
                accepted = enqueue(.message(message), size: message.sizeEstimate, to: peer)
            }
            if accepted && !woken.contains(where: { $0 === peer }) { woken.append(peer) }
        }
        for peer in woken { peer.wakeup.signal() }
    }

    /// Queues `item` unless the peer's queue is full; true if the sender should be woken.
    func enqueue(_ item: Outgoing, size: Int, to peer: Peer) -> Bool {
        peer.queue.withLock { q -> Bool in
            if q.items.count >= options.maxQueuedMessages || q.bytes + size > options.maxQueuedBytes {
                q.dropped += 1
                return false
            }
            q.items.append(item)
            q.bytes += size
            return q.items.count == 1
        }
    }

    /// Starts streaming a snapshot, unless the same one is already on its way (the leader asks again
    /// when a stream outlasts its snapshot timeout): a newer snapshot replaces an older stream.
    func startSnapshot(_ message: Message, to peer: Peer) -> Bool {
        guard message.snapshot != nil else { return false }
        return peer.snapshot.withLock { stream in
            if let stream, stream.isSame(as: message) { return false }
            stream = OutgoingSnapshot(message, now: DispatchTime.now().uptimeNanoseconds)
            return true
        }
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
        snapshotReceiver.removeAll()
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
            let parsed: TCPFrame.Header
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
            do {
                switch parsed.kind {
                case .message: try handleMessage(payload)
                case .snapshotChunk: try handleChunk(payload)
                case .snapshotAck: try handleAck(payload)
                }
            } catch {
                log("node \(id): closing connection: \(error.message)")
                return
            }
        }
    }

    func handleMessage(_ payload: [UInt8]) throws(RaftError) {
        let message = try Message(decoding: payload)
        guard message.to == id else { throw RaftError(.corrupt, "message for node \(message.to)") }
        let receiver = state.withLock { $0.blocked.contains(message.from) ? nil : $0.receiver }
        receiver?.receive([message])
    }

    func handleChunk(_ payload: [UInt8]) throws(RaftError) {
        let chunk = try SnapshotChunk(decoding: payload)
        guard chunk.to == id else { throw RaftError(.corrupt, "snapshot chunk for node \(chunk.to)") }
        guard !state.withLock({ $0.blocked.contains(chunk.from) }) else { return }
        let (ack, message) = snapshotReceiver.receive(chunk)
        if let message {
            let receiver = state.withLock { s in
                s.snapshots.received += 1
                return s.receiver
            }
            receiver?.receive([message])
        } else if ack.status == .failed {
            log("node \(id): snapshot \(chunk.index)/\(chunk.term) from \(chunk.from) failed its checksum or could not be stored")
        }
        if let peer = peers.withLock({ $0[chunk.from] }), enqueue(.ack(ack), size: 48, to: peer) {
            peer.wakeup.signal()
        }
    }

    func handleAck(_ payload: [UInt8]) throws(RaftError) {
        let ack = try SnapshotAck(decoding: payload)
        guard ack.to == id else { throw RaftError(.corrupt, "snapshot ack for node \(ack.to)") }
        guard let peer = peers.withLock({ $0[ack.from] }) else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let (outcome, stream) = peer.snapshot.withLock { stream -> (OutgoingSnapshot.Outcome?, OutgoingSnapshot?) in
            guard var current = stream else { return (nil, nil) }
            let outcome = current.handle(ack, now: now)
            stream = outcome == .inProgress ? current : nil
            return (outcome, current)
        }
        switch outcome {
        case .completed: finishSnapshot(stream!, succeeded: true)
        case .failed: finishSnapshot(stream!, succeeded: false)
        case .inProgress: peer.wakeup.signal()
        case nil: break
        }
    }

    /// Counts a finished stream and tells the node (outside every lock).
    func finishSnapshot(_ stream: OutgoingSnapshot, succeeded: Bool) {
        let receiver = state.withLock { s in
            if succeeded { s.snapshots.sent += 1 } else { s.snapshots.failed += 1 }
            s.snapshots.bytesSent += stream.bytesSent
            s.snapshots.resumptions += stream.resumptions
            return s.receiver
        }
        receiver?.reportSnapshot(to: stream.to, succeeded: succeeded)
    }

    // MARK: Sending

    func startSender(for peerID: NodeID) {
        guard let peer = peers.withLock({ $0[peerID] }) else { return }
        spawnThread { [self] in sendLoop(peer) }
    }

    func sendLoop(_ peer: Peer) {
        var fd: Int32 = -1
        var backoffMicros: UInt32 = 50_000
        var lastWrite: UInt64 = 0
        let stallNanos = UInt64(options.snapshotStallTimeout / .nanoseconds(1))
        func disconnect() {
            if fd >= 0 { close(fd) }
            fd = -1
            peer.snapshot.withLock { $0?.connectionLost() }
        }
        defer { if fd >= 0 { close(fd) } }
        while !isStopped {
            if peer.dropConnection.exchange(false, ordering: .relaxed) { disconnect() }
            let items = peer.queue.withLock { q -> [Outgoing] in
                defer {
                    q.items = []
                    q.bytes = 0
                }
                return q.items
            }
            let now = DispatchTime.now().uptimeNanoseconds
            let (chunks, stalled) = peer.snapshot.withLock { stream -> ([SnapshotChunk], OutgoingSnapshot?) in
                guard var current = stream else { return ([], nil) }
                if now - current.lastProgress > stallNanos {
                    stream = nil
                    return ([], current)
                }
                let chunks = current.nextChunks(chunkSize: options.snapshotChunkBytes, window: options.snapshotWindowChunks)
                stream = current
                return (chunks, nil)
            }
            if let stalled {
                log("node \(id): snapshot stream to \(peer.id) made no progress; abandoned")
                finishSnapshot(stalled, succeeded: false)
            }
            if items.isEmpty && chunks.isEmpty {
                _ = peer.wakeup.wait(timeout: .now() + .milliseconds(200))
                continue
            }
            // A connection idle for a while may lead to a peer that restarted since: its first write
            // would vanish (a lost vote response costs a whole election timeout). Check first.
            if fd >= 0 && now - lastWrite > 20_000_000 && Sockets.isClosedByPeer(fd) { disconnect() }
            if fd < 0 {
                do {
                    fd = try Sockets.connectSocket(to: peer.address.withLock { $0 })
                    backoffMicros = 50_000
                } catch {
                    // Unreachable: what was queued is dropped (Raft retransmits); back off before retrying.
                    disconnect()
                    if items.contains(where: { if case .message = $0 { true } else { false } }) {
                        state.withLock { $0.receiver }?.reportUnreachable(peer.id)
                    }
                    usleep(backoffMicros)
                    backoffMicros = min(backoffMicros * 2, 2_000_000)
                    continue
                }
            }
            var capacity = chunks.reduce(0) { $0 + $1.data.count + $1.envelope.count + 64 }
            for item in items {
                if case .message(let message) = item { capacity += message.sizeEstimate }
                capacity += TCPFrame.headerSize + 48
            }
            var frames = BinaryWriter(capacity: capacity)
            for item in items {
                switch item {
                case .message(let message): TCPFrame.encode(message, into: &frames)
                case .ack(let ack): TCPFrame.encode(ack, into: &frames)
                }
            }
            for chunk in chunks { TCPFrame.encode(chunk, into: &frames) }
            if Sockets.writeAll(fd, frames.bytes) {
                lastWrite = now
            } else {
                disconnect()
            }
        }
    }
}
