import MemberSupport
import Raft
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The member's client protocol: one request per line, one answer per line, over TCP.
///
/// | request | answer |
/// |---|---|
/// | `APPEND <value>` | `OK <length>` once applied, or `ERR <code> <leader hint> <message>` |
/// | `DUMP` | `OK <count> <values…>` after a linearizable read barrier |
/// | `STATUS` | `OK role=… term=… leader=… commit=… applied=… snapshotsSent=… snapshotsReceived=…` |
/// | `BLOCK [<id>,…]` | `OK`: drop Raft traffic to and from those members (none: heal) |
/// | `TRANSFER <id>` | `OK` once `<id>` leads |
struct ClientServer: Sendable {
    let node: RaftNode
    let transport: TCPTransport
    let log: AppendLog

    func serve(port: UInt16) throws(RaftError) {
        try LineServer.serve(port: port) { line in await handle(line) }
    }

    func handle(_ line: String) async -> String {
        let words = line.split(separator: " ", maxSplits: 1).map(String.init)
        let argument = words.count > 1 ? words[1] : ""
        do throws(RaftError) {
            switch words.first ?? "" {
            case "APPEND":
                let length = try await node.propose(Array("a \(argument)".utf8))
                return "OK " + String(decoding: length, as: UTF8.self)
            case "DUMP":
                _ = try await node.readBarrier()
                let values = log.values.withLock { $0 }
                return "OK \(values.count)" + values.map { " " + $0 }.joined()
            case "STATUS":
                let status = node.status()
                let snapshots = transport.snapshotStatistics
                return "OK role=\(status.softState.role) term=\(status.hardState.term) leader=\(status.softState.leader)"
                    + " commit=\(status.hardState.commit) applied=\(status.applied)"
                    + " snapshotsSent=\(snapshots.sent) snapshotsReceived=\(snapshots.received)"
            case "BLOCK":
                transport.block(Set(argument.split(separator: ",").compactMap { NodeID($0) }))
                return "OK"
            case "TRANSFER":
                guard let target = NodeID(argument) else { return "ERR invalidConfig 0 bad member id" }
                try await node.transferLeadership(to: target)
                return "OK"
            default:
                return "ERR invalidConfig 0 unknown request"
            }
        } catch {
            return "ERR \(error.code) \(error.leaderHint) \(error.message)"
        }
    }
}
