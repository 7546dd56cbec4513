import APIMachinery
import Informers
import Raft
import Synchronization

/// A ListWatch that plays scripted answers and records every request: lists and watches beyond the script
/// wait until cancelled.
final class ScriptedListWatch: Sendable {
    enum ListStep: Sendable {
        case items(resourceVersion: String, [ConfigMap])
        case fail(APIError)
    }

    enum WatchEnd: Sendable {
        case finish
        case fail(APIError)
        /// Fails after a sleep on a manual clock.
        case failAfter(ManualClock, Duration, APIError)
        case hang
    }

    enum WatchStep: Sendable {
        case events([WatchEvent<ConfigMap>], then: WatchEnd)
        case fail(APIError)
    }

    struct State {
        var lists: [ListStep] = []
        var watches: [WatchStep] = []
        var listRequests: [ListOptions] = []
        var watchRequests: [WatchOptions] = []
    }

    let state = Mutex(State())

    init(lists: [ListStep] = [], watches: [WatchStep] = []) {
        state.withLock {
            $0.lists = lists
            $0.watches = watches
        }
    }

    func script(lists: [ListStep] = [], watches: [WatchStep] = []) {
        state.withLock {
            $0.lists += lists
            $0.watches += watches
        }
    }

    var listRequests: [ListOptions] { state.withLock { $0.listRequests } }
    var watchRequests: [WatchOptions] { state.withLock { $0.watchRequests } }
    var listVersions: [String] { listRequests.map(\.resourceVersion) }
    var watchVersions: [String] { watchRequests.map(\.resourceVersion) }

    var listWatch: ListWatch<ConfigMap> {
        ListWatch(
            list: { options throws(APIError) in
                let step = self.state.withLock { s -> ListStep? in
                    s.listRequests.append(options)
                    return s.lists.isEmpty ? nil : s.lists.removeFirst()
                }
                switch step {
                case .items(let version, let items)?:
                    return ObjectList(metadata: ListMeta(resourceVersion: version), items: items)
                case .fail(let error)?:
                    throw error
                case nil:
                    await waitUntilCancelled()
                    throw APIError.serviceUnavailable("cancelled")
                }
            },
            watch: { options throws(APIError) in
                let step = self.state.withLock { s -> WatchStep? in
                    s.watchRequests.append(options)
                    return s.watches.isEmpty ? nil : s.watches.removeFirst()
                }
                switch step {
                case .events(let events, let end)?: return ScriptedWatch(events: events, end: end)
                case .fail(let error)?: throw error
                case nil: return ScriptedWatch(events: [], end: .hang)
                }
            }
        )
    }
}

/// Waits until the task is cancelled (an AsyncStream that never yields ends on cancellation).
func waitUntilCancelled() async {
    let (stream, continuation) = AsyncStream<Void>.makeStream()
    for await _ in stream {}
    continuation.finish()
}

struct ScriptedWatch: AsyncSequence, Sendable {
    typealias Element = WatchEvent<ConfigMap>
    typealias Failure = APIError

    let events: [WatchEvent<ConfigMap>]
    let end: ScriptedListWatch.WatchEnd

    func makeAsyncIterator() -> Iterator { Iterator(events: events, end: end) }

    struct Iterator: AsyncIteratorProtocol {
        let events: [WatchEvent<ConfigMap>]
        let end: ScriptedListWatch.WatchEnd
        var index = 0

        mutating func next() async throws(APIError) -> WatchEvent<ConfigMap>? {
            if index < events.count {
                defer { index += 1 }
                return events[index]
            }
            switch end {
            case .finish: return nil
            case .fail(let error): throw error
            case .failAfter(let clock, let delay, let error):
                try? await clock.sleep(until: clock.now.advanced(by: delay))
                throw error
            case .hang:
                await waitUntilCancelled()
                return nil
            }
        }
    }
}

func versioned(_ name: String, _ version: Int, namespace: String = "default") -> ConfigMap {
    var object = configMap(name, namespace: namespace, value: "v\(version)")
    object.metadata.resourceVersion = String(version)
    return object
}

func event(_ type: WatchEventType, _ name: String, _ version: Int) -> WatchEvent<ConfigMap> {
    WatchEvent(type: type, object: type == .bookmark ? nil : versioned(name, version), resourceVersion: String(version))
}
