import APIMachinery
import Informers
import Raft
import Testing
import TestSupport

@Suite("Handler isolation", .timeLimit(.minutes(2)))
struct HandlerIsolationTests {
    @Test("a blocked handler delays nobody; once unblocked it gets every object's final state, per-object order kept")
    func blockedHandler() async throws {
        try await withTestServer { server, _ in
            let client = server.client().resource(ConfigMap.self, namespace: "default")
            var options = InformerOptions<ConfigMap>()
            options.clock = ManualClock()
            options.handlerBufferCapacity = 4
            let informer = SharedInformer(listWatch: ListWatch(client), options: options)
            let fast = [Recorder<ConfigMap>(), Recorder<ConfigMap>()]
            for recorder in fast { informer.addEventHandler(recorder) }
            let gate = Gate()
            let slow = Recorder<ConfigMap>()
            informer.addEventHandler(ResourceEventHandlerFunctions<ConfigMap>(
                onAdd: { object, initial in
                    await gate.wait()
                    await slow.onAdd(object, isInInitialList: initial)
                },
                onUpdate: { old, new in
                    await gate.wait()
                    await slow.onUpdate(old: old, new: new)
                },
                onDelete: { deleted in
                    await gate.wait()
                    await slow.onDelete(deleted)
                }))
            try await running(informer.run) {
                #expect(await informer.waitForSync())
                var written = 0
                var objects: [ConfigMap] = []
                for i in 0..<20 {
                    objects.append(try await client.create(configMap("cm-\(i)")))
                    written += 1
                }
                for round in 0..<2 {
                    for i in objects.indices {
                        objects[i].data = ["key": "round-\(round)"]
                        objects[i] = try await client.update(objects[i])
                        written += 1
                    }
                }
                for i in 0..<5 {
                    _ = try await client.delete("cm-\(i)")
                    written += 1
                }
                for i in 0..<2 {
                    _ = try await client.create(configMap("cm-\(i)", value: "recreated"))
                    written += 1
                }
                // The fast handlers got everything while the slow one is still stuck on its first call.
                #expect(await eventually { fast.allSatisfy { $0.count == written } })
                #expect(slow.count == 0)
                #expect(!informer.isIdle)
                // Its memory is bounded: 4 buffered notifications plus at most one per object.
                #expect(informer.pendingNotifications <= 4 + 20)
                gate.open()
                #expect(await eventually { informer.isIdle })
            }
            for recorder in fast {
                let (problems, _) = checkHistory(recorder.history)
                #expect(problems.isEmpty, "\(problems)")
            }
            let (problems, versions) = checkHistory(slow.history)
            #expect(problems.isEmpty, "\(problems)")
            #expect(slow.count < fast[0].count)
            // The last notification of every object is its final state.
            let cached = Dictionary(uniqueKeysWithValues: informer.lister.list().map {
                (ObjectKey($0.metadata), UInt64($0.metadata.resourceVersion)!)
            })
            #expect(cached.count == 17)
            for (key, version) in cached { #expect(versions[key]?.last == version, "\(key)") }
            let deleted = slow.history.filter { $0.kind == .delete }.map(\.key.name)
            #expect(Set(deleted).isSubset(of: ["cm-2", "cm-3", "cm-4"]))
            for name in ["cm-2", "cm-3", "cm-4"] {
                #expect(slow.history.last { $0.key.name == name }?.kind != .add)
                #expect(informer.lister.get(name, namespace: "default") == nil)
            }
        }
    }
}
