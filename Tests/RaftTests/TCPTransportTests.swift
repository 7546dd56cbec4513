import Synchronization
import Testing
@testable import Raft

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Real sockets on 127.0.0.1, real time with short timeouts; every wait is bounded.
@Suite(.serialized) struct TCPTransportTests {
    final class Member: Sendable {
        let node: RaftNode
        let transport: TCPTransport
        let kv: TestKV
        let tasks = Mutex<[Task<Void, any Error>]>([])

        init(node: RaftNode, transport: TCPTransport, kv: TestKV) {
            self.node = node
            self.transport = transport
            self.kv = kv
        }

        func start() {
            let node = node
            let transport = transport
            tasks.withLock {
                $0 = [Task { try await transport.run() }, Task { try await node.run() }]
            }
        }

        func stop() async {
            for task in tasks.withLock({ $0 }) {
                task.cancel()
                _ = await task.result
            }
        }
    }

    static func cluster(
        _ ids: [NodeID],
        transportOptions: TCPTransport.Options = TCPTransport.Options(),
        nodeOptions: RaftNode.Options = RaftNode.Options()
    ) throws -> [NodeID: Member] {
        var transports: [NodeID: TCPTransport] = [:]
        for id in ids {
            transports[id] = try TCPTransport(
                id: id, listenOn: TCPAddress(host: "127.0.0.1", port: 0), options: transportOptions
            )
        }
        var members: [NodeID: Member] = [:]
        var options = nodeOptions
        options.heartbeatInterval = .milliseconds(20)
        options.electionTimeout = .milliseconds(200)
        options.requestTimeout = .seconds(2)
        for id in ids {
            let transport = transports[id]!
            for peer in ids where peer != id { transport.setPeer(peer, address: transports[peer]!.listenAddress) }
            var config = RaftConfig(id: id)
            config.randomSeed = id
            let kv = TestKV()
            let node = try RaftNode(
                config: config,
                storage: MemoryStorage(voters: ids),
                stateMachine: kv,
                transport: transport,
                clock: ContinuousClock(),
                options: options
            )
            transport.connect(node)
            members[id] = Member(node: node, transport: transport, kv: kv)
        }
        return members
    }

    static func waitForLeader(_ members: [NodeID: Member], excluding: NodeID? = nil) async throws -> NodeID {
        for _ in 0..<500 {
            for (id, member) in members where id != excluding && member.node.status().softState.role == .leader {
                return id
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw RaftError(.timeout, "no leader")
    }

    @Test func threeMembersElectCommitAndFailOver() async throws {
        let members = try Self.cluster([1, 2, 3])
        for member in members.values { member.start() }
        let first = try await Self.waitForLeader(members)
        _ = try await members[first]!.node.propose(Array("set k=1".utf8))
        await members[first]!.stop()
        var survivors = members
        survivors[first] = nil
        let second = try await Self.waitForLeader(survivors)
        #expect(second != first)
        let previous = try await members[second]!.node.propose(Array("set k=2".utf8))
        #expect(previous == Array("1".utf8))
        for _ in 0..<200 where !survivors.values.allSatisfy({ $0.kv["k"] == "2" }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(survivors.values.allSatisfy { $0.kv["k"] == "2" })
        for member in survivors.values { await member.stop() }
    }

    /// Sends raw bytes to a transport and reports whether it closed the connection.
    static func connectionClosed(after bytes: [UInt8], to address: TCPAddress) throws -> Bool {
        let fd = try Sockets.connectSocket(to: address)
        defer { close(fd) }
        _ = Sockets.writeAll(fd, bytes)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        // EOF, or a reset when the server closed with unread bytes; a timeout means it stayed open.
        let n = recv(fd, &byte, 1, 0)
        return n == 0 || (n < 0 && errno == ECONNRESET)
    }

    @Test func malformedFramesCloseOnlyThatConnection() async throws {
        final class Sink: RaftMessageReceiver {
            let received = Mutex<[Message]>([])
            func receive(_ messages: [Message]) { received.withLock { $0 += messages } }
        }
        let transport = try TCPTransport(id: 1, listenOn: TCPAddress(host: "127.0.0.1", port: 0))
        let sink = Sink()
        transport.connect(sink)
        let task = Task { try await transport.run() }
        defer { task.cancel() }
        try await Task.sleep(for: .milliseconds(50))

        #expect(try Self.connectionClosed(after: Array("GET / HTTP/1.1\r\n\r\n".utf8), to: transport.listenAddress))
        // A header announcing a frame far beyond the limit.
        var huge = BinaryWriter()
        huge.writeRaw(TCPFrame.magic)
        huge.write(raftCodecVersion)
        huge.write(TCPFrame.Kind.message.rawValue)
        huge.writeFixed32(UInt32.max)
        huge.writeFixed32(0)
        #expect(try Self.connectionClosed(after: huge.bytes, to: transport.listenAddress))
        // A well-formed frame with a wrong checksum.
        var frame = BinaryWriter()
        TCPFrame.encode(Message(kind: .heartbeat, from: 2, to: 1, term: 1), into: &frame)
        var corrupted = frame.bytes
        corrupted[corrupted.count - 1] ^= 0xFF
        #expect(try Self.connectionClosed(after: corrupted, to: transport.listenAddress))

        // Nothing from those connections was delivered; valid frames still are.
        #expect(sink.received.withLock { $0.isEmpty })
        let fd = try Sockets.connectSocket(to: transport.listenAddress)
        defer { close(fd) }
        #expect(Sockets.writeAll(fd, frame.bytes))
        for _ in 0..<200 where sink.received.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(sink.received.withLock { $0 } == [Message(kind: .heartbeat, from: 2, to: 1, term: 1)])
    }

    @Test func queuesToAnUnreachablePeerAreBounded() async throws {
        var options = TCPTransport.Options()
        options.maxQueuedMessages = 100
        let transport = try TCPTransport(id: 1, listenOn: TCPAddress(host: "127.0.0.1", port: 0), options: options)
        // Nobody listens there: the port of a socket we close at once.
        let (closedFD, closedPort) = try Sockets.listenSocket(on: TCPAddress(host: "127.0.0.1", port: 0))
        close(closedFD)
        transport.setPeer(2, address: TCPAddress(host: "127.0.0.1", port: closedPort))
        for _ in 0..<1_000 {
            transport.send([Message(kind: .heartbeat, from: 1, to: 2, term: 1)])
        }
        let queued = transport.peers.withLock { $0[2]! }.queue.withLock { $0.items.count }
        #expect(queued <= 100)
        #expect((transport.droppedMessages[2] ?? 0) >= 900)
    }
}
