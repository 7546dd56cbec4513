import Testing

@testable import APIMachinery

@Suite("Copy-on-write object storage")
struct CopyOnWriteTests {
    static func pod(_ name: String = "web-0") -> Pod {
        Pod(
            metadata: ObjectMeta(name: name, namespace: "default", labels: ["app": "web"]),
            spec: PodSpec(containers: [Container(name: "app", image: "nginx")], nodeName: "node-1"),
            status: PodStatus(phase: "Running"))
    }

    @Test("a copy is one reference and shares its members until mutated")
    func copiesShare() {
        #expect(MemoryLayout<Pod>.size == MemoryLayout<Int>.size)
        #expect(MemoryLayout<Deployment>.size == MemoryLayout<Int>.size)
        #expect(MemoryLayout<ReplicaSet>.size == MemoryLayout<Int>.size)
        #expect(MemoryLayout<StatefulSet>.size == MemoryLayout<Int>.size)
        #expect(MemoryLayout<Node>.size == MemoryLayout<Int>.size)
        let original = Self.pod()
        let copy = original
        #expect(copy.storage.identity == original.storage.identity)
        let boxed: any APIObject = original
        #expect((boxed as? Pod)?.storage.identity == original.storage.identity)
    }

    @Test("mutating a copy leaves the original unchanged (metadata, spec and status)")
    func valueSemantics() {
        let original = Self.pod()
        var copy = original
        copy.metadata.labels["tier"] = "front"
        #expect(copy.storage.identity != original.storage.identity)
        #expect(original.metadata.labels == ["app": "web"])
        #expect(copy.metadata.labels == ["app": "web", "tier": "front"])

        var second = original
        second.spec?.nodeName = "node-2"
        second.status = nil
        #expect(original.spec?.nodeName == "node-1")
        #expect(original.status?.phase == "Running")
        #expect(second.spec?.nodeName == "node-2")
        #expect(second.status == nil)

        var third = original
        third.spec = nil
        #expect(original.spec?.containers?.first?.image == "nginx")
    }

    @Test("a uniquely referenced object is mutated in place; a shared one is copied first")
    func uniqueMutationInPlace() {
        var pod = Self.pod()
        let identity = pod.storage.identity
        pod.metadata.name = "web-1"
        pod.spec?.nodeName = "node-2"
        pod.status = nil
        #expect(pod.storage.identity == identity)
        let shared = pod
        pod.metadata.name = "web-2"
        #expect(pod.storage.identity != identity)
        #expect(shared.storage.identity == identity)
        #expect(shared.metadata.name == "web-1")
        #expect(pod.metadata.name == "web-2")
    }

    @Test("equality and hashing are by value, not by box")
    func equalityByValue() {
        let first = Self.pod()
        let second = Self.pod()
        #expect(first.storage.identity != second.storage.identity)
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        #expect(Set([first, second]).count == 1)
        var changed = second
        changed.status?.phase = "Failed"
        #expect(first != changed)
        #expect(Deployment(metadata: ObjectMeta(name: "d")) == Deployment(metadata: ObjectMeta(name: "d")))
        #expect(Node(metadata: ObjectMeta(name: "n")) != Node(metadata: ObjectMeta(name: "m")))
    }

    @Test("JSON omits absent members, keeps their order and decodes a missing metadata as empty")
    func coding() throws {
        let json = #"{"metadata":{"name":"web-0","creationTimestamp":null},"status":{"phase":"Running"}}"#
        let pod = try JSONValueDecoder().decode(Pod.self, from: Array(json.utf8))
        #expect(pod.metadata.name == "web-0")
        #expect(pod.spec == nil)
        let encoded = String(decoding: try JSONValueEncoder().encodeBytes(pod), as: UTF8.self)
        #expect(encoded == json)
        let empty = try JSONValueDecoder().decode(ReplicaSet.self, from: Array("{}".utf8))
        #expect(empty == ReplicaSet())
        let encodedEmpty = String(decoding: try JSONValueEncoder().encodeBytes(empty), as: UTF8.self)
        #expect(encodedEmpty == #"{"metadata":{"creationTimestamp":null}}"#)
    }

    @Test("copies sent to other tasks stay independent")
    func concurrentCopies() async {
        let original = Self.pod()
        let names = await withTaskGroup(of: String.self) { group in
            for index in 0..<8 {
                group.addTask {
                    var mine = original
                    mine.metadata.name = "web-\(index + 1)"
                    return mine.metadata.name
                }
            }
            var names: Set<String> = []
            for await name in group { names.insert(name) }
            return names
        }
        #expect(names.count == 8)
        #expect(original.metadata.name == "web-0")
    }
}
