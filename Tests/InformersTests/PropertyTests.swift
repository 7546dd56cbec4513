import APIMachinery
import Informers
import Raft
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("Informer properties", .timeLimit(.minutes(2)))
struct PropertyTests {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test("random creates, updates and deletes: the cache equals a fresh list, handlers see every version in order",
        arguments: [UInt64(1), 2, 3])
    func randomOperations(seedOffset: UInt64) async throws {
        // INFORMER_SEED=<seed> reproduces a run.
        let seed = (getenv("INFORMER_SEED").flatMap { UInt64(String(cString: $0)) } ?? UInt64.random(in: 1...UInt64.max))
            &+ seedOffset
        print("Informer property test seed: \(seed &- seedOffset) (+\(seedOffset)); reproduce with INFORMER_SEED=\(seed &- seedOffset)")
        var random = Generator(state: seed)
        try await withTestServer { server, _ in
            let client = server.client().resource(ConfigMap.self, namespace: "default")
            var options = InformerOptions<ConfigMap>()
            options.clock = ManualClock()
            let informer = SharedInformer(listWatch: ListWatch(client), options: options)
            let recorders = [Recorder<ConfigMap>(), Recorder<ConfigMap>()]
            for recorder in recorders { informer.addEventHandler(recorder) }
            var written: [ObjectKey: [UInt64]] = [:]
            var live: [String: ConfigMap] = [:]
            try await running(informer.run) {
                #expect(await informer.waitForSync())
                for _ in 0..<200 {
                    let name = "cm-\(Int.random(in: 0..<12, using: &random))"
                    let key = ObjectKey(namespace: "default", name: name)
                    if var object = live[name] {
                        if Bool.random(using: &random) {
                            object.data = ["key": String(Int.random(in: 0..<1000, using: &random))]
                            let updated = try await client.update(object)
                            live[name] = updated
                            // An update that changes nothing keeps the version and sends no event.
                            let version = UInt64(updated.metadata.resourceVersion)!
                            if written[key]?.last != version { written[key, default: []].append(version) }
                        } else {
                            _ = try await client.delete(name)
                            live[name] = nil
                            // A delete's revision is not in the response: 0 matches any version.
                            written[key, default: []].append(0)
                        }
                    } else {
                        let created = try await client.create(configMap(name, value: "new"))
                        live[name] = created
                        written[key, default: []].append(UInt64(created.metadata.resourceVersion)!)
                    }
                }
                let fresh = try await client.list()
                let revision = UInt64(fresh.metadata.resourceVersion ?? "0") ?? 0
                #expect(await eventually { informer.processedResourceVersion >= revision && informer.isIdle })
                let cached = informer.lister.list().map { "\($0.metadata.name)@\($0.metadata.resourceVersion)" }
                let listed = fresh.items.map { "\($0.metadata.name)@\($0.metadata.resourceVersion)" }.sorted()
                #expect(cached.sorted() == listed, "seed \(seed)")
            }
            for recorder in recorders {
                let (problems, versions) = checkHistory(recorder.history)
                #expect(problems.isEmpty, "seed \(seed): \(problems)")
                for (key, expected) in written {
                    let seen = versions[key] ?? []
                    let matches = seen.count == expected.count && zip(seen, expected).allSatisfy { $1 == 0 || $0 == $1 }
                    #expect(matches, "seed \(seed): \(key) saw \(seen), wrote \(expected)")
                }
            }
        }
    }
}
