import Foundation
import Raft
import Testing

@testable import Store

/// etcd v3 KV semantics (rpc.proto's Range, Put, DeleteRange, Txn, Compact), checked through the
/// runtime (`KeyValueStore`): what a client of the store sees, written from etcd's API documentation.
@Suite("StoreSemantics: etcd KV through KeyValueStore")
struct StoreSemanticsTests {
    static func keys(_ response: RangeResponse) -> [String] { response.kvs.map { semText($0.key) } }

    // MARK: Range

    @Test("range ends: one key, a prefix, [key, end), from a key (\"\\0\") and every key")
    func rangeEnds() async throws {
        try await withSemStore { store in
            let all: [[UInt8]] = [semBytes("a"), semBytes("ab"), semBytes("abc"), [0x61, 0x62, 0xFF], semBytes("b"), [0xFF], [0xFF, 0xFF]]
            for key in all.shuffled() { try await store.put(PutRequest(key: key, value: key)) }
            func keys(_ request: RangeRequest) async throws -> [[UInt8]] { try await store.range(request).kvs.map(\.key) }

            #expect(try await keys(RangeRequest(key: semBytes("ab"))) == [semBytes("ab")])
            #expect(try await keys(RangeRequest(key: semBytes("zz"))).isEmpty)
            // Prefix: the last byte below 0xFF incremented, trailing 0xFF bytes dropped, "\0" if all are 0xFF.
            #expect(KeyRange.prefixEnd(semBytes("ab")) == semBytes("ac"))
            #expect(KeyRange.prefixEnd([0x61, 0x62, 0xFF]) == semBytes("ac"))
            #expect(KeyRange.prefixEnd([0xFF, 0xFF]) == [0])
            #expect(try await keys(.prefix(semBytes("ab"))) == [semBytes("ab"), semBytes("abc"), [0x61, 0x62, 0xFF]])
            #expect(try await keys(.prefix([0x61, 0x62, 0xFF])) == [[0x61, 0x62, 0xFF]])
            #expect(try await keys(.prefix([0xFF])) == [[0xFF], [0xFF, 0xFF]])
            // [key, rangeEnd): the end is exclusive.
            #expect(try await keys(RangeRequest(key: semBytes("ab"), rangeEnd: semBytes("b"))) == [semBytes("ab"), semBytes("abc"), [0x61, 0x62, 0xFF]])
            // rangeEnd "\0": every key >= key.
            #expect(try await keys(RangeRequest(key: semBytes("b"), rangeEnd: [0])) == [semBytes("b"), [0xFF], [0xFF, 0xFF]])
            // key "\0", rangeEnd "\0": the whole key space, in byte order.
            #expect(try await keys(RangeRequest(key: [0], rangeEnd: [0])) == all)
            #expect(try await keys(.prefix([])) == all)
            // An end at or before the key selects nothing.
            let backwards = try await store.range(RangeRequest(key: semBytes("b"), rangeEnd: semBytes("a")))
            #expect(backwards.kvs.isEmpty && backwards.count == 0 && !backwards.more)
            #expect(try await keys(RangeRequest(key: semBytes("b"), rangeEnd: semBytes("b"))).isEmpty)
        }
    }

    @Test("paging a prefix at one revision with limit: more, count of the rest, header at the current revision")
    func paginationAtARevision() async throws {
        try await withSemStore { store in
            for i in 0..<10 { try await store.put("p/\(i)", "v\(i)") }  // revisions 2...11
            let listed: Int64 = 11
            try await store.put("p/5", "changed")  // 12
            try await store.deleteRange(DeleteRangeRequest(key: semBytes("p/0")))  // 13
            try await store.put("p/99", "new")  // 14
            try await store.put("q", "outside")  // 15

            var start = semBytes("p/")
            let end = KeyRange.prefixEnd(semBytes("p/"))
            var pages: [[String]] = []
            var counts: [Int64] = []
            var mores: [Bool] = []
            while true {
                let page = try await store.range(RangeRequest(key: start, rangeEnd: end, limit: 3, revision: listed))
                #expect(page.header.revision == 15, "the header carries the store's revision, not the one read")
                pages.append(Self.keys(page))
                counts.append(page.count)
                mores.append(page.more)
                if let five = page.kvs.first(where: { $0.key == semBytes("p/5") }) {
                    #expect(five.value == semBytes("v5") && five.modRevision == 7 && five.version == 1)
                }
                guard page.more, let last = page.kvs.last else { break }
                start = last.key + [0]
            }
            #expect(pages == [["p/0", "p/1", "p/2"], ["p/3", "p/4", "p/5"], ["p/6", "p/7", "p/8"], ["p/9"]])
            #expect(counts == [10, 7, 4, 1], "count covers the whole range at the revision, ignoring limit")
            #expect(mores == [true, true, true, false])
            // A limit equal to the number of keys: no more.
            let exact = try await store.range(RangeRequest(key: semBytes("p/"), rangeEnd: end, limit: 10, revision: listed))
            #expect(exact.kvs.count == 10 && !exact.more && exact.count == 10)
            // limit 0 means no limit.
            let latest = try await store.range(RangeRequest(key: semBytes("p/"), rangeEnd: end, limit: 0))
            #expect(Self.keys(latest) == ["p/1", "p/2", "p/3", "p/4", "p/5", "p/6", "p/7", "p/8", "p/9", "p/99"] && !latest.more)
        }
    }

    @Test("reads at a revision: history, deletions, 0 or less means latest, future and compacted refused")
    func readsAtRevisions() async throws {
        try await withSemStore { store in
            try await store.put("a", "1")  // 2
            try await store.put("a", "2")  // 3
            try await store.deleteRange(DeleteRangeRequest(key: semBytes("a")))  // 4
            try await store.put("a", "3")  // 5
            func at(_ revision: Int64) async throws -> KeyValue? {
                try await store.range(RangeRequest(key: semBytes("a"), revision: revision)).kvs.first
            }
            #expect(try await at(2) == KeyValue(key: semBytes("a"), createRevision: 2, modRevision: 2, version: 1, value: semBytes("1")))
            #expect(try await at(3) == KeyValue(key: semBytes("a"), createRevision: 2, modRevision: 3, version: 2, value: semBytes("2")))
            #expect(try await at(4) == nil)
            let recreated = KeyValue(key: semBytes("a"), createRevision: 5, modRevision: 5, version: 1, value: semBytes("3"))
            #expect(try await at(5) == recreated)
            #expect(try await at(0) == recreated)
            #expect(try await at(-7) == recreated)
            #expect(try await at(1) == nil, "revision 1 is the empty store")
            let future = await semError { _ = try await at(6) }
            #expect(future?.code == .futureRevision)

            try await store.compact(3)
            let compacted = await semError { _ = try await at(2) }
            #expect(compacted?.code == .compacted && compacted?.compactRevision == 3)
            #expect(try await at(3)?.value == semBytes("2"), "the compact revision itself stays readable")
            #expect(try await store.range(RangeRequest(key: [0], rangeEnd: [0], revision: 4, countOnly: true)).count == 0)
        }
    }

    /// k1: create 3, mod 7, version 2, "c"; k2: create 4, mod 4, version 1, "a"; k3: create 2, mod 6, version 3, "b".
    static func sortFixture(_ store: KeyValueStore) async throws {
        try await store.put("k3", "b")  // 2
        try await store.put("k1", "c")  // 3
        try await store.put("k2", "a")  // 4
        try await store.put("k3", "b")  // 5
        try await store.put("k3", "b")  // 6
        try await store.put("k1", "c")  // 7
    }

    @Test("sort: every target in both orders; NONE with a non-key target ascends; sorting happens before the limit")
    func sorting() async throws {
        try await withSemStore { store in
            try await Self.sortFixture(store)
            typealias Case = (RangeRequest.SortTarget, RangeRequest.SortOrder, [String])
            let cases: [Case] = [
                (.key, .none, ["k1", "k2", "k3"]), (.key, .ascend, ["k1", "k2", "k3"]), (.key, .descend, ["k3", "k2", "k1"]),
                (.version, .none, ["k2", "k1", "k3"]), (.version, .ascend, ["k2", "k1", "k3"]), (.version, .descend, ["k3", "k1", "k2"]),
                (.create, .none, ["k3", "k1", "k2"]), (.create, .ascend, ["k3", "k1", "k2"]), (.create, .descend, ["k2", "k1", "k3"]),
                (.mod, .none, ["k2", "k3", "k1"]), (.mod, .ascend, ["k2", "k3", "k1"]), (.mod, .descend, ["k1", "k3", "k2"]),
                (.value, .none, ["k2", "k3", "k1"]), (.value, .ascend, ["k2", "k3", "k1"]), (.value, .descend, ["k1", "k3", "k2"]),
            ]
            for (target, order, expected) in cases {
                let response = try await store.range(RangeRequest(key: semBytes("k"), rangeEnd: semBytes("l"), sortOrder: order, sortTarget: target))
                #expect(Self.keys(response) == expected, "sort \(target) \(order)")
            }
            let newest = try await store.range(RangeRequest(key: [0], rangeEnd: [0], limit: 1, sortOrder: .descend, sortTarget: .mod))
            #expect(Self.keys(newest) == ["k1"] && newest.more && newest.count == 3)
            let oldest = try await store.range(RangeRequest(key: [0], rangeEnd: [0], limit: 2, sortOrder: .ascend, sortTarget: .create))
            #expect(Self.keys(oldest) == ["k3", "k1"] && oldest.more)
            let lastKeys = try await store.range(RangeRequest(key: [0], rangeEnd: [0], limit: 2, sortOrder: .descend))
            #expect(Self.keys(lastKeys) == ["k3", "k2"] && lastKeys.more)
            // Sorting applies to a read at an older revision too (at 5: k3 mod 5, k1 mod 3, k2 mod 4).
            let old = try await store.range(RangeRequest(key: [0], rangeEnd: [0], revision: 5, sortOrder: .ascend, sortTarget: .mod))
            #expect(Self.keys(old) == ["k1", "k2", "k3"])
        }
    }

    @Test("keysOnly drops values only; countOnly returns no keys, the count and no `more`")
    func keysOnlyAndCountOnly() async throws {
        try await withSemStore { store in
            try await Self.sortFixture(store)
            let full = try await store.range(RangeRequest(key: [0], rangeEnd: [0]))
            let keysOnly = try await store.range(RangeRequest(key: [0], rangeEnd: [0], limit: 2, keysOnly: true))
            #expect(keysOnly.more && keysOnly.count == 3 && keysOnly.kvs.count == 2)
            for (bare, whole) in zip(keysOnly.kvs, full.kvs) {
                var expected = whole
                expected.value = []
                #expect(bare == expected)
            }
            let counted = try await store.range(RangeRequest(key: [0], rangeEnd: [0], countOnly: true))
            #expect(counted.kvs.isEmpty && counted.count == 3 && !counted.more)
            let countedLimited = try await store.range(RangeRequest(key: [0], rangeEnd: [0], limit: 1, countOnly: true))
            #expect(countedLimited.kvs.isEmpty && countedLimited.count == 3 && !countedLimited.more)
            let countedThen = try await store.range(RangeRequest(key: [0], rangeEnd: [0], revision: 3, countOnly: true))
            #expect(countedThen.count == 2 && countedThen.header.revision == 7)
        }
    }

    @Test("min/max mod and create revision filters: applied before limit and `more`, not to `count`")
    func revisionFilters() async throws {
        try await withSemStore { store in
            try await Self.sortFixture(store)  // k1 c3 m7, k2 c4 m4, k3 c2 m6
            func keys(_ request: RangeRequest) async throws -> [String] { Self.keys(try await store.range(request)) }
            let all = RangeRequest(key: [0], rangeEnd: [0])
            var r = all
            r.minModRevision = 5
            #expect(try await keys(r) == ["k1", "k3"])
            #expect(try await store.range(r).count == 3, "count ignores the filters")
            r = all
            r.maxModRevision = 6
            #expect(try await keys(r) == ["k2", "k3"])
            r = all
            r.minCreateRevision = 3
            #expect(try await keys(r) == ["k1", "k2"])
            r = all
            r.maxCreateRevision = 3
            #expect(try await keys(r) == ["k1", "k3"])
            r = all
            r.minModRevision = 5
            r.maxCreateRevision = 2
            #expect(try await keys(r) == ["k3"])
            r = all
            r.minModRevision = 4
            r.maxModRevision = 4
            #expect(try await keys(r) == ["k2"])
            // The limit counts filtered keys: two survivors under limit 2 is not "more".
            r = all
            r.minModRevision = 5
            r.limit = 2
            let two = try await store.range(r)
            #expect(Self.keys(two) == ["k1", "k3"] && !two.more)
            r.minModRevision = 4
            let three = try await store.range(r)
            #expect(Self.keys(three) == ["k1", "k2"] && three.more)
            r = all
            r.minModRevision = 4
            r.sortOrder = .descend
            r.sortTarget = .mod
            r.limit = 1
            #expect(try await keys(r) == ["k1"])
            // At revision 5: k3 c2 m5, k1 c3 m3, k2 c4 m4.
            r = all
            r.revision = 5
            r.minCreateRevision = 3
            #expect(try await keys(r) == ["k1", "k2"])
            r.minCreateRevision = 0
            r.minModRevision = 5
            #expect(try await keys(r) == ["k3"])
        }
    }

    // MARK: Put

    @Test("put: prevKV, versions, lease attach and detach, ignoreValue, ignoreLease")
    func putOptions() async throws {
        try await withSemStore { store in
            let created = try await store.put(PutRequest(key: semBytes("p"), value: semBytes("v1"), prevKV: true))
            #expect(created.prevKV == nil && created.header.revision == 2)
            let v1 = try #require(try await store.get("p"))
            #expect(v1 == KeyValue(key: semBytes("p"), createRevision: 2, modRevision: 2, version: 1, value: semBytes("v1")))
            let same = try await store.put(PutRequest(key: semBytes("p"), value: semBytes("v1"), prevKV: true))
            #expect(same.prevKV == v1 && same.header.revision == 3)
            #expect(try await store.get("p")?.version == 2, "writing the same value is still a change")
            let noPrev = try await store.put(PutRequest(key: semBytes("p"), value: semBytes("v2")))
            #expect(noPrev.prevKV == nil, "prevKV only when asked")

            let first = try await store.grantLease(ttl: 600).id
            let second = try await store.grantLease(ttl: 600).id
            #expect(store.status().revision == 4, "granting leases writes no key")
            try await store.put(PutRequest(key: semBytes("p"), value: semBytes("v3"), lease: first))
            #expect(try await store.get("p")?.lease == first)
            #expect(try await store.timeToLive(first, keys: true).keys == [semBytes("p")])

            // ignoreLease: new value, lease kept.
            try await store.put(PutRequest(key: semBytes("p"), value: semBytes("v4"), ignoreLease: true))
            var kv = try #require(try await store.get("p"))
            #expect(kv.value == semBytes("v4") && kv.lease == first && kv.version == 5)
            // ignoreValue: value kept, lease from the request (here another lease).
            try await store.put(PutRequest(key: semBytes("p"), lease: second, ignoreValue: true))
            kv = try #require(try await store.get("p"))
            #expect(kv.value == semBytes("v4") && kv.lease == second && kv.version == 6)
            #expect(try await store.timeToLive(first, keys: true).keys.isEmpty)
            #expect(try await store.timeToLive(second, keys: true).keys == [semBytes("p")])
            // Both: only the revision and version move.
            let both = try await store.put(PutRequest(key: semBytes("p"), prevKV: true, ignoreValue: true, ignoreLease: true))
            kv = try #require(try await store.get("p"))
            #expect(both.prevKV?.version == 6 && kv.value == semBytes("v4") && kv.lease == second && kv.version == 7)
            // ignoreValue without a lease: the put detaches the key from its lease.
            try await store.put(PutRequest(key: semBytes("p"), ignoreValue: true))
            kv = try #require(try await store.get("p"))
            #expect(kv.value == semBytes("v4") && kv.lease == 0 && kv.createRevision == 2 && kv.modRevision == 9)
            #expect(try await store.timeToLive(second, keys: true).keys.isEmpty)

            let revision = store.status().revision
            let missingValue = await semError { try await store.put(PutRequest(key: semBytes("missing"), ignoreValue: true)) }
            #expect(missingValue?.code == .keyNotFound)
            let missingLease = await semError { try await store.put(PutRequest(key: semBytes("missing"), value: semBytes("x"), ignoreLease: true)) }
            #expect(missingLease?.code == .keyNotFound)
            let valueGiven = await semError { try await store.put(PutRequest(key: semBytes("p"), value: semBytes("x"), ignoreValue: true)) }
            #expect(valueGiven?.code == .invalidArgument)
            let leaseGiven = await semError { try await store.put(PutRequest(key: semBytes("p"), value: semBytes("x"), lease: first, ignoreLease: true)) }
            #expect(leaseGiven?.code == .invalidArgument)
            try await store.revokeLease(first)
            let revoked = await semError { try await store.put(PutRequest(key: semBytes("p"), value: semBytes("x"), lease: first)) }
            #expect(revoked?.code == .leaseNotFound)
            #expect(store.status().revision == revision)
            #expect(try await store.get("missing") == nil)
            #expect(try await store.get("p")?.modRevision == 9)
        }
    }

    // MARK: DeleteRange

    @Test("deleteRange: the number deleted, prevKVs when asked, nothing deleted changes nothing, recreation restarts the version")
    func deleteRange() async throws {
        try await withSemStore { store in
            for key in ["a", "b", "c", "d"] { try await store.put(key, key + "1") }  // 2...5
            try await store.put("c", "c2")  // 6
            let b = try #require(try await store.get("b"))
            let c = try #require(try await store.get("c"))
            let deleted = try await store.deleteRange(DeleteRangeRequest(key: semBytes("b"), rangeEnd: semBytes("d"), prevKV: true))
            #expect(deleted.deleted == 2 && deleted.prevKVs == [b, c] && deleted.header.revision == 7)
            let plain = try await store.deleteRange(DeleteRangeRequest(key: semBytes("a")))
            #expect(plain.deleted == 1 && plain.prevKVs.isEmpty && plain.header.revision == 8)
            let nothing = try await store.deleteRange(DeleteRangeRequest(key: semBytes("b"), rangeEnd: semBytes("d"), prevKV: true))
            #expect(nothing.deleted == 0 && nothing.prevKVs.isEmpty && nothing.header.revision == 8)
            #expect(store.status().revision == 8, "deleting nothing is not a change")
            // History still holds the deleted keys.
            #expect(try await store.range(RangeRequest(key: semBytes("c"), revision: 6)).kvs.first == c)
            try await store.put("b", "again")  // 9
            let recreated = try #require(try await store.get("b"))
            #expect(recreated.createRevision == 9 && recreated.version == 1 && recreated.modRevision == 9)
            try await store.put("z", "z")  // 10
            let everything = try await store.deleteRange(DeleteRangeRequest(key: [0], rangeEnd: [0]))
            #expect(everything.deleted == 3 && everything.header.revision == 11)
            #expect(try await store.range(RangeRequest(key: [0], rangeEnd: [0])).count == 0)
        }
    }

    // MARK: Txn

    @Test("txn compares: every target with every result, on a key, a missing key and a range")
    func compares() async throws {
        try await withSemStore { store in
            let lease = try await store.grantLease(ttl: 600).id
            try await store.put("k", "m", lease: lease)  // create 2
            try await store.put("k", "n", lease: lease)  // mod 3, version 2
            let k = try #require(try await store.get("k"))
            func holds(_ target: Compare.Target, _ result: Compare.Result, key: String = "k", rangeEnd: [UInt8] = []) async throws -> Bool {
                try await store.txn(TxnRequest(compare: [Compare(key: semBytes(key), rangeEnd: rangeEnd, target, result)])).succeeded
            }
            func expected(_ order: Int, _ result: Compare.Result) -> Bool {
                switch result {
                case .equal: order == 0
                case .notEqual: order != 0
                case .greater: order > 0
                case .less: order < 0
                }
            }
            let results: [Compare.Result] = [.equal, .notEqual, .greater, .less]
            let numeric: [(String, Int64, (Int64) -> Compare.Target)] = [
                ("version", k.version, { .version($0) }), ("create", k.createRevision, { .createRevision($0) }),
                ("mod", k.modRevision, { .modRevision($0) }), ("lease", k.lease, { .lease($0) }),
            ]
            for (name, actual, target) in numeric {
                for operand in [actual - 1, actual, actual + 1] {
                    for result in results {
                        let order = actual < operand ? -1 : (actual > operand ? 1 : 0)
                        #expect(try await holds(target(operand), result) == expected(order, result), "\(name) \(actual) \(result) \(operand)")
                    }
                }
            }
            for operand in ["m", "n", "o", "", "nn"] {
                for result in results {
                    let order = operand < "n" ? 1 : (operand > "n" ? -1 : 0)
                    #expect(try await holds(.value(semBytes(operand)), result) == expected(order, result), "value n \(result) \(operand)")
                }
            }
            // A missing key compares as zero (version, revisions, lease); a value compare on it always fails.
            for result in results {
                for target: Compare.Target in [.version(0), .createRevision(0), .modRevision(0), .lease(0)] {
                    #expect(try await holds(target, result, key: "missing") == expected(0, result), "missing \(target) \(result)")
                }
                #expect(try await holds(.value([]), result, key: "missing") == false)
                #expect(try await holds(.value(semBytes("x")), result, key: "missing") == false)
            }
            #expect(try await holds(.version(1), .less, key: "missing"))
            // Over a range, every key must satisfy the compare.
            try await store.put("k2", "n")  // version 1
            #expect(try await holds(.value(semBytes("n")), .equal, rangeEnd: semBytes("l")))
            #expect(try await holds(.version(0), .greater, rangeEnd: semBytes("l")))
            #expect(!(try await holds(.version(2), .equal, rangeEnd: semBytes("l"))))
            #expect(!(try await holds(.lease(lease), .equal, rangeEnd: semBytes("l"))))
            #expect(try await holds(.version(0), .equal, key: "x", rangeEnd: semBytes("y")), "an empty range compares as zero")
            #expect(!(try await holds(.value([]), .equal, key: "x", rangeEnd: semBytes("y"))))
            // Several compares are an AND.
            let and = TxnRequest(compare: [
                Compare(key: semBytes("k"), .version(2), .equal), Compare(key: semBytes("k2"), .version(2), .equal),
            ])
            #expect(!(try await store.txn(and).succeeded))
            #expect(try await store.txn(TxnRequest()).succeeded, "no compares: success")
            #expect(store.status().revision == 4, "compares never write")
        }
    }

    @Test("txn: the chosen branch runs in order, later ops see earlier writes, all writes share one revision")
    func branches() async throws {
        try await withSemStore { store in
            try await store.put("a", "1")  // 2
            try await store.put("c", "1")  // 3
            let request = TxnRequest(
                compare: [Compare(key: semBytes("a"), .value(semBytes("other")), .equal)],
                success: [.put(PutRequest(key: semBytes("never"), value: semBytes("x")))],
                failure: [
                    .range(RangeRequest(key: semBytes("a"))),
                    .put(PutRequest(key: semBytes("b"), value: semBytes("2"), prevKV: true)),
                    .deleteRange(DeleteRangeRequest(key: semBytes("c"), prevKV: true)),
                    .range(RangeRequest(key: [0], rangeEnd: [0])),
                    .put(PutRequest(key: semBytes("a"), value: semBytes("3"), prevKV: true)),
                ]
            )
            let response = try await store.txn(request)
            #expect(!response.succeeded && response.header.revision == 4 && response.responses.count == 5)
            guard response.responses.count == 5,
                case .range(let before) = response.responses[0], case .put(let putB) = response.responses[1],
                case .deleteRange(let deleteC) = response.responses[2], case .range(let after) = response.responses[3],
                case .put(let putA) = response.responses[4]
            else {
                Issue.record("responses do not match the failure branch: \(response.responses)")
                return
            }
            #expect(before.kvs.first?.value == semBytes("1") && before.header.revision == 3, "nothing written yet")
            #expect(putB.prevKV == nil && putB.header.revision == 4)
            #expect(deleteC.deleted == 1 && deleteC.prevKVs.first?.value == semBytes("1"))
            #expect(Self.keys(after) == ["a", "b"] && after.header.revision == 4, "a later range sees the txn's earlier writes")
            #expect(after.kvs.last?.modRevision == 4)
            #expect(putA.prevKV?.value == semBytes("1"))
            #expect(try await store.get("never") == nil)
            #expect(store.status().revision == 4, "one revision for the whole txn")
            let a = try #require(try await store.get("a"))
            #expect(a.modRevision == 4 && a.version == 2)
            let history = try await store.range(RangeRequest(key: [0], rangeEnd: [0], revision: 3))
            #expect(Self.keys(history) == ["a", "c"])
        }
    }

    @Test("nested txn: each level picks its branch; the whole tree is one revision")
    func nested() async throws {
        try await withSemStore { store in
            try await store.put("flag", "on")  // 2
            let request = TxnRequest(
                compare: [Compare(key: semBytes("flag"), .value(semBytes("on")), .equal)],
                success: [
                    .put(PutRequest(key: semBytes("x"), value: semBytes("1"))),
                    .txn(TxnRequest(
                        compare: [Compare(key: semBytes("flag"), .version(5), .equal)],
                        success: [.put(PutRequest(key: semBytes("y"), value: semBytes("success")))],
                        failure: [
                            .put(PutRequest(key: semBytes("y"), value: semBytes("failure"))),
                            .txn(TxnRequest(
                                compare: [Compare(key: semBytes("flag"), .createRevision(2), .equal)],
                                success: [.deleteRange(DeleteRangeRequest(key: semBytes("flag"))), .range(RangeRequest(key: semBytes("y")))]
                            )),
                        ]
                    )),
                ]
            )
            let response = try await store.txn(request)
            #expect(response.succeeded && response.header.revision == 3)
            guard case .txn(let inner) = response.responses.last, case .txn(let innermost) = inner.responses.last,
                case .range(let seen) = innermost.responses.last
            else {
                Issue.record("nested responses missing: \(response.responses)")
                return
            }
            #expect(!inner.succeeded && innermost.succeeded)
            #expect(seen.kvs.first?.value == semBytes("failure"), "a nested range sees the enclosing txn's writes")
            #expect(try await store.get("flag") == nil)
            #expect(try await store.get("y")?.modRevision == 3)
            #expect(try await store.get("x")?.modRevision == 3 && store.status().revision == 3)
        }
    }

    /// etcd evaluates every compare of the transaction tree (`compareToPath`) against the state before
    /// the transaction, then applies the chosen path; a nested compare does not see the enclosing
    /// transaction's earlier writes (only range operations do).
    @Test("nested txn compares are evaluated against the state before the transaction (etcd compareToPath)")
    func nestedComparesSeeThePreTransactionState() async throws {
        try await withSemStore { store in
            let request = TxnRequest(success: [
                .put(PutRequest(key: semBytes("a"), value: semBytes("1"))),
                .txn(TxnRequest(
                    compare: [Compare(key: semBytes("a"), .value(semBytes("1")), .equal)],
                    success: [.put(PutRequest(key: semBytes("saw-write"), value: semBytes("x")))],
                    failure: [.put(PutRequest(key: semBytes("saw-before"), value: semBytes("x")))]
                )),
            ])
            let response = try await store.txn(request)
            guard case .txn(let inner) = response.responses.last else {
                Issue.record("no nested response")
                return
            }
            #expect(!inner.succeeded)
            let sawBefore = try await store.get("saw-before")
            let sawWrite = try await store.get("saw-write")
            #expect(sawBefore != nil && sawWrite == nil)
        }
    }

    /// etcd's `checkTxnRequest`: a nested transaction may use only the operations its parent left
    /// (`maxTxnOps - max(len(compare), len(success), len(failure))` of the parent).
    @Test("nested txn operations count against the parent's operation budget (etcd --max-txn-ops)")
    func nestedOperationBudget() async throws {
        var options = KeyValueStore.Options()
        options.maxTxnOperations = 10
        try await withSemStore(options: options) { store in
            func request(outer: Int, nested: Int, nestedCompares: Int = 0) -> TxnRequest {
                let puts: [RequestOp] = (0..<outer).map { .put(PutRequest(key: semBytes("o\($0)"), value: semBytes("v"))) }
                let inner = TxnRequest(
                    compare: (0..<nestedCompares).map { Compare(key: semBytes("c\($0)"), .version(0), .equal) },
                    success: (0..<nested).map { .put(PutRequest(key: semBytes("n\($0)"), value: semBytes("v"))) }
                )
                return TxnRequest(success: puts + [.txn(inner)])
            }
            // Parent: 5 puts + 1 txn = 6 operations; 4 are left for the nested one.
            let within = try await store.txn(request(outer: 5, nested: 4))
            #expect(within.succeeded && store.status().revision == 2)
            let revision = store.status().revision
            let tooMany = await semError { _ = try await store.txn(request(outer: 5, nested: 5)) }
            #expect(tooMany?.code == .tooManyOperations)
            let tooManyCompares = await semError { _ = try await store.txn(request(outer: 5, nested: 1, nestedCompares: 5)) }
            #expect(tooManyCompares?.code == .tooManyOperations)
            #expect(store.status().revision == revision)
            // The top level may use the whole budget.
            let full = TxnRequest(success: (0..<10).map { .put(PutRequest(key: semBytes("f\($0)"), value: semBytes("v"))) })
            #expect(try await store.txn(full).succeeded)
            let over = TxnRequest(success: (0..<11).map { .put(PutRequest(key: semBytes("f\($0)"), value: semBytes("v"))) })
            #expect(await semError { _ = try await store.txn(over) }?.code == .tooManyOperations)
        }
    }

    @Test("a read-only txn is served without the log and changes nothing; an untaken write branch changes nothing")
    func readOnlyTransactions() async throws {
        try await withSemStore { store in
            try await store.put("a", "1")  // 2
            try await store.put("a", "2")  // 3
            let before = store.status()
            let hash = try store.hash()
            let response = try await store.txn(TxnRequest(
                compare: [Compare(key: semBytes("a"), .version(2), .equal)],
                success: [
                    .range(RangeRequest(key: semBytes("a"))), .range(RangeRequest(key: semBytes("a"), revision: 2)),
                    .txn(TxnRequest(success: [.range(RangeRequest(key: [0], rangeEnd: [0], countOnly: true))])),
                ],
                failure: [.range(RangeRequest(key: semBytes("zzz")))]
            ))
            #expect(response.succeeded && response.header.revision == 3)
            guard response.responses.count == 3, case .range(let now) = response.responses[0], case .range(let then) = response.responses[1],
                case .txn(let inner) = response.responses[2], case .range(let counted) = inner.responses.first
            else {
                Issue.record("unexpected responses \(response.responses)")
                return
            }
            #expect(now.kvs.first?.value == semBytes("2") && then.kvs.first?.value == semBytes("1") && counted.count == 1)
            let after = store.status()
            #expect(after.revision == before.revision && after.raftAppliedIndex == before.raftAppliedIndex, "read-only: no log entry")
            #expect(try store.hash().hash == hash.hash)
            // A write only in the branch not taken: nothing changes.
            let untaken = try await store.txn(TxnRequest(
                compare: [Compare(key: semBytes("a"), .version(2), .equal)],
                success: [.range(RangeRequest(key: semBytes("a")))],
                failure: [.put(PutRequest(key: semBytes("a"), value: semBytes("never")))]
            ))
            #expect(untaken.succeeded && untaken.header.revision == 3 && store.status().revision == 3)
            #expect(try store.hash().hash == hash.hash)
        }
    }

    // MARK: Compact

    @Test("compact: drops history before the revision, keeps the current state, refuses compacted and future revisions")
    func compaction() async throws {
        try await withSemStore { store in
            for i in 1...5 { try await store.put("k", "v\(i)") }  // 2...6
            try await store.put("gone", "x")  // 7
            try await store.deleteRange(DeleteRangeRequest(key: semBytes("gone")))  // 8
            try await store.put("other", "o")  // 9
            try await store.compact(5)
            var status = store.status()
            #expect(status.compactRevision == 5 && status.revision == 9, "compaction is not a write")
            let old = await semError { _ = try await store.range(RangeRequest(key: semBytes("k"), revision: 4)) }
            #expect(old?.code == .compacted && old?.compactRevision == 5)
            #expect(try await store.range(RangeRequest(key: semBytes("k"), revision: 5)).kvs.first?.value == semBytes("v4"))
            #expect(try await store.range(RangeRequest(key: semBytes("gone"), revision: 7)).kvs.first?.value == semBytes("x"))
            let again = await semError { try await store.compact(5) }
            #expect(again?.code == .compacted && again?.compactRevision == 5)
            let lower = await semError { try await store.compact(3) }
            #expect(lower?.code == .compacted)
            let future = await semError { try await store.compact(10) }
            #expect(future?.code == .futureRevision)
            // Compacting at the current revision keeps the whole current state.
            try await store.compact(9)
            status = store.status()
            #expect(status.compactRevision == 9 && status.revision == 9 && status.keys == 2)
            let k = try #require(try await store.get("k"))
            #expect(k.version == 5 && k.createRevision == 2 && k.modRevision == 6 && k.value == semBytes("v5"))
            try await store.put("k", "v6")
            #expect(try await store.get("k")?.version == 6, "versions continue after compaction")
            #expect(try await store.range(RangeRequest(key: [0], rangeEnd: [0], revision: 9)).count == 2)
        }
    }

    // MARK: Limits at the boundary

    @Test("at the limits: 128 operations and a 1 MiB value are accepted")
    func limitsAtTheBoundary() async throws {
        try await withSemStore { store in
            let ops = TxnRequest(
                compare: (0..<128).map { Compare(key: semBytes("c\($0)"), .version(0), .equal) },
                success: (0..<128).map { .put(PutRequest(key: semBytes("k\($0)"), value: semBytes("v"))) },
                failure: (0..<128).map { .range(RangeRequest(key: semBytes("k\($0)"))) }
            )
            let response = try await store.txn(ops)
            #expect(response.succeeded && store.status().keys == 128 && store.status().revision == 2)
            let big = [UInt8](repeating: 7, count: 1 << 20)
            try await store.put(PutRequest(key: semBytes("big"), value: big))
            #expect(try await store.get("big")?.value.count == 1 << 20)
        }
    }

    // MARK: Bad input

    struct BadInput: Sendable, CustomTestStringConvertible {
        let name: String
        let code: StoreError.Code
        let run: @Sendable (KeyValueStore) async throws -> Void
        var testDescription: String { name }

        init(_ name: String, _ code: StoreError.Code, _ run: @escaping @Sendable (KeyValueStore) async throws -> Void) {
            self.name = name
            self.code = code
            self.run = run
        }
    }

    static let leaseID: Int64 = 7

    static let badInputs: [BadInput] = {
        @Sendable func put(_ key: String, _ value: String = "v", lease: Int64 = 0) -> RequestOp {
            .put(PutRequest(key: semBytes(key), value: semBytes(value), lease: lease))
        }
        let tooLongKey = [UInt8](repeating: 0x6B, count: (32 << 10) + 1)
        let hugeValue = [UInt8](repeating: 1, count: 1_572_864 + 1)
        let halfLimit = [UInt8](repeating: 1, count: 800 << 10)
        return [
            BadInput("put with an empty key", .emptyKey) { try await $0.put(PutRequest(key: [], value: semBytes("x"))) },
            BadInput("range with an empty key", .emptyKey) { _ = try await $0.range(RangeRequest(key: [])) },
            BadInput("deleteRange with an empty key", .emptyKey) { try await $0.deleteRange(DeleteRangeRequest(key: [], rangeEnd: [0])) },
            BadInput("txn compare with an empty key", .emptyKey) {
                _ = try await $0.txn(TxnRequest(compare: [Compare(key: [], .version(0), .equal)], success: [put("a", "changed")]))
            },
            BadInput("txn failure op with an empty key", .emptyKey) {
                _ = try await $0.txn(TxnRequest(success: [put("a", "changed")], failure: [.put(PutRequest(key: [], value: semBytes("x")))]))
            },
            BadInput("nested txn range with an empty key", .emptyKey) {
                _ = try await $0.txn(TxnRequest(success: [put("a", "changed"), .txn(TxnRequest(success: [.range(RangeRequest(key: []))]))]))
            },
            BadInput("key over 32 KiB", .keyTooLarge) { try await $0.put(PutRequest(key: tooLongKey, value: semBytes("x"))) },
            BadInput("value over the request limit", .requestTooLarge) { try await $0.put(PutRequest(key: semBytes("a"), value: hugeValue)) },
            BadInput("txn over the request limit", .requestTooLarge) {
                _ = try await $0.txn(TxnRequest(success: [
                    .put(PutRequest(key: semBytes("x"), value: halfLimit)), .put(PutRequest(key: semBytes("y"), value: halfLimit)),
                ]))
            },
            BadInput("129 txn operations", .tooManyOperations) {
                _ = try await $0.txn(TxnRequest(success: (0..<129).map { put("k\($0)") }))
            },
            BadInput("129 txn compares", .tooManyOperations) {
                _ = try await $0.txn(TxnRequest(compare: (0..<129).map { Compare(key: semBytes("k\($0)"), .version(0), .equal) }, success: [put("a", "changed")]))
            },
            BadInput("129 failure operations", .tooManyOperations) {
                _ = try await $0.txn(TxnRequest(success: [put("a", "changed")], failure: (0..<129).map { put("k\($0)") }))
            },
            BadInput("a key put twice in a txn", .duplicateKey) { _ = try await $0.txn(TxnRequest(success: [put("k", "1"), put("k", "2")])) },
            BadInput("a put inside a range the txn deletes", .duplicateKey) {
                _ = try await $0.txn(TxnRequest(success: [.deleteRange(DeleteRangeRequest(key: semBytes("a"), rangeEnd: semBytes("c"))), put("b", "new")]))
            },
            BadInput("a put in a nested txn of a key its parent puts", .duplicateKey) {
                _ = try await $0.txn(TxnRequest(success: [put("k"), .txn(TxnRequest(failure: [put("k")]))]))
            },
            BadInput("a put in a nested txn inside a range its parent deletes", .duplicateKey) {
                _ = try await $0.txn(TxnRequest(success: [.deleteRange(DeleteRangeRequest(key: [0], rangeEnd: [0])), .txn(TxnRequest(success: [put("z")]))]))
            },
            BadInput("puts of one key in two nested txns", .duplicateKey) {
                _ = try await $0.txn(TxnRequest(success: [.txn(TxnRequest(success: [put("k")])), .txn(TxnRequest(success: [put("k")]))]))
            },
            BadInput("range at a future revision", .futureRevision) { _ = try await $0.range(RangeRequest(key: semBytes("a"), revision: 1_000)) },
            BadInput("range at a compacted revision", .compacted) { _ = try await $0.range(RangeRequest(key: semBytes("a"), revision: 2)) },
            BadInput("txn writing, then reading a future revision", .futureRevision) {
                _ = try await $0.txn(TxnRequest(success: [put("new"), .range(RangeRequest(key: semBytes("a"), revision: 1_000))]))
            },
            BadInput("txn writing, then reading at its own pending revision", .futureRevision) {
                // etcd checks a txn's ranges against the state before it (checkRange): revision 5 is in the future.
                _ = try await $0.txn(TxnRequest(success: [put("new"), .range(RangeRequest(key: semBytes("new"), revision: 5))]))
            },
            BadInput("range with a negative limit", .invalidArgument) { _ = try await $0.range(RangeRequest(key: semBytes("a"), limit: -1)) },
            BadInput("txn range with a negative limit", .invalidArgument) {
                _ = try await $0.txn(TxnRequest(success: [put("a", "changed"), .range(RangeRequest(key: semBytes("a"), limit: -1))]))
            },
            BadInput("put with an unknown lease", .leaseNotFound) { try await $0.put("new", "v", lease: 999) },
            BadInput("txn whose third op names an unknown lease", .leaseNotFound) {
                _ = try await $0.txn(TxnRequest(success: [
                    put("p"), .deleteRange(DeleteRangeRequest(key: semBytes("a"))), put("q", lease: 999),
                ]))
            },
            BadInput("put with ignoreValue and a value", .invalidArgument) {
                try await $0.put(PutRequest(key: semBytes("a"), value: semBytes("x"), ignoreValue: true))
            },
            BadInput("put with ignoreLease and a lease", .invalidArgument) {
                try await $0.put(PutRequest(key: semBytes("a"), value: semBytes("x"), lease: leaseID, ignoreLease: true))
            },
            BadInput("put with ignoreValue of a missing key", .keyNotFound) { try await $0.put(PutRequest(key: semBytes("nope"), ignoreValue: true)) },
            BadInput("put with ignoreLease of a missing key", .keyNotFound) {
                try await $0.put(PutRequest(key: semBytes("nope"), value: semBytes("x"), ignoreLease: true))
            },
            BadInput("compact a future revision", .futureRevision) { try await $0.compact(1_000) },
            BadInput("compact the compact revision again", .compacted) { try await $0.compact(3) },
            BadInput("revoke an unknown lease", .leaseNotFound) { try await $0.revokeLease(999) },
            BadInput("keep alive an unknown lease", .leaseNotFound) { try await $0.keepAlive(999) },
            BadInput("time to live of an unknown lease", .leaseNotFound) { _ = try await $0.timeToLive(999) },
            BadInput("grant an existing lease ID", .leaseExists) { _ = try await $0.grantLease(ttl: 60, id: leaseID) },
            BadInput("grant a TTL over etcd's maximum", .leaseTTLTooLarge) { _ = try await $0.grantLease(ttl: 9_000_000_001) },
        ]
    }()

    @Test("bad input: a typed StoreError and nothing changes (revision, hash, keys, leases)", arguments: badInputs)
    func badInput(_ input: BadInput) async throws {
        try await withSemStore { store in
            try await store.put("a", "1")  // 2
            try await store.put("b", "2")  // 3
            try await store.compact(3)
            _ = try await store.grantLease(ttl: 600, id: Self.leaseID)
            try await store.put("leased", "x", lease: Self.leaseID)  // 4
            let status = store.status()
            let hash = try store.hash()
            let everything = try await store.range(RangeRequest(key: [0], rangeEnd: [0]))
            let leases = try await store.leases()

            let error = await semError { try await input.run(store) }
            #expect(error?.code == input.code, "\(input.name): \(String(describing: error))")

            let after = store.status()
            #expect(after.revision == status.revision && after.compactRevision == status.compactRevision && after.keys == status.keys)
            #expect(try store.hash().hash == hash.hash)
            #expect(try await store.range(RangeRequest(key: [0], rangeEnd: [0])) == everything)
            #expect(try await store.leases() == leases)
            #expect(try await store.timeToLive(Self.leaseID, keys: true).keys == [semBytes("leased")])
        }
    }
}
