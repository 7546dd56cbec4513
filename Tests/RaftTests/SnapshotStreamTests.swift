import Synchronization
import Testing
@testable import Raft

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Chunked, resumable snapshot streaming: the sender's window, the receiver's temporary file, and the
/// two over real sockets and in a cluster.
@Suite(.serialized) struct SnapshotStreamTests {
    static func snapshotMessage(bytes: Int, index: UInt64 = 40, seed: UInt64 = 1) -> Message {
        var rng = SplitMix64(seed: seed)
        let data = (0..<bytes).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let metadata = SnapshotMetadata(index: index, term: 3, confState: ConfState(voters: [1, 2, 3]))
        return Message(kind: .snapshot, from: 1, to: 2, term: 3, snapshot: Snapshot(metadata: metadata, data: data))
    }

    static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/raft-snapshot-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw RaftError(.storageFailure, "mkdtemp failed") }
        return String(cString: made)
    }

    /// Drives a sender and a receiver through a lossy "connection": every few rounds the chunks in
    /// flight are lost and the connection breaks. The image arrives whole, once, and resumption keeps
    /// the bytes sent well under twice the image.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func streamSurvivesBrokenConnections(seed: UInt64) throws {
        let directory = try Self.temporaryDirectory()
        let receiver = SnapshotReceiver(directory: directory, prefix: "t-")
        let message = Self.snapshotMessage(bytes: 300_000, seed: seed)
        var sender = OutgoingSnapshot(message, now: 0)
        var rng = SplitMix64(seed: seed)
        var delivered: [Message] = []
        var rounds = 0
        var finished = false
        while !finished {
            rounds += 1
            #expect(rounds < 10_000, "stream did not finish (seed \(seed))")
            if rounds >= 10_000 { break }
            let chunks = sender.nextChunks(chunkSize: 4_096, window: 4)
            if rng.chance(0.05) {
                // The connection breaks with these chunks still in flight.
                sender.connectionLost()
                continue
            }
            for chunk in chunks {
                let (ack, completed) = receiver.receive(chunk)
                if let completed { delivered.append(completed) }
                if rng.chance(0.05) {
                    sender.connectionLost()  // the ack is lost with the connection
                    break
                }
                if sender.handle(ack, now: 0) == .completed { finished = true }
            }
        }
        #expect(delivered == [message])
        #expect(sender.resumptions > 0)
        #expect(sender.bytesSent < 2 * sender.total, "resumption restarted from scratch (seed \(seed))")
        #expect(((try? PosixFile.list(directory)) ?? []).isEmpty, "temporary file left behind")
    }

    @Test func receiverThatLostItsFileAsksForTheStart() throws {
        let directory = try Self.temporaryDirectory()
        let message = Self.snapshotMessage(bytes: 20_000)
        var sender = OutgoingSnapshot(message, now: 0)
        let first = SnapshotReceiver(directory: directory, prefix: "t-")
        for chunk in sender.nextChunks(chunkSize: 4_096, window: 2) {
            #expect(sender.handle(first.receive(chunk).ack, now: 0) == .inProgress)
        }
        #expect(sender.acked == 8_192)
        // The receiving process restarted: its partial file is gone.
        let second = SnapshotReceiver(directory: directory, prefix: "t-")
        #expect(((try? PosixFile.list(directory)) ?? []).isEmpty)
        let chunk = sender.nextChunks(chunkSize: 4_096, window: 2)[0]
        let (ack, _) = second.receive(chunk)
        #expect(ack.status == .resend && ack.received == 0)
        _ = sender.handle(ack, now: 0)
        #expect(sender.acked == 0 && sender.next == 0)
        var delivered: Message?
        while delivered == nil {
            for chunk in sender.nextChunks(chunkSize: 4_096, window: 2) {
                let (ack, completed) = second.receive(chunk)
                delivered = delivered ?? completed
                _ = sender.handle(ack, now: 0)
            }
        }
        #expect(delivered == message)
    }

    @Test func imageThatDoesNotMatchItsChecksumIsRefused() throws {
        let directory = try Self.temporaryDirectory()
        let receiver = SnapshotReceiver(directory: directory, prefix: "t-")
        var sender = OutgoingSnapshot(Self.snapshotMessage(bytes: 10_000), now: 0)
        var outcome = OutgoingSnapshot.Outcome.inProgress
        var delivered: Message?
        while outcome == .inProgress {
            for var chunk in sender.nextChunks(chunkSize: 4_096, window: 1) {
                if chunk.offset == 4_096 { chunk.data[17] ^= 0x40 }  // a flipped bit on the way
                let (ack, completed) = receiver.receive(chunk)
                delivered = delivered ?? completed
                outcome = sender.handle(ack, now: 0)
            }
        }
        #expect(outcome == .failed)
        #expect(delivered == nil)
        #expect(((try? PosixFile.list(directory)) ?? []).isEmpty)
    }

    @Test func emptySnapshotTravelsAsOneChunk() throws {
        let directory = try Self.temporaryDirectory()
        let receiver = SnapshotReceiver(directory: directory, prefix: "t-")
        let message = Self.snapshotMessage(bytes: 0)
        var sender = OutgoingSnapshot(message, now: 0)
        let chunks = sender.nextChunks(chunkSize: 4_096, window: 4)
        #expect(chunks.count == 1)
        #expect(sender.nextChunks(chunkSize: 4_096, window: 4).isEmpty)
        let (ack, delivered) = receiver.receive(chunks[0])
        #expect(delivered == message)
        #expect(sender.handle(ack, now: 0) == .completed)
    }

    @Test func chunkAndAckCodecsRoundTripAndRejectGarbage() throws {
        let chunk = SnapshotChunk(
            from: 1, to: 2, index: 9, term: 2, offset: 4, total: 10, checksum: 77, envelope: [1, 2, 3], data: [9, 9]
        )
        var writer = BinaryWriter()
        chunk.encode(into: &writer)
        #expect(try SnapshotChunk(decoding: writer.bytes) == chunk)
        #expect(throws: RaftError.self) { try SnapshotChunk(decoding: writer.bytes + [0]) }
        var beyond = chunk
        beyond.offset = 9  // 2 bytes at 9 overrun a total of 10
        var beyondWriter = BinaryWriter()
        beyond.encode(into: &beyondWriter)
        #expect(throws: RaftError.self) { try SnapshotChunk(decoding: beyondWriter.bytes) }
        let ack = SnapshotAck(from: 2, to: 1, index: 9, term: 2, received: 6, status: .resend)
        var ackWriter = BinaryWriter()
        ack.encode(into: &ackWriter)
        #expect(try SnapshotAck(decoding: ackWriter.bytes) == ack)
        var badStatus = ackWriter.bytes
        badStatus[badStatus.count - 1] = 9
        #expect(throws: RaftError.self) { try SnapshotAck(decoding: badStatus) }
    }

    // MARK: Over sockets

    final class Sink: RaftMessageReceiver {
        let received = Mutex<[Message]>([])
        let snapshotReports = Mutex<[(NodeID, Bool)]>([])
        func receive(_ messages: [Message]) { received.withLock { $0 += messages } }
        func reportSnapshot(to peer: NodeID, succeeded: Bool) { snapshotReports.withLock { $0.append((peer, succeeded)) } }
    }

    /// Two transports on 127.0.0.1; the connection is cut twice mid-stream. The image arrives once,
    /// whole, in a file-backed stream that resumed rather than restarted, and the sender's node hears
    /// that it succeeded.
    @Test func snapshotStreamsOverTCPAndResumesAfterBrokenConnections() async throws {
        var options = TCPTransport.Options()
        options.snapshotChunkBytes = 16 << 10
        options.snapshotWindowChunks = 2
        options.snapshotDirectory = try Self.temporaryDirectory()
        let a = try TCPTransport(id: 1, listenOn: TCPAddress(host: "127.0.0.1", port: 0), options: options)
        let b = try TCPTransport(id: 2, listenOn: TCPAddress(host: "127.0.0.1", port: 0), options: options)
        a.setPeer(2, address: b.listenAddress)
        b.setPeer(1, address: a.listenAddress)
        let sinkA = Sink()
        let sinkB = Sink()
        a.connect(sinkA)
        b.connect(sinkB)
        let tasks = [Task { try await a.run() }, Task { try await b.run() }]
        defer { for task in tasks { task.cancel() } }

        let message = Self.snapshotMessage(bytes: 4 << 20)
        a.send([message])
        a.send([message])  // asked again while streaming: the stream goes on, it does not restart
        let peer = a.peers.withLock { $0[2]! }
        var cuts = 0
        for _ in 0..<2_000 {
            if sinkB.received.withLock({ !$0.isEmpty }) && !sinkA.snapshotReports.withLock({ $0.isEmpty }) { break }
            let acked = peer.snapshot.withLock { $0?.acked ?? 0 }
            if cuts == 0 && acked > 1 << 20 || cuts == 1 && acked > 3 << 20 {
                peer.dropConnection.store(true, ordering: .relaxed)
                peer.wakeup.signal()
                cuts += 1
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(sinkB.received.withLock { $0 } == [message])
        #expect(sinkA.snapshotReports.withLock { $0.map(\.0) } == [2])
        #expect(sinkA.snapshotReports.withLock { $0.map(\.1) } == [true])
        let stats = a.snapshotStatistics
        #expect(stats.sent == 1 && stats.failed == 0)
        #expect(cuts == 2)
        #expect(stats.resumptions >= 1)
        #expect(stats.bytesSent < UInt64(message.snapshot!.data.count) * 3 / 2, "\(stats)")
        #expect(b.snapshotStatistics.received == 1)
    }

    /// A follower cut off while the leader compacts its log comes back and is caught up by a
    /// chunked snapshot over TCP, then by the log.
    @Test func laggingFollowerCatchesUpByChunkedSnapshot() async throws {
        var transportOptions = TCPTransport.Options()
        transportOptions.snapshotChunkBytes = 1 << 10
        transportOptions.snapshotDirectory = try Self.temporaryDirectory()
        var nodeOptions = RaftNode.Options()
        nodeOptions.snapshotInterval = 50
        nodeOptions.compactionSlack = 10
        let members = try TCPTransportTests.cluster(
            [1, 2, 3], transportOptions: transportOptions, nodeOptions: nodeOptions
        )
        for member in members.values { member.start() }
        defer { Task { for member in members.values { await member.stop() } } }
        let leader = try await TCPTransportTests.waitForLeader(members)
        let lagging: NodeID = leader == 3 ? 2 : 3
        for member in members.values { member.transport.block(member.node.id == lagging ? [1, 2, 3] : [lagging]) }
        for i in 0..<300 {
            _ = try await members[leader]!.node.propose(Array("set key\(i % 37)=\(i)".utf8))
        }
        for member in members.values { member.transport.block([]) }
        for _ in 0..<1_000 where members[lagging]!.kv["key10"] != members[leader]!.kv["key10"] {
            try await Task.sleep(for: .milliseconds(10))
        }
        _ = try await members[leader]!.node.propose(Array("set after=1".utf8))
        for _ in 0..<500 where members[lagging]!.kv["after"] != "1" {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(members[lagging]!.kv.values.withLock { $0 } == members[leader]!.kv.values.withLock { $0 })
        #expect(members[leader]!.transport.snapshotStatistics.sent >= 1)
        #expect(members[lagging]!.transport.snapshotStatistics.received >= 1)
    }
}
