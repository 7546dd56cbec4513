import MemberSupport
import Raft

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One Raft member per process: a durable `FileLog`, the TCP transport, an append-only list as the
/// state machine, and a line protocol for clients (see `ClientServer`). The process-level tests
/// SIGKILL and restart these, and the failover benchmark measures them.
///
///     raft-member --id 1 --data /tmp/m1 --listen 7001 --client 8001 \
///         --peer 2=127.0.0.1:7002 --peer 3=127.0.0.1:7003 [--heartbeat-ms 100] [--election-ms 1000]
///         [--request-timeout-ms 7000] [--snapshot-interval 10000] [--compaction-slack 5000]
///         [--chunk-bytes 1048576] [--no-sync]
@main
struct RaftMember {
    struct Arguments {
        var id: NodeID = 0
        var data = ""
        var listen: UInt16 = 0
        var client: UInt16 = 0
        var peers: [NodeID: TCPAddress] = [:]
        var heartbeatMs = 100
        var electionMs = 1_000
        var requestTimeoutMs = 7_000
        var snapshotInterval: UInt64 = 10_000
        var compactionSlack: UInt64 = 5_000
        var chunkBytes = 1 << 20
        var sync = true

        init(_ arguments: [String]) throws(MemberFlags.Failure) {
            var flags = MemberFlags(arguments)
            while let flag = flags.next() {
                switch flag {
                case "--id": id = try flags.number(flag)
                case "--data": data = try flags.value(flag)
                case "--listen": listen = try flags.number(flag)
                case "--client": client = try flags.number(flag)
                case "--peer":
                    let (peer, address) = try flags.peer(flag)
                    peers[peer] = address
                case "--heartbeat-ms": heartbeatMs = try flags.number(flag)
                case "--election-ms": electionMs = try flags.number(flag)
                case "--request-timeout-ms": requestTimeoutMs = try flags.number(flag)
                case "--snapshot-interval": snapshotInterval = try flags.number(flag)
                case "--compaction-slack": compactionSlack = try flags.number(flag)
                case "--chunk-bytes": chunkBytes = try flags.number(flag)
                case "--no-sync": sync = false
                default: throw MemberFlags.unknown(flag)
                }
            }
            guard id != 0, !data.isEmpty, listen != 0, client != 0 else {
                throw MemberFlags.missing("--id, --data, --listen and --client are")
            }
        }
    }

    static func main() async {
        do {
            try await run(try Arguments(Array(CommandLine.arguments.dropFirst())))
        } catch {
            print("raft-member: \(error)")
            exit(1)
        }
    }

    static func run(_ arguments: Arguments) async throws {
        try? PosixDirectory.make(arguments.data)
        var logOptions = FileLog.Options()
        logOptions.sync = arguments.sync
        let voters = ([arguments.id] + arguments.peers.keys).sorted()
        let storage = try FileLog(directory: arguments.data, voters: voters, options: logOptions)
        print("member \(arguments.id): \(storage.recoveryReport)")

        var transportOptions = TCPTransport.Options()
        transportOptions.snapshotChunkBytes = arguments.chunkBytes
        transportOptions.snapshotDirectory = arguments.data
        let transport = try TCPTransport(
            id: arguments.id,
            listenOn: TCPAddress(host: "127.0.0.1", port: arguments.listen),
            options: transportOptions,
            log: { print($0) }
        )
        for (peer, address) in arguments.peers { transport.setPeer(peer, address: address) }

        var options = RaftNode.Options()
        options.heartbeatInterval = .milliseconds(arguments.heartbeatMs)
        options.electionTimeout = .milliseconds(arguments.electionMs)
        options.requestTimeout = .milliseconds(arguments.requestTimeoutMs)
        options.snapshotInterval = arguments.snapshotInterval
        options.compactionSlack = arguments.compactionSlack
        var config = RaftConfig(id: arguments.id)
        // Different election timeouts after every restart.
        config.randomSeed = UInt64(getpid()) &* 0x9E37_79B9_7F4A_7C15 ^ arguments.id
        let log = AppendLog()
        let node = try RaftNode(
            config: config, storage: storage, stateMachine: log, transport: transport, clock: ContinuousClock(),
            options: options
        )
        transport.connect(node)
        try ClientServer(node: node, transport: transport, log: log).serve(port: arguments.client)
        print("member \(arguments.id): serving clients on 127.0.0.1:\(arguments.client)")
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await transport.run() }
            group.addTask { try await node.run() }
        }
    }
}

enum PosixDirectory {
    static func make(_ path: String) throws {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw RaftError(.storageFailure, "cannot create \(path)") }
    }
}
