import APIMachinery
import Informers
import Raft
import Reconcile
import Synchronization
import Testing

/// What a test reconciler saw: requests in order, with the virtual time of each.
final class ReconcileLog: Sendable {
    let entries = Mutex<[(request: Request, at: Duration)]>([])
    let clock: ManualClock

    init(clock: ManualClock) { self.clock = clock }

    func record(_ request: Request) { entries.withLock { $0.append((request, clock.now.offset)) } }
    var requests: [Request] { entries.withLock { $0.map(\.request) } }
    var times: [Duration] { entries.withLock { $0.map(\.at) } }
    var count: Int { entries.withLock { $0.count } }
}

@Suite("Controller, builder and manager", .timeLimit(.minutes(2)))
struct ControllerTests {
    static func configMap(_ name: String, _ data: [String: String] = [:]) -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name, namespace: "default"), data: data)
    }

    @Test("requeue(after:) brings the request back exactly when virtual time reaches it")
    func requeueAfter() async throws {
        let env = try await TestEnvironment.start()
        let log = ReconcileLog(clock: env.clock)
        env.controller(for: ConfigMap.self).complete(ReconcilerFunction { request in
            log.record(request)
            return log.count < 3 ? .requeue(after: .seconds(10)) : .done
        })
        _ = try await env.client.resource(ConfigMap.self, namespace: "default").create(Self.configMap("periodic"))
        try await env.settle()
        #expect(log.count == 1)
        try await env.advance(by: .milliseconds(9_999))
        #expect(log.count == 1)
        try await env.advance(by: .milliseconds(1))
        #expect(log.count == 2)
        try await env.advance(by: .seconds(60))
        #expect(log.times == [.zero, .seconds(10), .seconds(20)])
        await env.stop()
    }

    @Test("errors requeue with per-item exponential backoff: 5, 10, 20, 40 ms")
    func errorBackoff() async throws {
        let env = try await TestEnvironment.start()
        let log = ReconcileLog(clock: env.clock)
        let controller = env.controller(for: ConfigMap.self).complete(ReconcilerFunction { request in
            log.record(request)
            if log.count <= 4 { throw WebsiteError(description: "not yet") }
            return .done
        })
        _ = try await env.client.resource(ConfigMap.self, namespace: "default").create(Self.configMap("flaky"))
        try await env.settle()
        try await env.advance(by: .seconds(1))
        let start = log.times[0]
        #expect(log.times.map { $0 - start } == [.zero, .milliseconds(5), .milliseconds(15), .milliseconds(35), .milliseconds(75)])
        #expect(controller.statistics.errors == 4)
        #expect(controller.statistics.successes == 1)
        #expect(controller.recentErrors.count == 4)
        await env.stop()
    }

    @Test("watches maps another type's events to requests; predicates filter")
    func watchesWithMapping() async throws {
        let env = try await TestEnvironment.start()
        let log = ReconcileLog(clock: env.clock)
        env.controller(for: ConfigMap.self)
            .watches(Secret.self) { secret in [Request(namespace: secret.metadata.namespace, name: "config-of-\(secret.metadata.name)")] }
            .withPredicates(.labels(try LabelQuery(parsing: "team=shop")))
            .complete(ReconcilerFunction { request in
                log.record(request)
                return .done
            })
        var labelled = Self.configMap("labelled")
        labelled.metadata.labels = ["team": "shop"]
        _ = try await env.client.resource(ConfigMap.self, namespace: "default").create(labelled)
        _ = try await env.client.resource(ConfigMap.self, namespace: "default").create(Self.configMap("unlabelled"))
        _ = try await env.client.resource(Secret.self, namespace: "default")
            .create(Secret(metadata: ObjectMeta(name: "db", namespace: "default"), stringData: ["p": "w"]))
        try await env.settle()
        #expect(Set(log.requests.map(\.name)) == ["labelled", "config-of-db"])
        await env.stop()
    }

    @Test("concurrent reconciles never share a request and stay within the limit")
    func concurrency() async throws {
        let env = try await TestEnvironment.start()
        let active = Mutex<(keys: Set<Request>, peak: Int, overlaps: Int, done: Int)>(([], 0, 0, 0))
        var options = ControllerOptions()
        options.maxConcurrentReconciles = 4
        env.controller(for: ConfigMap.self).withOptions(options).complete(ReconcilerFunction { request in
            active.withLock { state in
                if !state.keys.insert(request).inserted { state.overlaps += 1 }
                state.peak = max(state.peak, state.keys.count)
            }
            for _ in 0..<3 { await Task.yield() }
            active.withLock { state in
                state.keys.remove(request)
                state.done += 1
            }
            return .done
        })
        let maps = env.client.resource(ConfigMap.self, namespace: "default")
        for index in 0..<20 { _ = try await maps.create(Self.configMap("m\(index)")) }
        for index in 0..<20 { _ = try await maps.patch("m\(index)", type: .merge, ["data": ["v": "2"]]) }
        try await env.settle()
        let result = active.withLock { $0 }
        #expect(result.overlaps == 0)
        #expect(result.peak <= 4)
        #expect(result.done >= 20)
        await env.stop()
    }

    @Test("a request added while it is being reconciled runs again afterwards, once")
    func addWhileProcessing() async throws {
        let env = try await TestEnvironment.start()
        let log = ReconcileLog(clock: env.clock)
        let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let entered = Mutex(false)
        env.controller(for: ConfigMap.self).complete(ReconcilerFunction { request in
            log.record(request)
            if log.count == 1 {
                await withCheckedContinuation { continuation in
                    gate.withLock { $0 = continuation }
                    entered.withLock { $0 = true }
                }
            }
            return .done
        })
        let maps = env.client.resource(ConfigMap.self, namespace: "default")
        _ = try await maps.create(Self.configMap("busy"))
        while !entered.withLock({ $0 }) { await Task.yield() }
        for value in 0..<5 { _ = try await maps.patch("busy", type: .merge, ["data": ["v": .string("\(value)")]]) }
        // Until the informer has dispatched the last patch to the controller's queue.
        let lister = env.manager.informers.informer(for: ConfigMap.self).lister
        while lister.get("busy", namespace: "default")?.data?["v"] != "4" || !env.manager.informers.isIdle {
            try await Task.sleep(for: .milliseconds(1))
        }
        gate.withLock { $0 }?.resume()
        try await env.settle()
        #expect(log.count == 2)
        await env.stop()
    }

    @Test("a manager runs once: a second run, concurrent or later, is refused")
    func managerRunsOnce() async throws {
        let env = try await TestEnvironment.start()
        await #expect(throws: ManagerError.self) { try await env.manager.run() }
        await env.stop()
        await #expect(throws: ManagerError.self) { try await env.manager.run() }
    }

    @Test("a fault injector fails matching requests until cleared, and logs every request")
    func faultInjection() async throws {
        let env = try await TestEnvironment.start()
        let faults = FaultInjector()
        faults.fail(verb: "create", Secret.self, times: nil, with: .internalError("etcd is on fire"))
        let client = env.client(faults: faults)
        let controller = env.controller(for: ConfigMap.self).complete(ReconcilerFunction { request in
            let secrets = client.resource(Secret.self, namespace: request.namespace)
            if (try? await secrets.get("\(request.name)-secret")) == nil {
                _ = try await secrets.create(Secret(metadata: ObjectMeta(name: "\(request.name)-secret",
                    namespace: request.namespace), stringData: ["from": request.name]))
            }
            return .done
        })
        _ = try await env.client.resource(ConfigMap.self, namespace: "default").create(Self.configMap("app"))
        try await env.advance(by: .milliseconds(100))
        #expect(controller.statistics.errors >= 3)
        #expect(faults.requests(verb: "create").count == controller.statistics.errors)
        #expect(faults.failedRequests.allSatisfy { $0.verb == "create" && $0.resource.resource == "secrets" })
        #expect(faults.requests(verb: "get").count == controller.statistics.errors)
        await #expect(throws: APIError.self) {
            _ = try await env.client.resource(Secret.self, namespace: "default").get("app-secret")
        }

        faults.clear()
        try await env.advance(by: .seconds(2))
        #expect(try await env.client.resource(Secret.self, namespace: "default").get("app-secret").metadata.name == "app-secret")
        #expect(controller.statistics.successes == 1)
        await env.stop()
    }
}
