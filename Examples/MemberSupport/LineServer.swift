import Dispatch
package import Raft
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A line protocol over TCP on 127.0.0.1 for the member executables (`raft-member`,
/// `store-member`): one request per line, one answer per line, a thread per connection, each
/// request answered by an async handler on the cooperative pool.
package enum LineServer {
    package static func serve(port: UInt16, _ handle: @escaping @Sendable (String) async -> String) throws(RaftError) {
        let (listener, _) = try Sockets.listenSocket(on: TCPAddress(host: "127.0.0.1", port: port))
        spawnThread {
            while true {
                let fd = accept(listener, nil, nil)
                if fd < 0 { continue }
                spawnThread {
                    defer { close(fd) }
                    var reader = LineReader(fd: fd)
                    while let line = reader.readLine() {
                        let answer = blocking { await handle(line) }
                        guard Sockets.writeAll(fd, Array((answer + "\n").utf8)) else { return }
                    }
                }
            }
        }
    }

    /// Runs `body` on the cooperative pool and waits for it on this (dedicated) thread.
    static func blocking(_ body: @escaping @Sendable () async -> String) -> String {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex("")
        Task {
            let value = await body()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 }
    }
}
