import APIMachinery
import Informers
import Testing

@Suite("Indexer", .timeLimit(.minutes(2)))
struct IndexerTests {
    @Test("ObjectKey parses, prints and orders namespace/name")
    func objectKey() {
        #expect(ObjectKey(parsing: "ns/a") == ObjectKey(namespace: "ns", name: "a"))
        #expect(ObjectKey(parsing: "node-1") == ObjectKey(name: "node-1"))
        #expect(ObjectKey(parsing: "") == nil)
        #expect(ObjectKey(parsing: "a/b/c") == nil)
        #expect(ObjectKey(parsing: "/a") == nil)
        #expect(ObjectKey(namespace: "ns", name: "a").description == "ns/a")
        #expect(ObjectKey(name: "a").description == "a")
        #expect(ObjectKey(namespace: "a", name: "z") < ObjectKey(namespace: "b", name: "a"))
        #expect(ObjectKey(ObjectMeta(name: "x", namespace: "y")) == ObjectKey(namespace: "y", name: "x"))
    }

    @Test("add, update, delete, get, list, keys and count")
    func basics() throws {
        let indexer = Indexer<ConfigMap>()
        indexer.add(configMap("a", namespace: "one"))
        indexer.add(configMap("b", namespace: "two"))
        indexer.update(configMap("a", namespace: "one", value: "changed"))
        #expect(indexer.count == 2)
        #expect(indexer.get(ObjectKey(namespace: "one", name: "a"))?.data?["key"] == "changed")
        #expect(Set(indexer.keys()) == [ObjectKey(namespace: "one", name: "a"), ObjectKey(namespace: "two", name: "b")])
        indexer.delete(configMap("a", namespace: "one"))
        #expect(indexer.get(ObjectKey(namespace: "one", name: "a")) == nil)
        #expect(indexer.list().map(\.metadata.name) == ["b"])
        #expect(try indexer.byIndex(Indexer<ConfigMap>.namespaceIndex, "one").isEmpty)
    }

    @Test("the namespace index follows adds, deletes and replace")
    func namespaceIndex() throws {
        let indexer = Indexer<ConfigMap>()
        for i in 0..<6 { indexer.add(configMap("cm-\(i)", namespace: i % 2 == 0 ? "even" : "odd")) }
        #expect(try Set(indexer.byIndex("namespace", "even").map(\.metadata.name)) == ["cm-0", "cm-2", "cm-4"])
        #expect(try Set(indexer.indexValues("namespace")) == ["even", "odd"])
        indexer.replace([configMap("x", namespace: "third")])
        #expect(try indexer.indexValues("namespace") == ["third"])
        #expect(try indexer.byIndex("namespace", "even").isEmpty)
        #expect(try indexer.indexKeys("namespace", "third") == [ObjectKey(namespace: "third", name: "x")])
    }

    @Test("custom index functions with several values, maintained when an update changes them")
    func customIndex() throws {
        let indexer = Indexer<ConfigMap>(indexers: [
            "label": { object in object.metadata.labels.map { "\($0.key)=\($0.value)" } }
        ])
        indexer.add(configMap("a", labels: ["app": "web", "tier": "front"]))
        indexer.add(configMap("b", labels: ["app": "web"]))
        #expect(try Set(indexer.indexKeys("label", "app=web").map(\.name)) == ["a", "b"])
        #expect(try indexer.indexKeys("label", "tier=front").map(\.name) == ["a"])
        // The update moves "a" out of app=web and tier=front, into app=db.
        indexer.update(configMap("a", labels: ["app": "db"]))
        #expect(try indexer.indexKeys("label", "app=web").map(\.name) == ["b"])
        #expect(try indexer.indexKeys("label", "tier=front").isEmpty)
        #expect(try Set(indexer.indexValues("label")) == ["app=web", "app=db"])
        #expect(try indexer.index("label", matching: configMap("probe", labels: ["app": "db"])).map(\.metadata.name) == ["a"])
        indexer.delete(configMap("b"))
        #expect(try indexer.indexValues("label") == ["app=db"])
    }

    @Test("unknown indices and duplicate index names are errors; new indexers index existing items")
    func errors() throws {
        let indexer = Indexer<ConfigMap>()
        indexer.add(configMap("a", labels: ["app": "web"]))
        #expect(throws: InformerError.self) { try indexer.byIndex("nope", "x") }
        #expect(throws: InformerError.self) { try indexer.indexKeys("nope", "x") }
        #expect(throws: InformerError.self) { try indexer.indexValues("nope") }
        #expect(throws: InformerError.self) { try indexer.index("nope", matching: configMap("a")) }
        do {
            _ = try indexer.byIndex("nope", "x")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .unknownIndex)
        }
        do {
            try indexer.addIndexers(["namespace": { _ in [] }])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .indexExists)
        }
        try indexer.addIndexers(["app": { [$0.metadata.labels["app"] ?? ""] }])
        #expect(try indexer.byIndex("app", "web").map(\.metadata.name) == ["a"])
    }

    @Test("Lister: get, list by namespace and selector, byIndex")
    func lister() throws {
        let indexer = Indexer<ConfigMap>()
        indexer.add(configMap("b", namespace: "one", labels: ["app": "web"]))
        indexer.add(configMap("a", namespace: "one", labels: ["app": "db"]))
        indexer.add(configMap("c", namespace: "two", labels: ["app": "web"]))
        let lister = Lister(indexer: indexer)
        #expect(lister.get("a", namespace: "one")?.metadata.labels["app"] == "db")
        #expect(lister.get("a") == nil)
        #expect(lister.list().map(\.metadata.name) == ["a", "b", "c"])
        #expect(lister.list(namespace: "one").map(\.metadata.name) == ["a", "b"])
        #expect(lister.list(selector: LabelQuery(matching: ["app": "web"])).map(\.metadata.name) == ["b", "c"])
        #expect(lister.list(namespace: "two", selector: try LabelQuery(parsing: "app=web")).map(\.metadata.name) == ["c"])
        #expect(try lister.byIndex("namespace", "two").map(\.metadata.name) == ["c"])
    }

    @Test("the namespace index comes with custom indexers unless turned off, and follows adds and deletes")
    func namespaceIndexWithCustomIndexers() throws {
        let both = Indexer<ConfigMap>(indexers: ["label": { $0.metadata.labels.map { "\($0.key)=\($0.value)" } }])
        both.add(configMap("a", namespace: "one"))
        both.add(configMap("b", namespace: "two"))
        both.update(configMap("a", namespace: "one", labels: ["x": "y"]))
        #expect(try both.indexKeys(Indexer<ConfigMap>.namespaceIndex, "one").map(\.name) == ["a"])
        #expect(try Set(both.indexValues(Indexer<ConfigMap>.namespaceIndex)) == ["one", "two"])
        both.delete(configMap("a", namespace: "one"))
        #expect(try both.indexValues(Indexer<ConfigMap>.namespaceIndex) == ["two"])
        #expect(try both.index(Indexer<ConfigMap>.namespaceIndex, matching: configMap("probe", namespace: "two"))
            .map(\.metadata.name) == ["b"])

        let labelsOnly = Indexer<ConfigMap>(indexers: ["label": { _ in [] }], indexesNamespaces: false)
        #expect(throws: InformerError.self) { try labelsOnly.byIndex(Indexer<ConfigMap>.namespaceIndex, "one") }
    }
}
