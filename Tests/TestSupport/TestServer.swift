public import APIMachinery
public import Raft
import Store

/// An API server (built-in types registered) on an in-memory store, with a manual clock for watch
/// timeouts and timestamps; both closed when `body` returns or throws.
public func withTestServer<T>(
    _ configure: (inout APIServer.Options) -> Void = { _ in },
    _ body: (APIServer, ManualClock) async throws -> T
) async throws -> T {
    let store = try await KeyValueStore.inMemory()
    let clock = ManualClock()
    var options = APIServer.Options()
    options.clock = clock
    // Timestamps follow the manual clock from a fixed epoch, so runs reproduce.
    options.now = { Time(secondsSinceEpoch: 1_700_000_000 + clock.now.offset.components.seconds) }
    configure(&options)
    let server = APIServer(store: store, options: options)
    do {
        let result = try await body(server, clock)
        server.close()
        await store.close()
        return result
    } catch {
        server.close()
        await store.close()
        throw error
    }
}
