import Synchronization
@testable import Raft

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A cluster of `raft-member` processes on 127.0.0.1, each with its own data directory, that tests
/// start, SIGKILL and restart, and drive through the member's line protocol. Everything blocks:
/// call it from ``onThread(_:)``, not from the cooperative pool.
final class ProcessCluster: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let binary: String
    let root: String
    let ids: [NodeID]
    let raftPorts: [NodeID: UInt16]
    let clientPorts: [NodeID: UInt16]
    let arguments: [String]
    let pids = Mutex<[NodeID: pid_t]>([:])

    /// - Parameter arguments: extra `raft-member` flags (timeouts, snapshot interval…).
    init(size: Int, arguments: [String]) throws {
        binary = try Self.memberBinary()
        var template = Array("/tmp/raft-process-cluster-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(description: "mkdtemp failed") }
        root = String(cString: made)
        ids = (1...size).map { NodeID($0) }
        var ports = Self.freePorts(2 * size)
        var raft: [NodeID: UInt16] = [:]
        var client: [NodeID: UInt16] = [:]
        for id in ids {
            raft[id] = ports.removeFirst()
            client[id] = ports.removeFirst()
        }
        raftPorts = raft
        clientPorts = client
        self.arguments = arguments
    }

    /// `raft-member`, built next to the test bundle by `swift build` / `swift test`.
    static func memberBinary() throws -> String {
        var buffer = [CChar](repeating: 0, count: 4_096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { throw Failure(description: "cannot find the test executable") }
        let executable = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var directory = executable
        while let slash = directory.lastIndex(of: "/") {
            directory = String(directory[..<slash])
            let candidate = directory + "/raft-member"
            if access(candidate, X_OK) == 0 { return candidate }
            if directory.hasSuffix("/.build") || directory.isEmpty { break }
        }
        throw Failure(description: "raft-member is not built next to \(executable); run `swift build` first")
    }

    /// Ports outside Linux's ephemeral range (32768–60999), so that the kernel's own picks for other
    /// tests' sockets cannot take them between our check and the member's bind.
    static func freePorts(_ count: Int) -> [UInt16] {
        var rng = SplitMix64(seed: UInt64(getpid()) &* 7_919 &+ UInt64(time(nil)))
        var ports: [UInt16] = []
        while ports.count < count {
            let port = UInt16(20_000 + rng.next() % 10_000)
            if ports.contains(port) { continue }
            guard let (fd, _) = try? Sockets.listenSocket(on: TCPAddress(host: "127.0.0.1", port: port)) else { continue }
            close(fd)
            ports.append(port)
        }
        return ports
    }

    func dataDirectory(_ id: NodeID) -> String { "\(root)/member-\(id)" }

    func start(_ id: NodeID) throws {
        var argv = [
            binary, "--id", "\(id)", "--data", dataDirectory(id), "--listen", "\(raftPorts[id]!)",
            "--client", "\(clientPorts[id]!)",
        ]
        for peer in ids where peer != id { argv += ["--peer", "\(peer)=127.0.0.1:\(raftPorts[peer]!)"] }
        argv += arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "\(root)/member-\(id).log", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, binary, &actions, nil, &cArguments, environ)
        guard result == 0 else { throw Failure(description: "posix_spawn failed: \(result)") }
        pids.withLock { $0[id] = pid }
    }

    func startAll() throws {
        for id in ids { try start(id) }
    }

    /// SIGKILL: no shutdown path runs, exactly like a power cut for the process (the page cache
    /// survives, which is what fsync-before-ack is about).
    func kill(_ id: NodeID) {
        guard let pid = pids.withLock({ $0.removeValue(forKey: id) }) else { return }
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    func isRunning(_ id: NodeID) -> Bool { pids.withLock { $0[id] != nil } }

    /// Kills every member and deletes the data.
    func destroy() {
        for id in ids { kill(id) }
        removeTree(root)
    }

    func removeTree(_ path: String) {
        for name in (try? PosixFile.list(path)) ?? [] {
            let child = path + "/" + name
            var st = stat()
            if lstat(child, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { removeTree(child) } else { unlink(child) }
        }
        rmdir(path)
    }

    /// One request on a fresh connection; nil if the member is down or did not answer within `timeout`.
    func request(_ id: NodeID, _ line: String, timeout: Int = 10) -> String? {
        guard let fd = try? Sockets.connectSocket(to: TCPAddress(host: "127.0.0.1", port: clientPorts[id]!)) else {
            return nil
        }
        defer { close(fd) }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard Sockets.writeAll(fd, Array((line + "\n").utf8)) else { return nil }
        var reader = LineReader(fd: fd)
        return reader.readLine()
    }

    /// The member's `STATUS` as a dictionary.
    func status(_ id: NodeID) -> [String: String]? {
        guard let line = request(id, "STATUS", timeout: 2), line.hasPrefix("OK ") else { return nil }
        var fields: [String: String] = [:]
        for pair in line.dropFirst(3).split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        return fields
    }

    /// A member among `candidates` that reports itself leader, waiting up to `seconds`.
    func waitForLeader(among candidates: [NodeID]? = nil, seconds: Double = 10) -> NodeID? {
        let deadline = Self.now() + seconds
        while Self.now() < deadline {
            for id in candidates ?? ids where isRunning(id) {
                if status(id)?["role"] == "leader" { return id }
            }
            usleep(20_000)
        }
        return nil
    }

    /// `DUMP` from `id`: the values in log order, after a linearizable read barrier.
    func dump(_ id: NodeID, seconds: Double = 20) -> [String]? {
        let deadline = Self.now() + seconds
        while Self.now() < deadline {
            if let line = request(id, "DUMP"), line.hasPrefix("OK ") {
                return line.split(separator: " ").dropFirst(2).map(String.init)
            }
            usleep(50_000)
        }
        return nil
    }

    /// One line per member (of `members`, default all) whose `DUMP` is not `expected`.
    func membersNotHolding(_ expected: [String], among members: [NodeID]? = nil) -> [String] {
        (members ?? ids).compactMap { id in
            let log = dump(id)
            guard log != expected else { return nil }
            return "member \(id) holds \(log?.count ?? -1) values, expected \(expected.count): \((log ?? []).suffix(5))…"
        }
    }

    /// The tail of a member's log file, for failure messages.
    func logTail(_ id: NodeID) -> String {
        let text = String(decoding: (try? PosixFile.readAll("\(root)/member-\(id).log")) ?? [], as: UTF8.self)
        return text.split(separator: "\n").suffix(15).joined(separator: "\n")
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// Runs blocking work on a thread of its own and awaits it, leaving the cooperative pool free.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        spawnThread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
    }
}

/// Clients appending unique values as fast as the cluster takes them, following leader hints, and
/// recording which appends were acknowledged. A value is never retried: each attempt is fresh, so a
/// value seen twice in the log is a bug, not a retry.
final class AppendLoad: Sendable {
    struct Acknowledgement {
        var value: String
        /// The list's length after the append, as the member answered: the value's 1-based position.
        var length: Int
        var invoked: Double
        var returned: Double
    }

    struct Record {
        var attempted: Set<String> = []
        var acknowledged: [Acknowledgement] = []
        var errors = 0
    }

    let cluster: ProcessCluster
    let record = Mutex(Record())
    let stopped = Atomic(false)
    let running = Atomic(0)

    init(cluster: ProcessCluster) {
        self.cluster = cluster
    }

    func start(writers: Int) {
        for writer in 0..<writers {
            running.add(1, ordering: .relaxed)
            spawnThread { [self] in
                defer { running.subtract(1, ordering: .relaxed) }
                var target = cluster.ids[writer % cluster.ids.count]
                var sequence = 0
                while !stopped.load(ordering: .relaxed) {
                    sequence += 1
                    let value = "w\(writer)-\(sequence)"
                    record.withLock { _ = $0.attempted.insert(value) }
                    let invoked = ProcessCluster.now()
                    let answer = cluster.request(target, "APPEND \(value)", timeout: 5)
                    if let answer, answer.hasPrefix("OK "), let length = Int(answer.dropFirst(3)) {
                        let acknowledgement = Acknowledgement(
                            value: value, length: length, invoked: invoked, returned: ProcessCluster.now()
                        )
                        record.withLock { $0.acknowledged.append(acknowledgement) }
                        continue
                    }
                    record.withLock { $0.errors += 1 }
                    // Follow the hint if there is one, otherwise try the next member.
                    let words = answer?.split(separator: " ") ?? []
                    if words.count >= 3, words[1] == "notLeader", let hint = NodeID(words[2]), hint != 0 {
                        target = hint
                    } else {
                        target = cluster.ids[(cluster.ids.firstIndex(of: target)! + 1) % cluster.ids.count]
                        usleep(20_000)
                    }
                }
            }
        }
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        while running.load(ordering: .relaxed) > 0 { usleep(10_000) }
    }

    /// Checks a final log: every acknowledged value present, none twice, none never attempted; and
    /// the history is linearizable: each acknowledged append sits at the position its answer named,
    /// and an append acknowledged before another was invoked comes before it in the log.
    func verify(_ log: [String]) -> [String] {
        var problems: [String] = []
        let record = record.withLock { $0 }
        var position: [String: Int] = [:]
        for (index, value) in log.enumerated() {
            if position.updateValue(index + 1, forKey: value) != nil { problems.append("\(value) appears twice") }
            if !record.attempted.contains(value) { problems.append("\(value) was never proposed") }
        }
        for ack in record.acknowledged {
            guard let at = position[ack.value] else {
                problems.append("acknowledged \(ack.value) is missing")
                continue
            }
            if at != ack.length { problems.append("\(ack.value) answered length \(ack.length) but sits at \(at)") }
        }
        // Real-time order: sweep invocations in time order, tracking the latest position among
        // appends already acknowledged.
        let byReturn = record.acknowledged.sorted { $0.returned < $1.returned }
        var next = 0
        var latest: (position: Int, value: String)?
        for ack in record.acknowledged.sorted(by: { $0.invoked < $1.invoked }) {
            while next < byReturn.count && byReturn[next].returned < ack.invoked {
                let earlier = byReturn[next]
                if let at = position[earlier.value], at > (latest?.position ?? 0) { latest = (at, earlier.value) }
                next += 1
            }
            if let latest, let at = position[ack.value], at < latest.position {
                problems.append("\(ack.value) (at \(at)) was invoked after \(latest.value) (at \(latest.position)) was acknowledged")
            }
        }
        return problems
    }
}
