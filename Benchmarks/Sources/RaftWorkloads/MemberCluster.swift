import Raft
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `raft-member` processes on 127.0.0.1 for the `Raft.Failover` benchmark: started, SIGKILLed and
/// restarted, and driven through the member's line protocol (see Examples/RaftMember). Blocking.
public final class MemberCluster: Sendable {
    public let ids: [NodeID]
    let binary: String
    let root: String
    let raftPorts: [NodeID: UInt16]
    let clientPorts: [NodeID: UInt16]
    let arguments: [String]
    let pids = Mutex<[NodeID: pid_t]>([:])

    public init(binary: String, size: Int, arguments: [String] = []) throws {
        self.binary = binary
        var template = Array("/tmp/raft-failover-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw RaftError(.storageFailure, "mkdtemp failed") }
        root = String(cString: made)
        ids = (1...size).map { NodeID($0) }
        // Outside the kernel's ephemeral range; the first ports that bind.
        var ports: [UInt16] = []
        var candidate = UInt16(21_000 + Int(getpid()) % 5_000)
        while ports.count < 2 * size {
            candidate += 1
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = candidate.bigEndian
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if bound == 0 { ports.append(candidate) }
        }
        raftPorts = Dictionary(uniqueKeysWithValues: ids.map { ($0, ports[2 * Int($0) - 2]) })
        clientPorts = Dictionary(uniqueKeysWithValues: ids.map { ($0, ports[2 * Int($0) - 1]) })
        self.arguments = arguments
    }

    /// Builds `raft-member` (release) in the root package at `rootPackage` and returns its path.
    public static func buildMember(rootPackage: String) throws -> String {
        let argv = ["/usr/bin/env", "swift", "build", "-c", "release", "--product", "raft-member", "--package-path", rootPackage]
        guard try spawn(argv, log: "/tmp/raft-member-build.log") == 0 else {
            throw RaftError(.unavailable, "building raft-member failed; see /tmp/raft-member-build.log")
        }
        return rootPackage + "/.build/release/raft-member"
    }

    /// Runs `argv` to completion; returns its exit status.
    static func spawn(_ argv: [String], log: String) throws -> Int32 {
        let pid = try start(argv, log: log)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return (status >> 8) & 0xFF
    }

    static func start(_ argv: [String], log: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard result == 0 else { throw RaftError(.unavailable, "posix_spawn \(argv[0]) failed: \(result)") }
        return pid
    }

    public func start(_ id: NodeID) throws {
        var argv = [
            binary, "--id", "\(id)", "--data", "\(root)/member-\(id)", "--listen", "\(raftPorts[id]!)",
            "--client", "\(clientPorts[id]!)",
        ]
        for peer in ids where peer != id { argv += ["--peer", "\(peer)=127.0.0.1:\(raftPorts[peer]!)"] }
        let pid = try Self.start(argv + arguments, log: "\(root)/member-\(id).log")
        pids.withLock { $0[id] = pid }
    }

    public func kill(_ id: NodeID) {
        guard let pid = pids.withLock({ $0.removeValue(forKey: id) }) else { return }
        Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    public func isRunning(_ id: NodeID) -> Bool { pids.withLock { $0[id] != nil } }

    public func destroy() {
        for id in ids { kill(id) }
        _ = try? Self.spawn(["/bin/rm", "-rf", root], log: "/dev/null")
    }

    /// One request on a fresh connection; nil if the member is down or silent for `timeoutSeconds`.
    public func request(_ id: NodeID, _ line: String, timeoutSeconds: Int = 10) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = clientPorts[id]!.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        var limit = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array((line + "\n").utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
            return nil
        }
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while recv(fd, &byte, 1, 0) == 1 {
            if byte == 10 { return String(decoding: answer, as: UTF8.self) }
            answer.append(byte)
        }
        return nil
    }

    public func status(_ id: NodeID) -> [String: String]? {
        guard let line = request(id, "STATUS", timeoutSeconds: 2), line.hasPrefix("OK ") else { return nil }
        var fields: [String: String] = [:]
        for pair in line.dropFirst(3).split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        return fields
    }

    public func leader() -> NodeID? {
        ids.first { isRunning($0) && status($0)?["role"] == "leader" }
    }
}

/// `Raft.Failover`: SIGKILL the leader of a healthy three-member cluster and time until a proposal
/// commits again, retrying every 10 ms against the survivors.
public final class FailoverWorkload: Sendable {
    public let cluster: MemberCluster
    let sequence = Atomic(0)

    public init(cluster: MemberCluster) {
        self.cluster = cluster
    }

    /// Brings every member up and waits until they all applied what the leader committed and a
    /// proposal succeeds; returns the leader.
    public func settle() throws -> NodeID {
        for id in cluster.ids where !cluster.isRunning(id) { try cluster.start(id) }
        for _ in 0..<3_000 {
            if let leader = cluster.leader(), append(to: leader), let commit = cluster.status(leader)?["commit"],
                cluster.ids.allSatisfy({ cluster.status($0)?["applied"] == commit })
            {
                return leader
            }
            usleep(10_000)
        }
        throw RaftError(.timeout, "cluster did not settle")
    }

    func append(to id: NodeID) -> Bool {
        let value = sequence.add(1, ordering: .relaxed).newValue
        return cluster.request(id, "APPEND v\(value)", timeoutSeconds: 10)?.hasPrefix("OK ") == true
    }

    /// Kills `leader`, then proposes to the survivors until one commits.
    public func killAndRecommit(_ leader: NodeID) throws {
        cluster.kill(leader)
        let survivors = cluster.ids.filter { $0 != leader }
        for attempt in 0..<6_000 {
            if append(to: survivors[attempt % survivors.count]) { return }
            usleep(10_000 / UInt32(survivors.count))
        }
        throw RaftError(.timeout, "nothing committed within a minute of the kill")
    }
}
