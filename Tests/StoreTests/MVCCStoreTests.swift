import Testing
@testable import Store

func b(_ text: String) -> [UInt8] { Array(text.utf8) }

extension MVCCStore {
    @discardableResult
    mutating func put(_ key: String, _ value: String, lease: Int64 = 0) throws -> PutResponse {
        try put(PutRequest(key: b(key), value: b(value), lease: lease)).0
    }

    func get(_ key: String, revision: Int64 = 0) throws -> KeyValue? {
        try range(RangeRequest(key: b(key), revision: revision)).kvs.first
    }

    func keys(_ request: RangeRequest) throws -> [String] {
        try range(request).kvs.map { String(decoding: $0.key, as: UTF8.self) }
    }
}

/// etcd v3 semantics, operation by operation (from the etcd API documentation).
@Suite struct MVCCStoreTests {
    // MARK: Revisions and per-key metadata

    @Test func revisionsVersionsAndCreateRevisions() throws {
        var store = MVCCStore()
        #expect(store.revision == 1)
        let first = try store.put("a", "1")
        #expect(first.header.revision == 2)
        try store.put("b", "1")
        try store.put("a", "2")
        let a = try #require(try store.get("a"))
        #expect(a.createRevision == 2 && a.modRevision == 4 && a.version == 2 && a.value == b("2"))
        let (deleted, events) = try store.deleteRange(DeleteRangeRequest(key: b("a")))
        #expect(deleted.deleted == 1 && deleted.header.revision == 5)
        #expect(events == [Event(kind: .delete, kv: KeyValue(key: b("a"), modRevision: 5), prevKV: a)])
        #expect(try store.get("a") == nil)
        try store.put("a", "3")
        let recreated = try #require(try store.get("a"))
        #expect(recreated.createRevision == 6 && recreated.version == 1)
        // History stays readable.
        #expect(try store.get("a", revision: 3)?.value == b("1"))
        #expect(try store.get("a", revision: 5) == nil)
    }

    @Test func deletingNothingDoesNotAdvanceTheRevision() throws {
        var store = MVCCStore()
        try store.put("a", "1")
        let (response, events) = try store.deleteRange(DeleteRangeRequest(key: b("zzz")))
        #expect(response.deleted == 0 && events.isEmpty && store.revision == 2 && response.header.revision == 2)
    }

    // MARK: Range

    static func populated() throws -> MVCCStore {
        var store = MVCCStore()
        for (key, value) in [("a", "5"), ("ab", "4"), ("abc", "3"), ("b", "2"), ("c", "1")] { try store.put(key, value) }
        return store
    }

    @Test func rangeShapes() throws {
        let store = try Self.populated()
        #expect(try store.keys(RangeRequest(key: b("ab"))) == ["ab"])
        #expect(try store.keys(.prefix(b("ab"))) == ["ab", "abc"])
        #expect(try store.keys(RangeRequest(key: b("ab"), rangeEnd: b("b"))) == ["ab", "abc"])
        #expect(try store.keys(RangeRequest(key: b("b"), rangeEnd: [0])) == ["b", "c"])
        #expect(try store.keys(RangeRequest(key: [0], rangeEnd: [0])) == ["a", "ab", "abc", "b", "c"])
        #expect(try store.keys(RangeRequest(key: b("c"), rangeEnd: b("a"))).isEmpty)
        #expect(throws: StoreError.emptyKey) { try store.range(RangeRequest(key: [])) }
    }

    @Test func limitMoreAndCount() throws {
        let store = try Self.populated()
        let limited = try store.range(RangeRequest(key: [0], rangeEnd: [0], limit: 2))
        #expect(limited.kvs.map(\.key) == [b("a"), b("ab")] && limited.more && limited.count == 5)
        let exact = try store.range(RangeRequest(key: [0], rangeEnd: [0], limit: 5))
        #expect(!exact.more && exact.kvs.count == 5)
        let counted = try store.range(RangeRequest(key: [0], rangeEnd: [0], countOnly: true))
        #expect(counted.kvs.isEmpty && counted.count == 5)
        let keysOnly = try store.range(RangeRequest(key: b("a"), keysOnly: true))
        #expect(keysOnly.kvs.first?.value == [] && keysOnly.kvs.first?.version == 1)
    }

    @Test func sortOrdersAndTargets() throws {
        let store = try Self.populated()
        let all = RangeRequest(key: [0], rangeEnd: [0])
        var byValue = all
        byValue.sortTarget = .value  // order .none with a non-key target: ascending
        #expect(try store.keys(byValue) == ["c", "b", "abc", "ab", "a"])
        var keyDescending = all
        keyDescending.sortOrder = .descend
        #expect(try store.keys(keyDescending) == ["c", "b", "abc", "ab", "a"])
        var createDescending = all
        createDescending.sortTarget = .create
        createDescending.sortOrder = .descend
        createDescending.limit = 2
        let response = try store.range(createDescending)
        #expect(response.kvs.map(\.key) == [b("c"), b("b")] && response.more)
    }

    @Test func revisionFiltersPruneAfterCounting() throws {
        let store = try Self.populated()  // a@2 ab@3 abc@4 b@5 c@6
        var request = RangeRequest(key: [0], rangeEnd: [0], minModRevision: 3, maxModRevision: 5)
        #expect(try store.keys(request) == ["ab", "abc", "b"])
        request = RangeRequest(key: [0], rangeEnd: [0], minCreateRevision: 5)
        let response = try store.range(request)
        #expect(response.kvs.map(\.key) == [b("b"), b("c")] && response.count == 5)
    }

    @Test func readsAtRevisions() throws {
        var store = try Self.populated()
        try store.put("a", "new")
        #expect(try store.get("a", revision: 2)?.value == b("5"))
        #expect(try store.keys(RangeRequest(key: [0], rangeEnd: [0], revision: 3)) == ["a", "ab"])
        #expect(throws: StoreError.futureRevision) { try store.range(RangeRequest(key: b("a"), revision: 99)) }
        try store.compact(4)
        #expect(throws: StoreError.compacted(4)) { try store.range(RangeRequest(key: b("a"), revision: 3)) }
        do {
            _ = try store.range(RangeRequest(key: b("a"), revision: 2))
            Issue.record("read below the compact revision succeeded")
        } catch {
            #expect(error.code == .compacted && error.compactRevision == 4)
        }
        #expect(try store.get("a", revision: 4)?.value == b("5"))
    }

    // MARK: Put options

    @Test func putOptions() throws {
        var store = MVCCStore()
        try store.grantLease(id: 7, ttl: 60)
        try store.put("k", "v1", lease: 7)
        let withPrev = try store.put(PutRequest(key: b("k"), value: b("v2"), prevKV: true, ignoreLease: true)).0
        #expect(withPrev.prevKV?.value == b("v1"))
        #expect(try store.get("k")?.lease == 7)
        _ = try store.put(PutRequest(key: b("k"), ignoreValue: true))
        let kept = try #require(try store.get("k"))
        #expect(kept.value == b("v2") && kept.lease == 0 && kept.version == 3)
        #expect(store.leases[7]?.keys.isEmpty == true)
        #expect(throws: StoreError.self) { try store.put(PutRequest(key: b("missing"), ignoreValue: true)) }
        #expect(throws: StoreError.self) { try store.put(PutRequest(key: b("k"), value: b("x"), ignoreValue: true)) }
        #expect(throws: StoreError.self) { try store.put(PutRequest(key: b("k"), value: b("x"), lease: 99)) }
        #expect(throws: StoreError.emptyKey) { try store.put(PutRequest(key: [], value: b("x"))) }
        var limits = MVCCStore.Limits()
        limits.maxKeyBytes = 4
        var small = MVCCStore(limits: limits)
        #expect(throws: StoreError.self) { try small.put("toolong", "x") }
        #expect(store.revision == 4 && small.revision == 1)
    }

    @Test func deleteRangeReturnsPrevious() throws {
        var store = try Self.populated()
        let (response, events) = try store.deleteRange(DeleteRangeRequest(key: b("a"), rangeEnd: b("b"), prevKV: true))
        #expect(response.deleted == 3 && response.prevKVs.map(\.key) == [b("a"), b("ab"), b("abc")])
        #expect(events.allSatisfy { $0.kind == .delete && $0.kv.modRevision == 7 })
        #expect(try store.keys(RangeRequest(key: [0], rangeEnd: [0])) == ["b", "c"])
    }

    // MARK: Transactions

    @Test func comparesOnEveryTargetAndResult() throws {
        var store = MVCCStore()
        try store.grantLease(id: 3, ttl: 60)
        try store.put("k", "m", lease: 3)  // create 2, mod 2, version 1
        try store.put("k", "n", lease: 3)  // mod 3, version 2
        let cases: [(Compare.Target, Compare.Result, Bool)] = [
            (.version(2), .equal, true), (.version(1), .greater, true), (.version(3), .less, true),
            (.version(2), .notEqual, false), (.createRevision(2), .equal, true), (.modRevision(3), .equal, true),
            (.modRevision(2), .greater, true), (.value(b("n")), .equal, true), (.value(b("m")), .greater, true),
            (.value(b("o")), .less, true), (.lease(3), .equal, true), (.lease(0), .notEqual, true),
        ]
        for (target, result, expected) in cases {
            let (response, _) = try store.txn(TxnRequest(compare: [Compare(key: b("k"), target, result)]))
            #expect(response.succeeded == expected, "\(target) \(result)")
        }
        // A missing key compares as zero, except on value, which always fails.
        #expect(try store.txn(TxnRequest(compare: [Compare(key: b("none"), .version(0), .equal)])).0.succeeded)
        #expect(try store.txn(TxnRequest(compare: [Compare(key: b("none"), .modRevision(0), .equal)])).0.succeeded)
        #expect(!(try store.txn(TxnRequest(compare: [Compare(key: b("none"), .value([]), .equal)])).0.succeeded))
        // A range compare must hold for every key in it.
        try store.put("k2", "n")
        #expect(try store.txn(TxnRequest(compare: [Compare(key: b("k"), rangeEnd: b("l"), .value(b("n")), .equal)])).0.succeeded)
        try store.put("k3", "x")
        #expect(!(try store.txn(TxnRequest(compare: [Compare(key: b("k"), rangeEnd: b("l"), .value(b("n")), .equal)])).0.succeeded))
        #expect(store.revision == 5)  // read-only transactions do not advance the revision
    }

    /// Kubernetes' optimistic create and update: compare modRevision, get in the else branch.
    @Test func kubernetesOptimisticWrites() throws {
        var store = MVCCStore()
        func create(_ key: String, _ value: String) throws -> TxnResponse {
            try store.txn(
                TxnRequest(
                    compare: [Compare(key: b(key), .modRevision(0), .equal)],
                    success: [.put(PutRequest(key: b(key), value: b(value)))],
                    failure: [.range(RangeRequest(key: b(key)))]
                )
            ).0
        }
        let created = try create("/registry/pods/a", "v1")
        #expect(created.succeeded && created.header.revision == 2)
        let again = try create("/registry/pods/a", "v2")
        guard case .range(let existing) = again.responses.first else { Issue.record("no range in failure branch"); return }
        #expect(!again.succeeded && existing.kvs.first?.value == b("v1") && existing.kvs.first?.modRevision == 2)
        let update = try store.txn(
            TxnRequest(
                compare: [Compare(key: b("/registry/pods/a"), .modRevision(1), .equal)],  // stale
                success: [.put(PutRequest(key: b("/registry/pods/a"), value: b("v3")))]
            )
        ).0
        #expect(!update.succeeded && store.revision == 2)
    }

    @Test func writesShareOneRevisionAndLaterOpsSeeThem() throws {
        var store = MVCCStore()
        let (response, events) = try store.txn(
            TxnRequest(success: [
                .put(PutRequest(key: b("x"), value: b("1"))),
                .range(RangeRequest(key: b("x"))),
                .put(PutRequest(key: b("y"), value: b("2"))),
                .txn(TxnRequest(compare: [Compare(key: b("x"), .version(1), .equal)], success: [.deleteRange(DeleteRangeRequest(key: b("z")))])),
            ])
        )
        #expect(response.succeeded && response.header.revision == 2 && store.revision == 2)
        guard case .range(let read) = response.responses[1] else { Issue.record("expected a range"); return }
        #expect(read.kvs.first?.value == b("1") && read.kvs.first?.modRevision == 2)
        // Nested compares see the state before the transaction (x did not exist), as in etcd.
        guard case .txn(let nested) = response.responses[3] else { Issue.record("expected a txn"); return }
        #expect(!nested.succeeded)
        #expect(events.map(\.kv.modRevision) == [2, 2])
    }

    @Test func refusedTransactionsChangeNothing() throws {
        var store = MVCCStore()
        try store.put("a", "1")
        let before = try store.hash(at: 0)
        let dup = TxnRequest(success: [.put(PutRequest(key: b("k"), value: b("1"))), .put(PutRequest(key: b("k"), value: b("2")))])
        #expect(throws: StoreError.self) { try store.txn(dup) }
        let putInDelete = TxnRequest(success: [
            .deleteRange(DeleteRangeRequest(key: b("a"), rangeEnd: b("z"))), .put(PutRequest(key: b("k"), value: b("1"))),
        ])
        #expect(throws: StoreError.self) { try store.txn(putInDelete) }
        let nestedDup = TxnRequest(success: [
            .put(PutRequest(key: b("k"), value: b("1"))),
            .txn(TxnRequest(success: [.put(PutRequest(key: b("k"), value: b("2")))])),
        ])
        #expect(throws: StoreError.self) { try store.txn(nestedDup) }
        // Both branches of a nested txn may write the same key: only one runs.
        let nestedBranches = TxnRequest(success: [
            .txn(TxnRequest(success: [.put(PutRequest(key: b("k"), value: b("1")))], failure: [.put(PutRequest(key: b("k"), value: b("2")))])),
        ])
        #expect(throws: Never.self) { try store.txn(nestedBranches) }
        let many = TxnRequest(success: (0..<129).map { .put(PutRequest(key: b("k\($0)"), value: b("v"))) })
        #expect(throws: StoreError.self) { try store.txn(many) }
        let huge = TxnRequest(success: [.put(PutRequest(key: b("big"), value: [UInt8](repeating: 1, count: 2 << 20)))])
        #expect(throws: StoreError.self) { try store.txn(huge) }
        // Fails on the third op (unknown lease) after two writes: nothing stays.
        let lateFailure = TxnRequest(success: [
            .put(PutRequest(key: b("p"), value: b("1"))), .deleteRange(DeleteRangeRequest(key: b("a"))),
            .put(PutRequest(key: b("q"), value: b("1"), lease: 42)),
        ])
        let revision = store.revision
        #expect(throws: StoreError.self) { try store.txn(lateFailure) }
        #expect(store.revision == revision)
        #expect(try store.get("p") == nil)
        #expect(try store.get("a")?.value == b("1"))
        #expect(try store.hash(at: 0) != before)  // the nested-branches txn did write k
    }

    // MARK: Compaction, leases, hash

    @Test func compactionKeepsCurrentStateAndDropsHistory() throws {
        var store = MVCCStore()
        try store.put("a", "1")  // 2
        try store.put("a", "2")  // 3
        try store.put("gone", "x")  // 4
        _ = try store.deleteRange(DeleteRangeRequest(key: b("gone")))  // 5
        try store.compact(5)
        #expect(store.index["gone".utf8.map { $0 }] == nil)
        #expect(store.index[b("a")]?.count == 1)
        #expect(try store.get("a", revision: 5)?.value == b("2"))
        #expect(throws: StoreError.compacted(5)) { try store.compact(5) }
        #expect(throws: StoreError.futureRevision) { try store.compact(6) }
        try store.put("a", "3")
        #expect(try store.get("a")?.version == 3)  // version survives compaction
    }

    @Test func leaseRevocationDeletesAttachedKeysAtOneRevision() throws {
        var store = MVCCStore()
        try store.grantLease(id: 5, ttl: 10)
        #expect(throws: StoreError.self) { try store.grantLease(id: 5, ttl: 10) }
        try store.put("l1", "v", lease: 5)
        try store.put("l2", "v", lease: 5)
        try store.put("free", "v")
        let events = try store.revokeLease(id: 5)
        #expect(events.map(\.kind) == [.delete, .delete] && Set(events.map(\.kv.modRevision)) == [5])
        #expect(try store.keys(RangeRequest(key: [0], rangeEnd: [0])) == ["free"])
        #expect(throws: StoreError.self) { try store.revokeLease(id: 5) }
        #expect(throws: StoreError.self) { try store.put("l3", "v", lease: 5) }
    }

    @Test func hashAgreesForTheSameHistory() throws {
        var one = MVCCStore()
        var two = MVCCStore()
        for store in [0, 1] {
            for i in 0..<50 {
                if store == 0 { try one.put("k\(i % 7)", "v\(i)") } else { try two.put("k\(i % 7)", "v\(i)") }
            }
        }
        #expect(try one.hash(at: 0) == (try two.hash(at: 0)))
        let earlier = try one.hash(at: 30)
        try one.put("k0", "other")
        #expect(try one.hash(at: 30) == earlier)
        #expect(try one.hash(at: 0) != (try two.hash(at: 0)))
    }
}
