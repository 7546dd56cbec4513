public import APIMachinery
import Synchronization

/// Makes a client's requests fail on purpose, for testing how a reconciler copes (a ``RequestInterceptor``).
/// Rules match requests by verb, resource, namespace, name and subresource; each fails a given number of
/// matching requests (or all) with an API error. Every request is also logged, so a test can assert what a
/// reconciler did (or did not do).
///
/// ```swift
/// let faults = FaultInjector()
/// faults.fail(verb: "update", resource: Deployment.self, times: 2, with: .conflict(…))
/// let client = env.client(faults: faults)
/// ```
public final class FaultInjector: RequestInterceptor {
    /// Which requests a rule applies to; nil matches anything.
    public struct Match: Sendable, Hashable {
        public var verb: String?
        public var resource: GroupResource?
        public var namespace: String?
        public var name: String?
        public var subresource: String?

        public init(
            verb: String? = nil, resource: GroupResource? = nil, namespace: String? = nil, name: String? = nil,
            subresource: String? = nil
        ) {
            self.verb = verb
            self.resource = resource
            self.namespace = namespace
            self.name = name
            self.subresource = subresource
        }

        func matches(_ request: ClientRequest) -> Bool {
            (verb == nil || verb == request.verb) && (resource == nil || resource == request.resource)
                && (namespace == nil || namespace == request.namespace) && (name == nil || name == request.name)
                && (subresource == nil || subresource == request.subresource)
        }
    }

    struct Rule: Sendable {
        var match: Match
        var error: APIError
        /// Failures left; nil: every matching request fails.
        var remaining: Int?
    }

    struct State: Sendable {
        var rules: [Rule] = []
        var log: BoundedHistory<ClientRequest>
        var failures: BoundedHistory<ClientRequest>
    }

    let state: Mutex<State>
    /// Requests kept in ``requests`` and ``failedRequests`` (the oldest are dropped).
    public let logLimit: Int

    public init(logLimit: Int = 10_000) {
        self.logLimit = logLimit
        state = Mutex(State(log: BoundedHistory(limit: logLimit), failures: BoundedHistory(limit: logLimit)))
    }

    /// Fails the next `times` matching requests (nil: all of them, until ``clear()``) with `error`.
    public func fail(_ match: Match, times: Int? = 1, with error: APIError) {
        state.withLock { $0.rules.append(Rule(match: match, error: error, remaining: times)) }
    }

    /// Fails the next `times` requests with `verb` on `R` (optionally one object) with `error`.
    public func fail<R: Resource>(
        verb: String, _ type: R.Type, name: String? = nil, subresource: String? = nil, times: Int? = 1,
        with error: APIError
    ) {
        fail(Match(verb: verb, resource: R.descriptor.groupResource, name: name, subresource: subresource),
            times: times, with: error)
    }

    /// Answers the next `times` updates and patches of an `R` with 409 Conflict, as if another writer had
    /// just changed the object.
    public func conflict<R: Resource>(onUpdateOf type: R.Type, name: String? = nil, times: Int = 1) {
        let resource = R.descriptor.groupResource
        let error = APIError.conflict(resource, name: name ?? "", detail: "the object has been modified; please apply your changes to the latest version and try again")
        fail(Match(verb: "update", resource: resource, name: name), times: times, with: error)
        fail(Match(verb: "patch", resource: resource, name: name), times: times, with: error)
    }

    /// Removes every rule (the log stays).
    public func clear() { state.withLock { $0.rules.removeAll() } }

    /// Requests seen, oldest first (failed ones included).
    public var requests: [ClientRequest] { state.withLock { $0.log.elements } }

    /// Requests this injector failed.
    public var failedRequests: [ClientRequest] { state.withLock { $0.failures.elements } }

    /// Requests seen with a verb (`"create"`, `"update"`…).
    public func requests(verb: String) -> [ClientRequest] { requests.filter { $0.verb == verb } }

    public func intercept(_ request: ClientRequest) async throws(APIError) {
        let error = state.withLock { state -> APIError? in
            state.log.append(request)
            guard let index = state.rules.firstIndex(where: { $0.match.matches(request) }) else { return nil }
            let error = state.rules[index].error
            if let remaining = state.rules[index].remaining {
                if remaining <= 1 { state.rules.remove(at: index) } else { state.rules[index].remaining = remaining - 1 }
            }
            state.failures.append(request)
            return error
        }
        if let error { throw error }
    }
}
