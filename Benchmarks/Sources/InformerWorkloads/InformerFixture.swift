import APIMachinery
import Informers
import Store
import StoreWorkloads
import Synchronization

/// An API server on an in-memory store, populated by writing stored objects straight into the store in
/// large transactions (setup only: the API create path runs ~20k/s, this ~10× faster). The server's
/// watch cache and every informer see these writes exactly as they see API writes.
public struct InformerFixture: Sendable {
    public static let namespace = "bench"

    public let server: APIServer
    public let store: KeyValueStore
    public let client: Client

    public static func start() async throws -> InformerFixture {
        let store = try await KeyValueStore.inMemory()
        let server = APIServer(store: store)
        let client = server.client()
        _ = try await client.resource(Namespace.self).create(Namespace(metadata: ObjectMeta(name: namespace)))
        return InformerFixture(server: server, store: store, client: client)
    }

    public func stop() async {
        server.close()
        await store.close()
    }

    /// A realistic Pod as stored: name, namespace, uid, labels, one container with image, ports and
    /// resources, and a node.
    public static func pod(_ index: Int) -> Pod {
        Pod(
            metadata: ObjectMeta(
                name: "feastflow-backend-\(index)", namespace: namespace, uid: uid(index),
                creationTimestamp: Time(secondsSinceEpoch: 1_700_000_000),
                labels: ["app": "feastflow", "tier": "backend", "shard": String(index % 16)]),
            spec: PodSpec(
                containers: [
                    Container(
                        name: "app", image: "registry.local/feastflow/backend:1.4",
                        ports: [ContainerPort(name: "http", containerPort: 8080)],
                        resources: ResourceRequirements(
                            limits: ["cpu": "500m", "memory": "256Mi"], requests: ["cpu": "100m", "memory": "128Mi"]))
                ],
                nodeName: "node-\(index % 500)"))
    }

    static func uid(_ index: Int) -> String {
        var hex = String(index, radix: 16)
        hex = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        return "6f1c2a4e-8b7d-4c3a-9e21-\(hex)"
    }

    /// The stored form of an object: `kind` and `apiVersion` first, like the API server writes it.
    static func stored(_ object: some Encodable, kind: String, apiVersion: String) throws -> [UInt8] {
        let body = try JSONValueEncoder().encodeBytes(object)
        return Array("{\"kind\":\"\(kind)\",\"apiVersion\":\"\(apiVersion)\",".utf8) + body.dropFirst()
    }

    /// Writes `count` Pods in transactions of `batch` (the store's limit is 128 operations), `writers` at a
    /// time; returns the total size of the stored Pods' JSON.
    @discardableResult
    public func populatePods(_ count: Int, batch: Int = 128, writers: Int = 8) async throws -> Int {
        try await forEachBatch(count, batch: batch, writers: writers) { range in
            var bytes = 0
            var puts: [RequestOp] = []
            puts.reserveCapacity(range.count)
            for index in range {
                let value = try Self.stored(Self.pod(index), kind: "Pod", apiVersion: "v1")
                bytes += value.count
                let key = Array("/registry/core/pods/\(Self.namespace)/feastflow-backend-\(index)".utf8)
                puts.append(.put(PutRequest(key: key, value: value)))
            }
            _ = try await store.txn(TxnRequest(success: puts))
            return bytes
        }
    }

    /// Runs `body` over `0..<count` in chunks of `batch`, `writers` chunks at a time; sums the results.
    func forEachBatch(
        _ count: Int, batch: Int, writers: Int, _ body: @escaping @Sendable (Range<Int>) async throws -> Int
    ) async throws -> Int {
        let tickets = Tally((count + batch - 1) / batch)
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<writers {
                group.addTask {
                    var total = 0
                    while let chunk = tickets.take() {
                        let start = chunk * batch
                        total += try await body(start..<min(count, start + batch))
                    }
                    return total
                }
            }
            return try await group.reduce(0, +)
        }
    }

    /// Writes `count` ConfigMaps `name-<i>` (version `round` in their data) in transactions of `batch`.
    public func writeConfigMaps(_ count: Int, round: Int, batch: Int) async throws {
        precondition(batch <= 128, "the store allows 128 operations per transaction")
        var start = 0
        while start < count {
            let end = min(count, start + batch)
            var puts: [RequestOp] = []
            puts.reserveCapacity(end - start)
            for index in start..<end {
                let name = "cm-\(index)"
                let value = Array(("{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"\(name)\","
                    + "\"namespace\":\"\(Self.namespace)\",\"uid\":\"\(Self.uid(index))\","
                    + "\"creationTimestamp\":\"2023-11-14T22:13:20Z\"},\"data\":{\"round\":\"\(round)\"}}").utf8)
                puts.append(.put(PutRequest(key: Array("/registry/core/configmaps/\(Self.namespace)/\(name)".utf8),
                    value: value)))
            }
            _ = try await store.txn(TxnRequest(success: puts))
            start = end
        }
    }
}
