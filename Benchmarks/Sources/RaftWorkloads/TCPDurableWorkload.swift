import Raft

#if canImport(Glibc)
import Glibc
#endif

/// The `Raft.TCP3Durable` workload: three members in one process, talking over loopback TCP, each
/// with a `FileLog` that fsyncs every Ready (group commit) in a fresh temporary directory.
public final class TCPDurableWorkload: Sendable {
    public let nodes: [RaftNode]
    public let transports: [TCPTransport]
    public let directories: [String]

    public init(sync: Bool = true) throws {
        var transports: [TCPTransport] = []
        for id: NodeID in [1, 2, 3] {
            transports.append(try TCPTransport(id: id, listenOn: TCPAddress(host: "127.0.0.1", port: 0)))
        }
        for transport in transports {
            for peer in transports where peer.id != transport.id { transport.setPeer(peer.id, address: peer.listenAddress) }
        }
        var options = RaftNode.Options()
        options.snapshotInterval = 200_000
        options.compactionSlack = 50_000
        var logOptions = FileLog.Options()
        logOptions.sync = sync
        var nodes: [RaftNode] = []
        var directories: [String] = []
        for transport in transports {
            var template = Array("/tmp/raft-tcp3-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw RaftError(.storageFailure, "mkdtemp failed") }
            let directory = String(cString: made)
            directories.append(directory)
            var config = RaftConfig(id: transport.id)
            config.maxInflightMessages = 64
            config.maxCommittedSizePerReady = 4 << 20
            let node = try RaftNode(
                config: config,
                storage: try FileLog(directory: directory, voters: [1, 2, 3], options: logOptions),
                stateMachine: CountingStateMachine(),
                transport: transport,
                clock: ContinuousClock(),
                options: options
            )
            transport.connect(node)
            nodes.append(node)
        }
        self.nodes = nodes
        self.transports = transports
        self.directories = directories
    }

    /// Starts transports and members in `group`.
    public func start(in group: inout ThrowingTaskGroup<Void, any Error>) {
        for transport in transports { group.addTask { try await transport.run() } }
        for node in nodes { group.addTask { try await node.run() } }
    }

    /// Waits (in real time) until some member leads, starting an election on the first one.
    public func electLeader() async throws {
        nodes[0].campaign()
        while !nodes.contains(where: { $0.status().softState.role == .leader }) {
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Deletes the members' data directories (call after the members stopped).
    public func removeData() {
        for directory in directories {
            if let dir = opendir(directory) {
                while let entry = readdir(dir) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                    }
                    if name != "." && name != ".." { unlink(directory + "/" + name) }
                }
                closedir(dir)
            }
            rmdir(directory)
        }
    }
}
