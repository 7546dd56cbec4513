import Synchronization
public import Raft

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A cluster of member processes (`raft-member`, `store-member`) on 127.0.0.1, each with its own data directory, that tests
/// start, SIGKILL and restart, and drive through the member's line protocol. Everything blocks:
/// call it from ``onThread(_:)``, not from the cooperative pool.
public final class ProcessCluster: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    public let binary: String
    public let root: String
    public let ids: [NodeID]
    public let raftPorts: [NodeID: UInt16]
    public let clientPorts: [NodeID: UInt16]
    public let arguments: [String]
    let pids = Mutex<[NodeID: pid_t]>([:])

    /// - Parameters:
    ///   - member: the executable, built next to the test binary (`raft-member`, `store-member`).
    ///   - arguments: extra member flags (timeouts, snapshot interval…).
    public init(size: Int, member: String = "raft-member", arguments: [String]) throws {
        binary = try Self.memberBinary(member)
        var template = Array("/tmp/\(member)-cluster-XXXXXX".utf8CString)
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

    /// The member executable, built next to the test bundle by `swift build` / `swift test`.
    static func memberBinary(_ name: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: 4_096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { throw Failure(description: "cannot find the test executable") }
        let executable = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var directory = executable
        while let slash = directory.lastIndex(of: "/") {
            directory = String(directory[..<slash])
            let candidate = directory + "/" + name
            if access(candidate, X_OK) == 0 { return candidate }
            if directory.hasSuffix("/.build") || directory.isEmpty { break }
        }
        throw Failure(description: "\(name) is not built next to \(executable); run `swift build` first")
    }

    /// Ports outside Linux's ephemeral range (32768–60999), so that the kernel's own picks for other
    /// tests' sockets cannot take them between our check and the member's bind.
    /// Ports never repeat within a test process: suites running in parallel each get their own
    /// (they once drew the same sequence from a pid-and-time seed, and one member's client port was
    /// another's).
    public static func freePorts(_ count: Int) -> [UInt16] {
        var rng = SystemRandomNumberGenerator()
        var ports: [UInt16] = []
        while ports.count < count {
            let port = UInt16(20_000 + rng.next() % 10_000)
            let fresh = handedOut.withLock { $0.insert(port).inserted }
            if !fresh { continue }
            guard let (fd, _) = try? Sockets.listenSocket(on: TCPAddress(host: "127.0.0.1", port: port)) else { continue }
            close(fd)
            ports.append(port)
        }
        return ports
    }

    static let handedOut = Mutex<Set<UInt16>>([])

    public func dataDirectory(_ id: NodeID) -> String { "\(root)/member-\(id)" }

    public func start(_ id: NodeID) throws {
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

    public func startAll() throws {
        for id in ids { try start(id) }
    }

    /// SIGKILL: no shutdown path runs, exactly like a power cut for the process (the page cache
    /// survives, which is what fsync-before-ack is about).
    public func kill(_ id: NodeID) {
        guard let pid = pids.withLock({ $0.removeValue(forKey: id) }) else { return }
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    public func isRunning(_ id: NodeID) -> Bool { pids.withLock { $0[id] != nil } }

    /// Kills every member and deletes the data.
    public func destroy() {
        for id in ids { kill(id) }
        removeTree(root)
    }

    public func removeTree(_ path: String) {
        for name in (try? PosixFile.list(path)) ?? [] {
            let child = path + "/" + name
            var st = stat()
            if lstat(child, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { removeTree(child) } else { unlink(child) }
        }
        rmdir(path)
    }

    /// One request on a fresh connection; nil if the member is down or did not answer within `timeout`.
    public func request(_ id: NodeID, _ line: String, timeout: Int = 10) -> String? {
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

    /// Where a client goes after `answer` (nil: no answer) from `current` refused its request: the
    /// leader a `notLeader` error names (`ERR notLeader <id> …`), otherwise the next member after a
    /// short pause.
    public func nextTarget(after current: NodeID, answer: String?) -> NodeID {
        let words = answer?.split(separator: " ") ?? []
        if words.count >= 3, words[1] == "notLeader", let hint = NodeID(words[2]), hint != 0 { return hint }
        usleep(20_000)
        return ids[(ids.firstIndex(of: current)! + 1) % ids.count]
    }

    /// The member's `STATUS` as a dictionary.
    public func status(_ id: NodeID) -> [String: String]? {
        guard let line = request(id, "STATUS", timeout: 2), line.hasPrefix("OK ") else { return nil }
        var fields: [String: String] = [:]
        for pair in line.dropFirst(3).split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        return fields
    }

    /// A member among `candidates` that reports itself leader, waiting up to `seconds`.
    public func waitForLeader(among candidates: [NodeID]? = nil, seconds: Double = 10) -> NodeID? {
        let deadline = Self.now() + seconds
        while Self.now() < deadline {
            for id in candidates ?? ids where isRunning(id) {
                if status(id)?["role"] == "leader" { return id }
            }
            usleep(20_000)
        }
        return nil
    }

    /// The tail of a member's log file, for failure messages.
    public func logTail(_ id: NodeID) -> String {
        let text = String(decoding: (try? PosixFile.readAll("\(root)/member-\(id).log")) ?? [], as: UTF8.self)
        return text.split(separator: "\n").suffix(15).joined(separator: "\n")
    }

    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// Runs blocking work on a thread of its own and awaits it, leaving the cooperative pool free.
public func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        spawnThread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
    }
}

