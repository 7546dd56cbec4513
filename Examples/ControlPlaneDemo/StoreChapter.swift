import Raft
import Store
import Synchronization

/// Chapter 2 of the demo: the store. Three `KeyValueStore` members in one process on an in-memory
/// network (real time, short timeouts). Keys are written through the Raft-backed store while a watch
/// follows them; the member serving the watch — the leader — is killed; the watch resumes on a
/// survivor from the next revision, and the revisions it saw run without a gap or a duplicate.
final class StoreChapter: Sendable {
    struct Member {
        var store: KeyValueStore
        var storage: MemoryStorage
        var task: Task<Void, any Error>?
    }

    let network = InMemoryNetwork(seed: 7)
    let members = Mutex<[UInt64: Member]>([:])
    let options: KeyValueStore.Options = {
        var options = KeyValueStore.Options()
        options.raft.heartbeatInterval = .milliseconds(10)
        options.raft.electionTimeout = .milliseconds(100)
        options.raft.requestTimeout = .seconds(2)
        return options
    }()

    /// Revisions the client's watch delivered, across both members that served it.
    let seen = Mutex<[Int64]>([])

    func follow(_ watch: Watch, on id: UInt64) -> Task<Void, Never> {
        Task {
            do {
                for try await response in watch {
                    for event in response.events {
                        let key = String(decoding: event.kv.key, as: UTF8.self)
                        let value = String(decoding: event.kv.value, as: UTF8.self)
                        show("   watch@\(id)  rev \(event.kv.modRevision)  \(event.kind)  \(key)\(event.kind == .put ? " = \(value)" : "")")
                        seen.withLock { $0.append(event.kv.modRevision) }
                    }
                }
            } catch {
                show("   watch@\(id) ended: \((error as? StoreError)?.code.description ?? "\(error)")")
            }
        }
    }

    func show(_ text: String) {
        print(text)
    }

    func start(_ id: UInt64, storage: MemoryStorage) throws {
        let store = try KeyValueStore(member: id, storage: storage, transport: network.transport(for: id), clock: ContinuousClock(), options: options)
        network.register(id, store.raft)
        let task = Task { try await store.run() }
        members.withLock { $0[id] = Member(store: store, storage: storage, task: task) }
    }

    func kill(_ id: UInt64) async {
        network.unregister(id)
        let task = members.withLock { m -> Task<Void, any Error>? in
            defer { m[id]?.task = nil }
            return m[id]?.task
        }
        task?.cancel()
        _ = await task?.result
    }

    func live() -> [UInt64: KeyValueStore] {
        members.withLock { $0.filter { $0.value.task != nil }.mapValues(\.store) }
    }

    func leader(excluding: UInt64 = 0) async -> UInt64? {
        for _ in 0..<500 {
            if let (id, _) = live().first(where: { $0.key != excluding && $0.value.raft.status().softState.role == .leader }) {
                return id
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    /// Writes through whichever member leads, following its hints.
    func put(_ key: String, _ value: String) async -> Int64? {
        for _ in 0..<50 {
            guard let id = await leader(), let store = live()[id] else { continue }
            if let response = try? await store.put(key, value) { return response.header.revision }
        }
        return nil
    }

    /// Runs the chapter; returns false if anything went wrong.
    func run() async -> Bool {
        show("== The store: etcd's API on Raft, three members in one process ==")
        show("")
        for id: UInt64 in [1, 2, 3] { try? start(id, storage: MemoryStorage(voters: [1, 2, 3])) }
        guard let first = await leader() else {
            show("no leader elected")
            return false
        }
        show("1. Three members elect member \(first); a client watches the prefix /apps/ on it.")
        guard let firstWatch = try? live()[first]!.watch(.prefix(Array("/apps/".utf8), startRevision: 1)) else { return false }
        let firstFollower = follow(firstWatch, on: first)

        show("2. Writes go through the leader; each is committed by a quorum before it is acknowledged.")
        for (i, name) in ["web", "api", "worker", "cron"].enumerated() {
            guard let revision = await put("/apps/\(name)", "replicas=\(i + 1)") else { return false }
            show("   put /apps/\(name) -> revision \(revision)")
        }
        try? await Task.sleep(for: .milliseconds(50))

        show("3. Member \(first) (the leader, serving the watch) is killed.")
        await kill(first)
        _ = await firstFollower.value
        guard let second = await leader(excluding: first), let survivor = live()[second] else {
            show("no new leader")
            return false
        }
        let resumeFrom = (seen.withLock { $0.last } ?? 1) + 1
        show("   member \(second) leads now; the watch resumes there from revision \(resumeFrom).")
        guard let secondWatch = try? survivor.watch(.prefix(Array("/apps/".utf8), startRevision: resumeFrom)) else { return false }
        let secondFollower = follow(secondWatch, on: second)

        show("4. Writes continue under member \(second).")
        _ = await put("/apps/web", "replicas=5")
        _ = await put("/apps/api", "replicas=3")
        _ = await put("/apps/batch", "replicas=2")
        try? await Task.sleep(for: .milliseconds(50))

        show("5. Member \(first) restarts from its log and catches up.")
        let storage = members.withLock { $0[first]!.storage }
        try? start(first, storage: storage)
        var hashes: Set<UInt32> = []
        for _ in 0..<200 {
            let stores = live().values
            let revisions = Set(stores.map { $0.status().revision })
            if stores.count == 3, revisions.count == 1, let revision = revisions.first {
                hashes = Set(stores.compactMap { try? $0.hash(revision: revision).hash })
                break
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        secondWatch.cancel()
        _ = await secondFollower.value

        let revisions = seen.withLock { $0 }
        let contiguous = revisions == Array((revisions.first ?? 0)...(revisions.last ?? -1))
        show("")
        show("The watch saw revisions \(revisions.map(String.init).joined(separator: ", ")): "
            + (contiguous ? "no gap, no duplicate, across the kill." : "NOT contiguous."))
        show(hashes.count == 1 ? "All three members hold identical key spaces (hash \(hashes.first!))." : "Members diverge: \(hashes)")
        for id in members.withLock({ Array($0.keys) }) { await kill(id) }
        return contiguous && hashes.count == 1 && revisions.count == 7
    }
}
