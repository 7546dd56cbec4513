import MemberSupport
import Raft
import Store
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One store member per process, for the process-level tests (SIGKILL and restart).
///
/// Without `--peer`, the embedded default (``KeyValueStore/open(directory:options:)``); with peers, a
/// replicated member on a `FileLog` and the TCP transport.
///
///     store-member --id 1 --data /tmp/s1 --listen 7001 --client 8001 \
///         [--peer 2=127.0.0.1:7002 …] [--heartbeat-ms 100] [--election-ms 1000]
///
/// Client protocol, one request per line, one answer per line:
///
/// | request | answer |
/// |---|---|
/// | `PUT <key> <value>` | `OK <revision>` once applied, or `ERR <code> <leader hint> <message>` |
/// | `GET <key>` | `OK <revision> <value>` or `OK <revision>` (absent), linearizable |
/// | `LIST <prefix>` | `OK <revision> <count> <key>=<value> …`, linearizable |
/// | `HASH <revision>` | `OK <hash> <revision> <compact revision>` |
/// | `BACKUP <path>` | `OK <revision>` once the backup file is durable |
/// | `STATUS` | `OK role=… leader=… term=… revision=… applied=…` |
@main
struct StoreMember {
    struct Arguments {
        var id: UInt64 = 1
        var data = ""
        var listen: UInt16 = 0
        var client: UInt16 = 0
        var peers: [UInt64: TCPAddress] = [:]
        var heartbeatMs = 100
        var electionMs = 1_000

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
                default: throw MemberFlags.unknown(flag)
                }
            }
            guard !data.isEmpty, client != 0 else { throw MemberFlags.missing("--data and --client are") }
        }
    }

    static func main() async {
        do {
            try await run(try Arguments(Array(CommandLine.arguments.dropFirst())))
        } catch {
            print("store-member: \(error)")
            exit(1)
        }
    }

    static func run(_ arguments: Arguments) async throws {
        var options = KeyValueStore.Options()
        options.raft.heartbeatInterval = .milliseconds(arguments.heartbeatMs)
        options.raft.electionTimeout = .milliseconds(arguments.electionMs)
        if arguments.peers.isEmpty {
            let store = try await KeyValueStore.open(directory: arguments.data, options: options)
            print("member \(arguments.id): embedded store open at revision \(store.status().revision)")
            try ClientServer(store: store).serve(port: arguments.client)
            while true { try await Task.sleep(for: .seconds(3_600)) }
        }
        let voters = ([arguments.id] + arguments.peers.keys).sorted()
        let storage = try FileLog(directory: arguments.data, voters: voters)
        print("member \(arguments.id): \(storage.recoveryReport)")
        var transportOptions = TCPTransport.Options()
        transportOptions.snapshotDirectory = arguments.data
        let transport = try TCPTransport(
            id: arguments.id,
            listenOn: TCPAddress(host: "127.0.0.1", port: arguments.listen),
            options: transportOptions,
            log: { print($0) }
        )
        for (peer, address) in arguments.peers { transport.setPeer(peer, address: address) }
        let store = try KeyValueStore(member: arguments.id, storage: storage, transport: transport, clock: ContinuousClock(), options: options)
        transport.connect(store.raft)
        try ClientServer(store: store).serve(port: arguments.client)
        print("member \(arguments.id): serving clients on 127.0.0.1:\(arguments.client)")
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await transport.run() }
            group.addTask { try await store.run() }
        }
    }
}

/// The line protocol (see ``StoreMember``), one thread per connection.
struct ClientServer: Sendable {
    let store: KeyValueStore

    func serve(port: UInt16) throws(RaftError) {
        try LineServer.serve(port: port) { line in await handle(line) }
    }

    func handle(_ line: String) async -> String {
        let words = line.split(separator: " ", maxSplits: 2).map(String.init)
        func word(_ i: Int) -> String { i < words.count ? words[i] : "" }
        do throws(StoreError) {
            switch word(0) {
            case "PUT":
                let response = try await store.put(word(1), word(2))
                return "OK \(response.header.revision)"
            case "GET":
                let response = try await store.range(RangeRequest(key: Array(word(1).utf8)))
                let value = response.kvs.first.map { " " + String(decoding: $0.value, as: UTF8.self) } ?? ""
                return "OK \(response.header.revision)\(value)"
            case "LIST":
                let response = try await store.range(.prefix(Array(word(1).utf8)))
                let pairs = response.kvs.map { " \(String(decoding: $0.key, as: UTF8.self))=\(String(decoding: $0.value, as: UTF8.self))" }
                return "OK \(response.header.revision) \(response.kvs.count)" + pairs.joined()
            case "HASH":
                let hash = try store.hash(revision: Int64(word(1)) ?? 0)
                return "OK \(hash.hash) \(hash.revision) \(hash.compactRevision)"
            case "BACKUP":
                let revision = try await store.backup(to: word(1))
                return "OK \(revision)"
            case "STATUS":
                let status = store.status()
                let role = store.raft.status().softState.role
                return "OK role=\(role) leader=\(status.leader) term=\(status.raftTerm) revision=\(status.revision) applied=\(status.raftAppliedIndex)"
            default:
                return "ERR invalidArgument 0 unknown request"
            }
        } catch {
            return "ERR \(error.code) \(error.leaderHint) \(error.message)"
        }
    }
}
