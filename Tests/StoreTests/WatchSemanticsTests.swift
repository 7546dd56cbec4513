import Foundation
import Raft
import Testing

@testable import Store

/// etcd v3 watch semantics (`WatchCreateRequest`, the API guarantees: ordered, reliable, atomic),
/// checked through `KeyValueStore.watch`.
@Suite("WatchSemantics: etcd watches through KeyValueStore")
struct WatchSemanticsTests {
    /// A compact view of an event: kind, key, mod revision.
    struct Seen: Hashable, CustomStringConvertible {
        var kind: Event.Kind
        var key: String
        var revision: Int64
        init(_ kind: Event.Kind, _ key: String, _ revision: Int64) {
            self.kind = kind
            self.key = key
            self.revision = revision
        }
        init(_ event: Event) { self.init(event.kind, semText(event.kv.key), event.kv.modRevision) }
        var description: String { "\(kind == .put ? "put" : "delete") \(key)@\(revision)" }
    }

    /// Asks for a progress notification and expects it next: every event through `revision` was
    /// delivered and nothing else is queued.
    static func expectDrained(_ watch: Watch, through revision: Int64, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        watch.requestProgress()
        let response = try await semNext(watch)
        #expect(response?.isProgressNotify == true, "expected a progress notification, got \(String(describing: response))", sourceLocation: sourceLocation)
        #expect(response?.header.revision == revision, sourceLocation: sourceLocation)
    }

    /// The error a watch ends with: from creating it, or from its first responses.
    static func watchError(_ store: KeyValueStore, _ request: WatchRequest) async -> StoreError? {
        do {
            let watch = try store.watch(request)
            while try await semNext(watch) != nil {}
            Issue.record("the watch ended without an error")
            return nil
        } catch let error as StoreError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("startRevision is inclusive; unset (0 or less) means changes after the current revision")
    func startRevision() async throws {
        try await withSemStore { store in
            for i in 1...3 { try await store.put("k", "v\(i)") }  // 2, 3, 4
            let fromThree = try store.watch(WatchRequest(key: semBytes("k"), startRevision: 3))
            let unset = try store.watch(WatchRequest(key: semBytes("k")))
            let negative = try store.watch(WatchRequest(key: semBytes("k"), startRevision: -1))
            try await store.put("k", "v4")  // 5
            #expect(try await semEvents(fromThree, count: 3).events.map(Seen.init) == [Seen(.put, "k", 3), Seen(.put, "k", 4), Seen(.put, "k", 5)])
            #expect(try await semEvents(unset, count: 1).events.map(Seen.init) == [Seen(.put, "k", 5)])
            #expect(try await semEvents(negative, count: 1).events.map(Seen.init) == [Seen(.put, "k", 5)])
            for watch in [fromThree, unset, negative] { try await Self.expectDrained(watch, through: 5) }
            // A start revision the store has not reached yet: changes before it are not reported.
            let ahead = try store.watch(WatchRequest(key: semBytes("k"), startRevision: 8))
            try await store.put("k", "v5")  // 6
            try await store.put("k", "v6")  // 7
            try await store.put("k", "v7")  // 8
            #expect(try await semEvents(ahead, count: 1).events.map(Seen.init) == [Seen(.put, "k", 8)])
            try await Self.expectDrained(ahead, through: 8)
        }
    }

    @Test("a watch covers one key, a prefix, [key, end) or every key from key (\"\\0\")")
    func keyRanges() async throws {
        try await withSemStore { store in
            let single = try store.watch(WatchRequest(key: semBytes("b")))
            let prefix = try store.watch(.prefix(semBytes("b")))
            let range = try store.watch(WatchRequest(key: semBytes("a"), rangeEnd: semBytes("b")))
            let fromKey = try store.watch(WatchRequest(key: semBytes("ba"), rangeEnd: [0]))
            let everything = try store.watch(.prefix([]))
            let keys = ["a", "b", "ba", "bz", "c", "a0", "b"]
            for key in keys { try await store.put(key, "v") }  // 2...8
            try await store.deleteRange(DeleteRangeRequest(key: semBytes("ba")))  // 9
            func seen(_ watch: Watch, _ count: Int) async throws -> [String] {
                let events = try await semEvents(watch, count: count).events
                try await Self.expectDrained(watch, through: 9)
                return events.map { "\($0.kind == .put ? "+" : "-")\(semText($0.kv.key))@\($0.kv.modRevision)" }
            }
            #expect(try await seen(single, 2) == ["+b@3", "+b@8"])
            #expect(try await seen(prefix, 5) == ["+b@3", "+ba@4", "+bz@5", "+b@8", "-ba@9"])
            #expect(try await seen(range, 2) == ["+a@2", "+a0@7"])
            #expect(try await seen(fromKey, 4) == ["+ba@4", "+bz@5", "+c@6", "-ba@9"])
            #expect(try await seen(everything, 8) == ["+a@2", "+b@3", "+ba@4", "+bz@5", "+c@6", "+a0@7", "+b@8", "-ba@9"])
        }
    }

    @Test("event shapes: a put carries the new state; a delete the key and its revision; prevKV only when asked")
    func eventShapes() async throws {
        try await withSemStore { store in
            let lease = try await store.grantLease(ttl: 600).id
            let withPrev = try store.watch(WatchRequest(key: semBytes("k"), prevKV: true))
            let withoutPrev = try store.watch(WatchRequest(key: semBytes("k")))
            try await store.put("k", "v1", lease: lease)  // 2
            try await store.put("k", "v2")  // 3
            try await store.deleteRange(DeleteRangeRequest(key: semBytes("k")))  // 4
            let v1 = KeyValue(key: semBytes("k"), createRevision: 2, modRevision: 2, version: 1, value: semBytes("v1"), lease: lease)
            let v2 = KeyValue(key: semBytes("k"), createRevision: 2, modRevision: 3, version: 2, value: semBytes("v2"))
            let tombstone = KeyValue(key: semBytes("k"), modRevision: 4)
            let expected = [
                Event(kind: .put, kv: v1, prevKV: nil), Event(kind: .put, kv: v2, prevKV: v1), Event(kind: .delete, kv: tombstone, prevKV: v2),
            ]
            #expect(try await semEvents(withPrev, count: 3).events == expected)
            let bare = try await semEvents(withoutPrev, count: 3).events
            #expect(bare == expected.map { Event(kind: $0.kind, kv: $0.kv) })
            #expect(bare.allSatisfy { $0.prevKV == nil })
            // The same from history.
            let replay = try store.watch(WatchRequest(key: semBytes("k"), startRevision: 2, prevKV: true))
            #expect(try await semEvents(replay, count: 3).events == expected)
            let replayBare = try store.watch(WatchRequest(key: semBytes("k"), startRevision: 2))
            #expect(try await semEvents(replayBare, count: 3).events.allSatisfy { $0.prevKV == nil })
        }
    }

    @Test("filters: noPut leaves out puts, noDelete leaves out deletes")
    func filters() async throws {
        try await withSemStore { store in
            let deletesOnly = try store.watch(WatchRequest(key: semBytes("f/"), rangeEnd: semBytes("f0"), noPut: true))
            let putsOnly = try store.watch(WatchRequest(key: semBytes("f/"), rangeEnd: semBytes("f0"), noDelete: true))
            try await store.put("f/a", "1")  // 2
            try await store.put("f/b", "1")  // 3
            try await store.deleteRange(DeleteRangeRequest(key: semBytes("f/a")))  // 4
            try await store.put("f/a", "2")  // 5
            try await store.deleteRange(DeleteRangeRequest(key: semBytes("f/"), rangeEnd: semBytes("f0")))  // 6
            #expect(try await semEvents(deletesOnly, count: 3).events.map(Seen.init) == [
                Seen(.delete, "f/a", 4), Seen(.delete, "f/a", 6), Seen(.delete, "f/b", 6),
            ])
            #expect(try await semEvents(putsOnly, count: 3).events.map(Seen.init) == [
                Seen(.put, "f/a", 2), Seen(.put, "f/b", 3), Seen(.put, "f/a", 5),
            ])
            try await Self.expectDrained(deletesOnly, through: 6)
            try await Self.expectDrained(putsOnly, through: 6)
            // Both filters from history too.
            let historyDeletes = try store.watch(WatchRequest(key: semBytes("f/"), rangeEnd: semBytes("f0"), startRevision: 2, noPut: true))
            #expect(try await semEvents(historyDeletes, count: 3).events.map(\.kind) == [.delete, .delete, .delete])
            try await Self.expectDrained(historyDeletes, through: 6)
        }
    }

    @Test("atomic: a transaction's events arrive together, in the order it made them, even past a tiny buffer")
    func transactionsAreAtomic() async throws {
        var options = KeyValueStore.Options()
        options.watchBufferEvents = 2
        try await withSemStore(options: options) { store in
            try await store.put("t/c", "old")  // 2
            let live = try store.watch(.prefix(semBytes("t/"), prevKV: true))
            _ = try await store.txn(TxnRequest(success: [
                .put(PutRequest(key: semBytes("t/b"), value: semBytes("1"))),
                .put(PutRequest(key: semBytes("t/a"), value: semBytes("1"))),
                .put(PutRequest(key: semBytes("elsewhere"), value: semBytes("1"))),
                .deleteRange(DeleteRangeRequest(key: semBytes("t/c"))),
                .put(PutRequest(key: semBytes("t/d"), value: semBytes("1"))),
            ]))  // 3
            try await store.deleteRange(DeleteRangeRequest(key: semBytes("t/"), rangeEnd: semBytes("t0")))  // 4
            let expected3 = [Seen(.put, "t/b", 3), Seen(.put, "t/a", 3), Seen(.delete, "t/c", 3), Seen(.put, "t/d", 3)]
            let expected4 = [Seen(.delete, "t/a", 4), Seen(.delete, "t/b", 4), Seen(.delete, "t/d", 4)]
            let (events, responses) = try await semEvents(live, count: 7)
            #expect(events.map(Seen.init) == expected3 + expected4)
            Self.expectWholeRevisions(responses, expected: expected3 + expected4)
            #expect(events[2].prevKV?.value == semBytes("old"))
            // From history: the same order.
            let replay = try store.watch(.prefix(semBytes("t/"), startRevision: 3))
            let (replayed, replayResponses) = try await semEvents(replay, count: 7)
            #expect(replayed.map(Seen.init) == expected3 + expected4)
            Self.expectWholeRevisions(replayResponses, expected: expected3 + expected4)
        }
    }

    /// No response holds part of a revision: each revision it carries is complete.
    static func expectWholeRevisions(_ responses: [WatchResponse], expected: [Seen], sourceLocation: SourceLocation = #_sourceLocation) {
        var perRevision: [Int64: Int] = [:]
        for seen in expected { perRevision[seen.revision, default: 0] += 1 }
        for response in responses {
            var counts: [Int64: Int] = [:]
            for event in response.events { counts[event.kv.modRevision, default: 0] += 1 }
            for (revision, count) in counts {
                #expect(count == perRevision[revision], "revision \(revision) split: \(count) of \(perRevision[revision] ?? 0) events in one response", sourceLocation: sourceLocation)
            }
            if let last = response.events.last {
                #expect(response.header.revision >= last.kv.modRevision, sourceLocation: sourceLocation)
            }
        }
    }

    @Test("a slow watcher with a small buffer catches up from history: ordered, no gap, no duplicate, revisions whole")
    func slowWatcherCatchesUp() async throws {
        var options = KeyValueStore.Options()
        options.watchBufferEvents = 4
        try await withSemStore(options: options) { store in
            let watch = try store.watch(.prefix(semBytes("s/"), prevKV: true))
            let fromHistory = try store.watch(.prefix(semBytes("s/"), startRevision: 1))
            var expected: [Seen] = []
            var revision: Int64 = 1
            for i in 0..<120 {
                switch i % 6 {
                case 0, 1:
                    try await store.put("s/\(i % 13)", "v\(i)")
                    revision += 1
                    expected.append(Seen(.put, "s/\(i % 13)", revision))
                case 2:
                    try await store.put("other/\(i)", "v")  // not watched
                    revision += 1
                case 3:
                    // Six events at one revision: more than the buffer holds.
                    let keys = (0..<6).map { "s/t\(i)-\($0)" }
                    _ = try await store.txn(TxnRequest(success: keys.map { .put(PutRequest(key: semBytes($0), value: semBytes("x"))) }))
                    revision += 1
                    expected += keys.map { Seen(.put, $0, revision) }
                case 4:
                    let response = try await store.deleteRange(DeleteRangeRequest(key: semBytes("s/t\(i - 1)-"), rangeEnd: semBytes("s/t\(i - 1)-9")))
                    revision += 1
                    expected += (0..<Int(response.deleted)).map { Seen(.delete, "s/t\(i - 1)-\($0)", revision) }
                default:
                    try await store.put("s/\(i % 7)", "again\(i)")
                    revision += 1
                    expected.append(Seen(.put, "s/\(i % 7)", revision))
                }
            }
            #expect(store.status().revision == revision)
            for w in [watch, fromHistory] {
                let (events, responses) = try await semEvents(w, count: expected.count)
                #expect(events.map(Seen.init) == expected)
                Self.expectWholeRevisions(responses, expected: expected)
                // prevKV survives the catch-up (when asked for).
                if w === watch {
                    #expect(events.filter { $0.kind == .delete }.allSatisfy { $0.prevKV?.value == semBytes("x") })
                }
                try await Self.expectDrained(w, through: revision)
            }
            // Then it follows live writes again.
            try await store.put("s/live", "now")
            #expect(try await semEvents(watch, count: 1).events.map(Seen.init) == [Seen(.put, "s/live", revision + 1)])
        }
    }

    @Test("a watch from a compacted revision fails with .compacted and the compact revision; after it, it replays")
    func compactedStart() async throws {
        try await withSemStore { store in
            for i in 1...6 { try await store.put("c", "v\(i)") }  // 2...7
            try await store.compact(5)
            let error = await Self.watchError(store, WatchRequest(key: semBytes("c"), startRevision: 3))
            #expect(error?.code == .compacted && error?.compactRevision == 5)
            let prefixError = await Self.watchError(store, .prefix(semBytes("c"), startRevision: 1))
            #expect(prefixError?.code == .compacted && prefixError?.compactRevision == 5)
            let after = try store.watch(WatchRequest(key: semBytes("c"), startRevision: 6, prevKV: true))
            let events = try await semEvents(after, count: 2).events
            #expect(events.map(Seen.init) == [Seen(.put, "c", 6), Seen(.put, "c", 7)])
            #expect(events.first?.prevKV?.modRevision == 5, "the state at the compact revision is still history")
        }
    }

    @Test("a slow watcher whose history was compacted ends with .compacted, after no gap")
    func slowWatcherOvertakenByCompaction() async throws {
        var options = KeyValueStore.Options()
        options.watchBufferEvents = 2
        try await withSemStore(options: options) { store in
            let watch = try store.watch(WatchRequest(key: semBytes("w")))
            for i in 1...10 { try await store.put("w", "v\(i)") }  // 2...11
            try await store.compact(11)
            var revisions: [Int64] = []
            do {
                while let response = try await semNext(watch) { revisions += response.events.map(\.kv.modRevision) }
                Issue.record("the watch ended without an error")
            } catch let error as StoreError {
                #expect(error.code == .compacted && error.compactRevision == 11)
            }
            #expect(revisions == Array(2..<(2 + Int64(revisions.count))), "what arrived is an unbroken prefix")
            #expect(revisions.count < 10)
        }
    }

    @Test("requestProgress: an idle watcher gets an empty response at the current revision")
    func progressOnRequest() async throws {
        try await withSemStore { store in
            let watch = try store.watch(WatchRequest(key: semBytes("p")))
            try await store.put("other", "1")  // 2
            try await store.put("other", "2")  // 3
            watch.requestProgress()
            let progress = try #require(try await semNext(watch))
            #expect(progress.isProgressNotify && progress.events.isEmpty && progress.header.revision == 3 && progress.watchID == watch.id)
            try await store.put("p", "x")  // 4
            let event = try #require(try await semNext(watch))
            #expect(event.events.map(Seen.init) == [Seen(.put, "p", 4)] && event.watchID == watch.id && event.header.revision >= 4)
        }
    }

    /// etcd (3.5: `RequestProgressAll` with a deferred notification) answers every progress request:
    /// once the watcher has delivered what it had queued and caught up, the notification follows.
    /// Kubernetes' consistent reads from the watch cache wait for it.
    @Test("requestProgress is answered after queued events, and after a catch-up from history")
    func progressRequestedWhileBusy() async throws {
        var options = KeyValueStore.Options()
        options.watchBufferEvents = 3
        try await withSemStore(options: options) { store in
            // Queued, undelivered events.
            let queued = try store.watch(WatchRequest(key: semBytes("q")))
            try await store.put("q", "1")  // 2
            try await store.put("q", "2")  // 3
            queued.requestProgress()
            try await store.put("q", "3")  // 4: after the request
            try await Self.expectProgressAfterEvents(queued, requestedAt: 3, events: [2, 3, 4])

            // A watcher still catching up from history.
            let behind = try store.watch(WatchRequest(key: semBytes("q"), startRevision: 2))
            behind.requestProgress()
            try await Self.expectProgressAfterEvents(behind, requestedAt: 4, events: [2, 3, 4])
        }
    }

    /// Reads until a progress notification: the events before it are `events` (in order) and its
    /// revision covers them and the revision at the request. Without one, fails after two seconds.
    static func expectProgressAfterEvents(
        _ watch: Watch, requestedAt: Int64, events expected: [Int64], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        var delivered: [Int64] = []
        while true {
            let response: WatchResponse?
            do {
                response = try await semNext(watch, timeout: .seconds(2))
            } catch is SemTimeout {
                Issue.record("the requested progress notification never came (after events \(delivered))", sourceLocation: sourceLocation)
                return
            }
            guard let response else {
                Issue.record("the watch ended", sourceLocation: sourceLocation)
                return
            }
            if response.isProgressNotify {
                #expect(delivered == expected, sourceLocation: sourceLocation)
                #expect(response.header.revision >= max(requestedAt, delivered.last ?? 0), sourceLocation: sourceLocation)
                return
            }
            delivered += response.events.map(\.kv.modRevision)
        }
    }

    @Test("progressNotify: idle watchers that asked get periodic notifications (virtual time); others do not")
    func periodicProgress() async throws {
        var options = KeyValueStore.Options()
        options.progressNotifyInterval = .seconds(2)
        try await SemCluster.withSingle(options: options) { cluster in
            let store = cluster.store
            let notified = try store.watch(WatchRequest(key: semBytes("n"), progressNotify: true))
            let quiet = try store.watch(WatchRequest(key: semBytes("q")))
            try await store.put("other", "1")  // 2
            await cluster.advance(by: .seconds(3))
            let progress = try #require(try await semNext(notified))
            #expect(progress.isProgressNotify && progress.header.revision == 2)
            try await store.put("q", "x")  // 3
            let first = try #require(try await semNext(quiet))
            #expect(first.events.map(Seen.init) == [Seen(.put, "q", 3)], "a watcher without progressNotify gets no periodic notification")
            // Still idle: another interval, another notification at the current revision.
            await cluster.advance(by: .seconds(2))
            let again = try #require(try await semNext(notified))
            #expect(again.isProgressNotify && again.header.revision == 3)
            try await store.put("n", "x")  // 4
            #expect(try await semEvents(notified, count: 1).events.map(Seen.init) == [Seen(.put, "n", 4)])
        }
    }

    @Test("cancel ends the sequence; other watches on the key continue")
    func cancel() async throws {
        try await withSemStore { store in
            let first = try store.watch(WatchRequest(key: semBytes("k")))
            let second = try store.watch(WatchRequest(key: semBytes("k")))
            #expect(first.id != second.id)
            try await store.put("k", "1")  // 2
            first.cancel()
            #expect(try await semNext(first) == nil, "buffered events are not delivered after cancel")
            try await store.put("k", "2")  // 3
            #expect(try await semNext(first) == nil)
            #expect(try await semEvents(second, count: 2).events.map(\.kv.modRevision) == [2, 3])
            // Cancelling while a consumer waits wakes it with the end of the sequence.
            let consumer = Task { try await semNext(second, timeout: .seconds(30)) }
            await semSettle()
            second.cancel()
            #expect(try await consumer.value == nil)
            // Cancelling the consuming task ends it too.
            let third = try store.watch(WatchRequest(key: semBytes("k")))
            let cancelled = Task { try await third.next() }
            await semSettle()
            cancelled.cancel()
            #expect(try await cancelled.value == nil)
        }
    }

    @Test("stopping the member ends its watches with .shuttingDown")
    func shutdownEndsWatches() async throws {
        let store = try await KeyValueStore.inMemory()
        let watch = try store.watch(WatchRequest(key: semBytes("k")))
        let consumer = Task { () -> StoreError? in
            do {
                while try await semNext(watch, timeout: .seconds(30)) != nil {}
                return nil
            } catch let error as StoreError {
                return error
            }
        }
        await semSettle()
        await store.close()
        let error = try await consumer.value
        #expect(error?.code == .shuttingDown)
    }

    @Test("an empty key is refused")
    func emptyKey() async throws {
        try await withSemStore { store in
            #expect(throws: StoreError.emptyKey) { _ = try store.watch(WatchRequest(key: [])) }
        }
    }
}
