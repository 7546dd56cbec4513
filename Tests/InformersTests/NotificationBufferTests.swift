import APIMachinery
import Testing

@testable import Informers

@Suite("Handler buffer spill", .timeLimit(.minutes(2)))
struct NotificationBufferTests {
    typealias Buffer = NotificationBuffer<ConfigMap>

    func entry(_ event: InformerEvent<ConfigMap>, before: ConfigMap? = nil) -> Buffer.Entry {
        let object: ConfigMap = switch event {
        case .added(let object, _): object
        case .updated(_, let object): object
        case .deleted(let deleted): deleted.object
        }
        return Buffer.Entry(key: ObjectKey(object.metadata), event: event, before: before)
    }

    func describe(_ event: InformerEvent<ConfigMap>) -> String {
        switch event {
        case .added(let object, let initial): "add \(object.metadata.name)@\(object.metadata.resourceVersion)\(initial ? " initial" : "")"
        case .updated(let old, let new): "update \(new.metadata.name)@\(old.metadata.resourceVersion)->\(new.metadata.resourceVersion)"
        case .deleted(let deleted): "delete \(deleted.object.metadata.name)@\(deleted.object.metadata.resourceVersion)"
        }
    }

    /// Fills a capacity-1 buffer with `x`, then pushes `events` (all spilled) and drains everything.
    func spill(_ events: [Buffer.Entry]) async -> [String] {
        let buffer = Buffer(capacity: 1)
        buffer.push([entry(.added(versioned("x", 1), isInInitialList: false))])?.resume()
        buffer.push(events)?.resume()
        var out: [String] = []
        while buffer.pendingCount > 0, let batch = await buffer.next(max: 10) {
            out += batch.map { describe($0.event) }
        }
        return Array(out.dropFirst())
    }

    @Test("spilled notifications of one object merge from the first old state to the latest new state")
    func mergeRules() async {
        let a1 = versioned("a", 1), a2 = versioned("a", 2), a3 = versioned("a", 3), a4 = versioned("a", 4)
        // add + update = add(latest)
        #expect(await spill([entry(.added(a1, isInInitialList: true)), entry(.updated(old: a1, new: a2))])
            == ["add a@2 initial"])
        // add + delete = nothing
        #expect(await spill([entry(.added(a1, isInInitialList: false)), entry(.deleted(.object(a2)), before: a1)])
            == [])
        // update + update = update(first old, latest)
        #expect(await spill([entry(.updated(old: a1, new: a2)), entry(.updated(old: a2, new: a3))])
            == ["update a@1->3"])
        // update + delete = delete
        #expect(await spill([entry(.updated(old: a1, new: a2)), entry(.deleted(.object(a3)), before: a2)])
            == ["delete a@3"])
        // delete + add = update(the state before the delete, the new object)
        #expect(await spill([entry(.deleted(.object(a2)), before: a1), entry(.added(a3, isInInitialList: false))])
            == ["update a@1->3"])
        // update + delete + add + update = update(first old, latest)
        #expect(await spill([entry(.updated(old: a1, new: a2)), entry(.deleted(.object(a3)), before: a2),
            entry(.added(a3, isInInitialList: false)), entry(.updated(old: a3, new: a4))]) == ["update a@1->4"])
    }

    @Test("spilled objects keep their first-spill order and stay behind the ring")
    func order() async {
        let buffer = Buffer(capacity: 2)
        for (name, version) in [("a", 1), ("b", 2), ("c", 3), ("d", 4), ("c", 5), ("a", 6)] {
            let object = versioned(name, version)
            buffer.push([entry(.added(object, isInInitialList: false))])?.resume()
        }
        #expect(buffer.pendingCount == 5)  // a and b in the ring; c, d, a spilled
        var out: [String] = []
        while buffer.pendingCount > 0, let batch = await buffer.next(max: 1) { out += batch.map { describe($0.event) } }
        #expect(out == ["add a@1", "add b@2", "add c@5", "add d@4", "add a@6"])
        buffer.finish()
        #expect(buffer.isIdle)
    }
}
