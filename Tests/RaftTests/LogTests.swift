import Testing

@testable import Raft

/// Unit tests of the log: ``RaftLog`` (durable storage followed by the unstable tail), ``UnstableLog``
/// and ``MemoryStorage``, after etcd-io/raft's `log_test.go`, `log_unstable_test.go` and `storage_test.go`.
@Suite struct LogTests {
    // MARK: Helpers

    /// Entries with consecutive indexes from `first`, one per term in `terms`.
    static func entries(_ terms: [UInt64], from first: UInt64 = 1) -> [Entry] {
        terms.enumerated().map { i, term in Entry(term: term, index: first + UInt64(i)) }
    }

    /// Entries `range` whose term equals their index.
    static func selfTermed(_ range: ClosedRange<UInt64>) -> [Entry] {
        range.map { Entry(term: $0, index: $0) }
    }

    /// A storage holding a snapshot at `snapshotIndex`/`snapshotTerm` (none if 0) and then `entries`.
    static func storage(snapshotIndex: UInt64 = 0, snapshotTerm: UInt64 = 0, _ entries: [Entry] = []) -> MemoryStorage {
        let storage = MemoryStorage()
        if snapshotIndex > 0 {
            try! storage.applySnapshot(
                Snapshot(metadata: SnapshotMetadata(index: snapshotIndex, term: snapshotTerm))
            )
        }
        try! storage.append(entries)
        return storage
    }

    /// A log over `storage` with `unstable` appended after it.
    static func log(_ storage: MemoryStorage, unstable: [Entry] = [], maxApplying: UInt64 = .max) -> RaftLog {
        var log = RaftLog(storage: storage, maxApplyingSize: maxApplying)
        log.append(unstable[...])
        return log
    }

    /// The terms of `first...last` as the log reports them (0 where it throws).
    static func terms(_ log: RaftLog, _ range: ClosedRange<UInt64>) -> [UInt64] {
        range.map { log.termOrZero($0) }
    }

    // MARK: findConflict

    struct ConflictCase: Sendable, CustomTestStringConvertible {
        var first: UInt64
        var terms: [UInt64]
        var conflict: UInt64
        var testDescription: String { "terms \(terms) from \(first) → \(conflict)" }
    }

    @Test(arguments: [
        // Nothing offered.
        ConflictCase(first: 1, terms: [], conflict: 0),
        // All already present.
        ConflictCase(first: 1, terms: [1, 2, 3], conflict: 0),
        ConflictCase(first: 2, terms: [2, 3], conflict: 0),
        ConflictCase(first: 3, terms: [3], conflict: 0),
        // Present, then new.
        ConflictCase(first: 1, terms: [1, 2, 3, 4, 4], conflict: 4),
        ConflictCase(first: 2, terms: [2, 3, 4, 4], conflict: 4),
        ConflictCase(first: 3, terms: [3, 4, 4], conflict: 4),
        ConflictCase(first: 4, terms: [4, 4], conflict: 4),
        // Conflicting terms.
        ConflictCase(first: 1, terms: [4, 4], conflict: 1),
        ConflictCase(first: 2, terms: [1, 4, 4], conflict: 2),
        ConflictCase(first: 3, terms: [1, 2, 4, 4], conflict: 3),
    ])
    func findConflict(_ c: ConflictCase) {
        let log = Self.log(Self.storage(Self.entries([1, 2, 3])))
        #expect(log.findConflict(Self.entries(c.terms, from: c.first)[...]) == c.conflict)
    }

    // MARK: findConflictByTerm

    struct ByTermCase: Sendable, CustomTestStringConvertible {
        var index: UInt64
        var term: UInt64
        var wantIndex: UInt64
        var wantTerm: UInt64
        var testDescription: String { "(\(index), \(term)) → (\(wantIndex), \(wantTerm))" }
    }

    /// Log 1...5 with terms 2, 2, 5, 5, 5, split between storage and unstable at every point.
    @Test(
        arguments: [
            ByTermCase(index: 100, term: 2, wantIndex: 100, wantTerm: 0),  // past the end
            ByTermCase(index: 5, term: 6, wantIndex: 5, wantTerm: 5),
            ByTermCase(index: 5, term: 5, wantIndex: 5, wantTerm: 5),
            ByTermCase(index: 5, term: 4, wantIndex: 2, wantTerm: 2),
            ByTermCase(index: 5, term: 2, wantIndex: 2, wantTerm: 2),
            ByTermCase(index: 5, term: 1, wantIndex: 0, wantTerm: 0),
            ByTermCase(index: 1, term: 2, wantIndex: 1, wantTerm: 2),
            ByTermCase(index: 1, term: 1, wantIndex: 0, wantTerm: 0),
            ByTermCase(index: 0, term: 0, wantIndex: 0, wantTerm: 0),
        ],
        0...5
    )
    func findConflictByTerm(_ c: ByTermCase, stored: Int) {
        let all = Self.entries([2, 2, 5, 5, 5])
        let log = Self.log(Self.storage(Array(all[..<stored])), unstable: Array(all[stored...]))
        let found = log.findConflictByTerm(index: c.index, term: c.term)
        #expect(found.index == c.wantIndex)
        #expect(found.term == c.wantTerm)
    }

    /// Log compacted through 10 (term 3), then 11, 12 at term 3 and 13...15 at term 4.
    @Test(
        arguments: [
            ByTermCase(index: 30, term: 3, wantIndex: 30, wantTerm: 0),  // past the end
            ByTermCase(index: 14, term: 9, wantIndex: 14, wantTerm: 4),
            ByTermCase(index: 14, term: 4, wantIndex: 14, wantTerm: 4),
            ByTermCase(index: 14, term: 3, wantIndex: 12, wantTerm: 3),
            ByTermCase(index: 14, term: 2, wantIndex: 9, wantTerm: 0),  // compacted
            ByTermCase(index: 11, term: 5, wantIndex: 11, wantTerm: 3),
            ByTermCase(index: 10, term: 5, wantIndex: 10, wantTerm: 3),
            ByTermCase(index: 10, term: 3, wantIndex: 10, wantTerm: 3),
            ByTermCase(index: 10, term: 2, wantIndex: 9, wantTerm: 0),
            ByTermCase(index: 9, term: 2, wantIndex: 9, wantTerm: 0),
            ByTermCase(index: 4, term: 2, wantIndex: 4, wantTerm: 0),
            ByTermCase(index: 0, term: 0, wantIndex: 0, wantTerm: 0),
        ],
        0...5
    )
    func findConflictByTermCompacted(_ c: ByTermCase, stored: Int) {
        let all = Self.entries([3, 3, 4, 4, 4], from: 11)
        let storage = Self.storage(snapshotIndex: 10, snapshotTerm: 3, Array(all[..<stored]))
        let log = Self.log(storage, unstable: Array(all[stored...]))
        let found = log.findConflictByTerm(index: c.index, term: c.term)
        #expect(found.index == c.wantIndex)
        #expect(found.term == c.wantTerm)
    }

    // MARK: maybeAppend

    struct AppendCase: Sendable, CustomTestStringConvertible {
        var logTerm: UInt64
        var index: UInt64
        var committed: UInt64
        var entries: [Entry]
        /// nil: refused (no match, or a broken invariant).
        var lastNew: UInt64?
        var wantCommit: UInt64
        /// The terms of the log afterwards, from index 1.
        var wantTerms: [UInt64] = [1, 2, 3]
        var violation = false
        var testDescription: String {
            "after \(index)/\(logTerm) commit \(committed) entries \(entries.map { "\($0.index)@\($0.term)" })"
        }
    }

    static func at(_ index: UInt64, _ term: UInt64) -> Entry { Entry(term: term, index: index) }

    /// Log 1...3 with terms 1, 2, 3, committed through 1.
    @Test(arguments: [
        // No match: other term, or past the end.
        AppendCase(logTerm: 2, index: 3, committed: 3, entries: [at(4, 4)], lastNew: nil, wantCommit: 1),
        AppendCase(logTerm: 3, index: 4, committed: 3, entries: [at(5, 4)], lastNew: nil, wantCommit: 1),
        // Match with the last entry.
        AppendCase(logTerm: 3, index: 3, committed: 3, entries: [], lastNew: 3, wantCommit: 3),
        // The commit never goes past the last new entry...
        AppendCase(logTerm: 3, index: 3, committed: 4, entries: [], lastNew: 3, wantCommit: 3),
        AppendCase(logTerm: 3, index: 3, committed: 2, entries: [], lastNew: 3, wantCommit: 2),
        // ... and never decreases.
        AppendCase(logTerm: 3, index: 3, committed: 0, entries: [], lastNew: 3, wantCommit: 1),
        AppendCase(logTerm: 0, index: 0, committed: 3, entries: [], lastNew: 0, wantCommit: 1),
        AppendCase(logTerm: 3, index: 3, committed: 3, entries: [at(4, 4)], lastNew: 4, wantCommit: 3, wantTerms: [1, 2, 3, 4]),
        AppendCase(logTerm: 3, index: 3, committed: 4, entries: [at(4, 4)], lastNew: 4, wantCommit: 4, wantTerms: [1, 2, 3, 4]),
        AppendCase(logTerm: 3, index: 3, committed: 5, entries: [at(4, 4)], lastNew: 4, wantCommit: 4, wantTerms: [1, 2, 3, 4]),
        AppendCase(
            logTerm: 3, index: 3, committed: 5, entries: [at(4, 4), at(5, 4)], lastNew: 5, wantCommit: 5,
            wantTerms: [1, 2, 3, 4, 4]
        ),
        // Match in the middle: the conflicting suffix is replaced.
        AppendCase(logTerm: 2, index: 2, committed: 3, entries: [at(3, 4)], lastNew: 3, wantCommit: 3, wantTerms: [1, 2, 4]),
        AppendCase(logTerm: 1, index: 1, committed: 3, entries: [at(2, 4)], lastNew: 2, wantCommit: 2, wantTerms: [1, 4]),
        AppendCase(
            logTerm: 1, index: 1, committed: 3, entries: [at(2, 4), at(3, 4)], lastNew: 3, wantCommit: 3,
            wantTerms: [1, 4, 4]
        ),
        // Entries already present are kept, and what follows them too.
        AppendCase(logTerm: 1, index: 1, committed: 1, entries: [at(2, 2)], lastNew: 2, wantCommit: 1),
        AppendCase(logTerm: 0, index: 0, committed: 2, entries: [at(1, 1), at(2, 2)], lastNew: 2, wantCommit: 2),
        // A conflict with a committed entry is a broken invariant: refused, nothing changes.
        AppendCase(logTerm: 0, index: 0, committed: 3, entries: [at(1, 4)], lastNew: nil, wantCommit: 1, violation: true),
    ])
    func maybeAppend(_ c: AppendCase) throws {
        var log = Self.log(Self.storage(Self.entries([1, 2, 3])))
        try log.commitTo(1)
        do {
            let lastNew = try log.maybeAppend(index: c.index, logTerm: c.logTerm, committed: c.committed, entries: c.entries)
            #expect(!c.violation, "expected an invariant violation")
            #expect(lastNew == c.lastNew)
        } catch {
            #expect(c.violation, "unexpected \(error)")
            #expect(error.code == .invariantViolation)
        }
        #expect(log.committed == c.wantCommit)
        #expect(log.lastIndex == UInt64(c.wantTerms.count))
        #expect(Self.terms(log, 1...log.lastIndex) == c.wantTerms)
    }

    // MARK: isUpToDate

    /// Log 1...3 with terms 1, 2, 3: a later last term wins; with the same last term the longer log wins.
    @Test(arguments: [
        (UInt64(2), UInt64(4), true), (3, 4, true), (4, 4, true),
        (2, 2, false), (3, 2, false), (4, 2, false),
        (2, 3, false), (3, 3, true), (4, 3, true),
    ] as [(UInt64, UInt64, Bool)])
    func isUpToDate(index: UInt64, term: UInt64, expected: Bool) {
        let log = Self.log(Self.storage(Self.entries([1, 2])), unstable: Self.entries([3], from: 3))
        #expect(log.isUpToDate(index: index, term: term) == expected)
    }

    // MARK: Reading across storage and the unstable tail

    /// Storage: snapshot at 100 (term 1) then 101...149; unstable: 150...199. Terms equal indexes.
    static func splitLog() -> RaftLog {
        let storage = Self.storage(snapshotIndex: 100, snapshotTerm: 1, Self.selfTermed(101...149))
        return Self.log(storage, unstable: Self.selfTermed(150...199))
    }

    @Test func termAcrossStorageAndUnstable() throws {
        let log = Self.splitLog()
        #expect(log.firstIndex == 101)
        #expect(log.lastIndex == 199)
        #expect(log.unstable.offset == 150)
        #expect(errorCode { try log.term(99) } == .compacted)
        #expect(errorCode { try log.term(0) } == .compacted)
        #expect(try log.term(100) == 1)
        for index: UInt64 in 101...199 {
            #expect(try log.term(index) == index)
        }
        #expect(errorCode { try log.term(200) } == .unavailable)
        #expect(log.termOrZero(200) == 0)
        #expect(log.lastTerm == 199)
        #expect(log.matchTerm(150, 150))
        #expect(!log.matchTerm(150, 149))
        #expect(!log.matchTerm(300, 0))
    }

    struct SliceCase: Sendable, CustomTestStringConvertible {
        var low: UInt64
        var high: UInt64
        var maxBytes: UInt64
        var expected: [UInt64] = []
        var error: RaftError.Code?
        var testDescription: String { "\(low)..<\(high) within \(maxBytes) bytes" }
    }

    /// Each entry is 24 bytes by the size estimate (no payload).
    @Test(arguments: [
        SliceCase(low: 99, high: 101, maxBytes: .max, error: .compacted),
        SliceCase(low: 100, high: 101, maxBytes: .max, error: .compacted),
        SliceCase(low: 149, high: 151, maxBytes: .max, expected: [149, 150]),
        SliceCase(low: 150, high: 151, maxBytes: .max, expected: [150]),
        SliceCase(low: 199, high: 200, maxBytes: .max, expected: [199]),
        SliceCase(low: 151, high: 151, maxBytes: .max, expected: []),
        SliceCase(low: 200, high: 201, maxBytes: .max, error: .invariantViolation),
        SliceCase(low: 152, high: 151, maxBytes: .max, error: .invariantViolation),
        // At least one entry whatever the limit.
        SliceCase(low: 149, high: 151, maxBytes: 0, expected: [149]),
        SliceCase(low: 150, high: 152, maxBytes: 0, expected: [150]),
        SliceCase(low: 149, high: 151, maxBytes: 25, expected: [149]),
        SliceCase(low: 148, high: 151, maxBytes: 25, expected: [148]),
        SliceCase(low: 149, high: 151, maxBytes: 47, expected: [149]),
        SliceCase(low: 149, high: 151, maxBytes: 48, expected: [149, 150]),
        SliceCase(low: 149, high: 152, maxBytes: 72, expected: [149, 150, 151]),
        SliceCase(low: 148, high: 152, maxBytes: 72, expected: [148, 149, 150]),
        SliceCase(low: 150, high: 152, maxBytes: 24, expected: [150]),
        SliceCase(low: 150, high: 152, maxBytes: 48, expected: [150, 151]),
        SliceCase(low: 101, high: 200, maxBytes: .max, expected: Array(101...199)),
        SliceCase(low: 101, high: 200, maxBytes: 24 * 60, expected: Array(101...160)),
        SliceCase(low: 101, high: 200, maxBytes: 24 * 60 + 23, expected: Array(101...160)),
        SliceCase(low: 101, high: 200, maxBytes: 24 * 30, expected: Array(101...130)),
    ])
    func sliceAcrossStorageAndUnstable(_ c: SliceCase) throws {
        let log = Self.splitLog()
        if let error = c.error {
            #expect(errorCode { try log.slice(c.low, c.high, maxBytes: c.maxBytes) } == error)
        } else {
            let got = try log.slice(c.low, c.high, maxBytes: c.maxBytes)
            #expect(got.map(\.index) == c.expected)
            #expect(got.allSatisfy { $0.term == $0.index })
        }
    }

    @Test func sliceCountsPayloadBytes() throws {
        // Entries of 10 payload bytes each: 34 bytes by the estimate.
        let big = (1...6).map { Entry(term: 1, index: UInt64($0), data: [UInt8](repeating: 7, count: 10)) }
        let log = Self.log(Self.storage(Array(big[..<3])), unstable: Array(big[3...]))
        #expect(try log.slice(1, 7, maxBytes: 34 * 4).map(\.index) == [1, 2, 3, 4])
        #expect(try log.slice(1, 7, maxBytes: 34 * 4 - 1).map(\.index) == [1, 2, 3])
        #expect(try log.entries(from: 2, maxBytes: 34 * 5).map(\.index) == [2, 3, 4, 5, 6])
        #expect(try log.entries(from: 7, maxBytes: .max).isEmpty)
    }

    // MARK: Compaction

    @Test func readsAfterCompaction() throws {
        let storage = Self.storage(Self.entries(Array(repeating: 1, count: 10)))
        var log = Self.log(storage, unstable: Self.entries([2, 2], from: 11))
        try storage.compact(through: 5)
        #expect(log.firstIndex == 6)
        #expect(log.lastIndex == 12)
        #expect(try log.term(5) == 1)  // the compaction point keeps its term
        #expect(errorCode { try log.term(4) } == .compacted)
        #expect(errorCode { try log.slice(4, 8, maxBytes: .max) } == .compacted)
        #expect(errorCode { try log.entries(from: 5, maxBytes: .max) } == .compacted)
        #expect(try log.entries(from: 6, maxBytes: .max).map(\.index) == Array(6...12))
        #expect(log.allEntries().map(\.index) == Array(6...12))
        // Compacting again at or below the compaction point, or past the end, is refused.
        #expect(errorCode { try storage.compact(through: 5) } == .compacted)
        #expect(errorCode { try storage.compact(through: 3) } == .compacted)
        #expect(errorCode { try storage.compact(through: 11) } == .unavailable)
        try storage.compact(through: 10)
        #expect(log.firstIndex == 11)
        #expect(try log.term(10) == 1)
        #expect(log.allEntries().map(\.index) == [11, 12])
        // The unstable tail is unaffected, and can still be made durable.
        log.unstable.acceptInProgress()
        try storage.append(Array(log.unstable.entries))
        log.stableTo(index: 12, term: 2)
        #expect(log.unstable.entries.isEmpty)
        #expect(log.unstable.offset == 13)
        #expect(Self.terms(log, 10...12) == [1, 2, 2])
    }

    // MARK: UnstableLog

    static func unstable(_ entries: [Entry], offset: UInt64, snapshot: (index: UInt64, term: UInt64)? = nil) -> UnstableLog {
        var u = UnstableLog(offset: offset)
        u.entries = entries
        if let snapshot {
            u.snapshot = Snapshot(metadata: SnapshotMetadata(index: snapshot.index, term: snapshot.term))
        }
        return u
    }

    @Test func unstableBounds() {
        let entries = [Self.at(5, 1)]
        #expect(Self.unstable(entries, offset: 5).maybeFirstIndex() == nil)
        #expect(Self.unstable(entries, offset: 5, snapshot: (4, 1)).maybeFirstIndex() == 5)
        #expect(Self.unstable([], offset: 5, snapshot: (4, 1)).maybeFirstIndex() == 5)
        #expect(Self.unstable([], offset: 0).maybeFirstIndex() == nil)

        #expect(Self.unstable(entries, offset: 5).maybeLastIndex() == 5)
        #expect(Self.unstable(entries, offset: 5, snapshot: (4, 1)).maybeLastIndex() == 5)
        #expect(Self.unstable([], offset: 5, snapshot: (4, 1)).maybeLastIndex() == 4)
        #expect(Self.unstable([], offset: 0).maybeLastIndex() == nil)
    }

    @Test(arguments: [
        // (entries at 5, snapshot at 4, index, term)
        (true, false, UInt64(5), UInt64?.some(1)),
        (true, false, 6, nil),
        (true, false, 4, nil),
        (true, true, 5, 1),
        (true, true, 6, nil),
        (true, true, 4, 1),
        (true, true, 3, nil),
        (false, true, 5, nil),
        (false, true, 4, 1),
        (false, true, 3, nil),
        (false, false, 5, nil),
    ] as [(Bool, Bool, UInt64, UInt64?)])
    func unstableMaybeTerm(hasEntries: Bool, hasSnapshot: Bool, index: UInt64, term: UInt64?) {
        let u = Self.unstable(hasEntries ? [Self.at(5, 1)] : [], offset: 5, snapshot: hasSnapshot ? (4, 1) : nil)
        #expect(u.maybeTerm(index) == term)
    }

    struct StableCase: Sendable, CustomTestStringConvertible {
        var entries: [Entry]
        var offset: UInt64
        var snapshot: UInt64?
        var snapshotTerm: UInt64 = 1
        var index: UInt64
        var term: UInt64
        var wantOffset: UInt64
        var wantCount: Int
        var testDescription: String { "stableTo(\(index), \(term)) over \(entries.map { "\($0.index)@\($0.term)" })" }
    }

    /// An acknowledgement is honoured only if `(index, term)` still names an unstable entry: a stale
    /// one (overwritten since, older than the offset, or the snapshot's) changes nothing.
    @Test(arguments: [
        StableCase(entries: [], offset: 0, index: 5, term: 1, wantOffset: 0, wantCount: 0),
        StableCase(entries: [at(5, 1)], offset: 5, index: 5, term: 1, wantOffset: 6, wantCount: 0),
        StableCase(entries: [at(5, 1), at(6, 1)], offset: 5, index: 5, term: 1, wantOffset: 6, wantCount: 1),
        // Term mismatch: the entry was overwritten.
        StableCase(entries: [at(6, 2)], offset: 6, index: 6, term: 1, wantOffset: 6, wantCount: 1),
        // Older than the offset.
        StableCase(entries: [at(5, 1)], offset: 5, index: 4, term: 1, wantOffset: 5, wantCount: 1),
        StableCase(entries: [at(5, 1)], offset: 5, index: 4, term: 2, wantOffset: 5, wantCount: 1),
        // With a pending snapshot.
        StableCase(entries: [at(5, 1)], offset: 5, snapshot: 4, index: 5, term: 1, wantOffset: 6, wantCount: 0),
        StableCase(entries: [at(5, 1), at(6, 1)], offset: 5, snapshot: 4, index: 5, term: 1, wantOffset: 6, wantCount: 1),
        StableCase(entries: [at(6, 2)], offset: 6, snapshot: 5, index: 6, term: 1, wantOffset: 6, wantCount: 1),
        // The snapshot's own index is not an entry.
        StableCase(entries: [at(5, 1)], offset: 5, snapshot: 4, index: 4, term: 1, wantOffset: 5, wantCount: 1),
        StableCase(entries: [at(5, 2)], offset: 5, snapshot: 4, snapshotTerm: 2, index: 4, term: 1, wantOffset: 5, wantCount: 1),
    ])
    func unstableStableTo(_ c: StableCase) {
        var u = Self.unstable(c.entries, offset: c.offset, snapshot: c.snapshot.map { ($0, c.snapshotTerm) })
        u.acceptInProgress()
        u.stableTo(index: c.index, term: c.term)
        #expect(u.offset == c.wantOffset)
        #expect(u.entries.count == c.wantCount)
        #expect(u.offsetInProgress >= u.offset)
    }

    struct TruncateCase: Sendable, CustomTestStringConvertible {
        var entries: [Entry]
        var inProgress: UInt64
        var append: [Entry]
        var wantOffset: UInt64
        var wantInProgress: UInt64
        var want: [Entry]
        var testDescription: String { "\(entries.map { "\($0.index)@\($0.term)" }) + \(append.map { "\($0.index)@\($0.term)" })" }
    }

    /// Entries from offset 5; `inProgress` is the first entry not yet handed out for writing.
    @Test(arguments: [
        // Append at the end.
        TruncateCase(entries: [at(5, 1)], inProgress: 5, append: [at(6, 1), at(7, 1)], wantOffset: 5, wantInProgress: 5, want: [at(5, 1), at(6, 1), at(7, 1)]),
        TruncateCase(entries: [at(5, 1)], inProgress: 6, append: [at(6, 1), at(7, 1)], wantOffset: 5, wantInProgress: 6, want: [at(5, 1), at(6, 1), at(7, 1)]),
        // Replace everything.
        TruncateCase(entries: [at(5, 1)], inProgress: 5, append: [at(5, 2), at(6, 2)], wantOffset: 5, wantInProgress: 5, want: [at(5, 2), at(6, 2)]),
        TruncateCase(entries: [at(5, 1)], inProgress: 6, append: [at(5, 2), at(6, 2)], wantOffset: 5, wantInProgress: 5, want: [at(5, 2), at(6, 2)]),
        TruncateCase(entries: [at(5, 1)], inProgress: 6, append: [at(4, 2), at(5, 2), at(6, 2)], wantOffset: 4, wantInProgress: 4, want: [at(4, 2), at(5, 2), at(6, 2)]),
        // Truncate, then append.
        TruncateCase(entries: [at(5, 1), at(6, 1), at(7, 1)], inProgress: 5, append: [at(6, 2)], wantOffset: 5, wantInProgress: 5, want: [at(5, 1), at(6, 2)]),
        TruncateCase(entries: [at(5, 1), at(6, 1), at(7, 1)], inProgress: 8, append: [at(6, 2)], wantOffset: 5, wantInProgress: 6, want: [at(5, 1), at(6, 2)]),
        TruncateCase(entries: [at(5, 1), at(6, 1), at(7, 1)], inProgress: 6, append: [at(7, 2), at(8, 2)], wantOffset: 5, wantInProgress: 6, want: [at(5, 1), at(6, 1), at(7, 2), at(8, 2)]),
        TruncateCase(entries: [at(5, 1), at(6, 1), at(7, 1)], inProgress: 8, append: [at(7, 2), at(8, 2)], wantOffset: 5, wantInProgress: 7, want: [at(5, 1), at(6, 1), at(7, 2), at(8, 2)]),
    ])
    func unstableTruncateAndAppend(_ c: TruncateCase) {
        var u = Self.unstable(c.entries, offset: 5)
        u.offsetInProgress = c.inProgress
        u.truncateAndAppend(c.append[...])
        #expect(u.offset == c.wantOffset)
        #expect(u.offsetInProgress == c.wantInProgress)
        #expect(u.entries == c.want)
        // What is handed out next is exactly what is not being written.
        #expect(Array(u.nextEntries) == c.want.filter { $0.index >= c.wantInProgress })
    }

    @Test func unstableHandsOutEachEntryOnce() {
        var u = UnstableLog(offset: 1)
        u.truncateAndAppend(Self.entries([1, 1])[...])
        #expect(Array(u.nextEntries) == Self.entries([1, 1]))
        u.acceptInProgress()
        #expect(u.nextEntries.isEmpty)
        u.truncateAndAppend(Self.entries([1], from: 3)[...])
        #expect(Array(u.nextEntries) == Self.entries([1], from: 3))
        u.acceptInProgress()
        u.stableTo(index: 2, term: 1)
        #expect(u.offset == 3)
        #expect(u.entries == Self.entries([1], from: 3))
        #expect(u.nextEntries.isEmpty)
        u.stableTo(index: 3, term: 1)
        #expect(u.entries.isEmpty)
        #expect(u.offset == 4)
    }

    /// The async-write "ABA" race: entries handed out for writing are overwritten (by a new leader)
    /// before the write completes. The late acknowledgement names the old (index, term) and must not
    /// mark the new entries durable.
    @Test func lateAcknowledgementOfOverwrittenWriteIsIgnored() {
        var log = Self.log(Self.storage(), unstable: Self.entries([1, 1, 1]))
        log.unstable.acceptInProgress()  // write A: 1@1, 2@1, 3@1
        log.append(Self.entries([2, 2], from: 2)[...])  // overwrites 2 and 3 while A is in flight
        #expect(Array(log.unstable.nextEntries) == Self.entries([2, 2], from: 2))
        log.stableTo(index: 3, term: 1)  // A completes: stale
        #expect(log.unstable.offset == 1)
        #expect(log.stableLastIndex == 0)
        #expect(Self.terms(log, 1...3) == [1, 2, 2])
        log.unstable.acceptInProgress()  // write B: 2@2, 3@2
        log.stableTo(index: 3, term: 2)
        #expect(log.unstable.entries.isEmpty)
        #expect(log.stableLastIndex == 3)
    }

    /// The same race driven through the core: the first write's acknowledgement arrives after a new
    /// leader replaced its tail; the replacement must still be written and acknowledged.
    @Test func asyncWriteRaceThroughTheCore() throws {
        var core = makeCore(id: 1, voters: [1, 2, 3])
        try core.step(Message(kind: .append, from: 2, to: 1, term: 1, entries: Self.entries([1, 1])))
        let first = core.ready()
        #expect(first.entries == Self.entries([1, 1]))
        try core.memoryStorage.save(first)
        // Before the first write is acknowledged, leader 3 of term 2 overwrites index 2.
        try core.step(
            Message(kind: .append, from: 3, to: 1, term: 2, logTerm: 1, index: 1, entries: Self.entries([2], from: 2))
        )
        core.advance(first)
        #expect(core.log.stableLastIndex < 2, "the overwritten entry was taken as durable")
        let second = core.ready()
        #expect(second.entries == Self.entries([2], from: 2))
        #expect(second.persistedMessages.contains(Message(kind: .appendResponse, from: 1, to: 3, term: 2, index: 2)))
        try core.memoryStorage.save(second)
        core.advance(second)
        #expect(core.log.unstable.entries.isEmpty)
        #expect(core.log.stableLastIndex == 2)
        #expect(try core.memoryStorage.term(at: 2) == 2)
        #expect(!core.hasReady)
    }

    // MARK: Commit and apply

    @Test func commitTo() throws {
        var log = Self.log(Self.storage(Self.entries([1, 2, 3])))
        try log.commitTo(2)
        #expect(log.committed == 2)
        try log.commitTo(1)  // never decreases
        #expect(log.committed == 2)
        #expect(errorCode { try log.commitTo(4) } == .invariantViolation)
        #expect(log.committed == 2)
        // The leader commits by counting only entries of its own term.
        let otherTerm = log.maybeCommit(index: 3, term: 2)
        #expect(!otherTerm)
        let ownTerm = log.maybeCommit(index: 3, term: 3)
        #expect(ownTerm)
        let notNewer = log.maybeCommit(index: 2, term: 2)
        #expect(!notNewer)
        #expect(log.committed == 3)
    }

    /// Committed entries are handed out only once durable locally, each once, within the size budget.
    @Test func nextCommittedEntriesBoundedByPersistence() throws {
        let storage = Self.storage(Self.entries([1, 1, 1]))
        var log = Self.log(storage, unstable: Self.entries([1, 1, 1], from: 4))
        try log.commitTo(5)
        #expect(log.hasNextCommittedEntries)
        #expect(log.nextCommittedEntries().map(\.index) == [1, 2, 3])
        log.acceptApplying(through: 3)
        #expect(!log.hasNextCommittedEntries)
        #expect(log.nextCommittedEntries().isEmpty)
        log.unstable.acceptInProgress()
        try storage.append(Array(log.unstable.entries))
        log.stableTo(index: 6, term: 1)
        #expect(log.hasNextCommittedEntries)
        #expect(log.nextCommittedEntries().map(\.index) == [4, 5])
        log.appliedTo(3)
        #expect(log.applied == 3)
        #expect(log.applying == 3)
        log.acceptApplying(through: 5)
        log.appliedTo(5)
        #expect(log.applied == 5)
        #expect(!log.hasNextCommittedEntries)
    }

    @Test func nextCommittedEntriesRespectsSizeBudget() throws {
        // 24 bytes per entry by the estimate: a budget of 48 hands out two at a time.
        var log = Self.log(Self.storage(Self.entries([1, 1, 1, 1, 1])), maxApplying: 48)
        try log.commitTo(5)
        var batches: [[UInt64]] = []
        while log.hasNextCommittedEntries && batches.count < 10 {
            let batch = log.nextCommittedEntries()
            batches.append(batch.map(\.index))
            guard let last = batch.last else { break }
            log.acceptApplying(through: last.index)
        }
        #expect(batches == [[1, 2], [3, 4], [5]])
    }

    // MARK: Snapshots

    @Test func restoreFromSnapshot() throws {
        let storage = Self.storage(Self.entries([1, 1, 1]))
        var log = Self.log(storage, unstable: Self.entries([1, 1], from: 4))
        let snapshot = Snapshot(metadata: SnapshotMetadata(index: 100, term: 1000, confState: ConfState(voters: [1])))
        log.restore(snapshot)
        #expect(log.committed == 100)
        #expect(log.firstIndex == 101)
        #expect(log.lastIndex == 100)
        #expect(try log.term(100) == 1000)
        #expect(errorCode { try log.term(99) } == .compacted)
        #expect(log.unstable.entries.isEmpty)
        #expect(log.unstable.offset == 101)
        #expect(log.unstable.nextSnapshot == snapshot)
        #expect(try log.snapshot() == snapshot)
        // Nothing is applied while a snapshot is pending.
        #expect(!log.hasNextCommittedEntries)
        #expect(log.nextCommittedEntries().isEmpty)
        log.unstable.acceptInProgress()
        #expect(log.unstable.nextSnapshot == nil)
        #expect(log.hasNextOrInProgressSnapshot)
        // Entries after the snapshot can be appended while it is being written.
        log.append(Self.entries([1000], from: 101)[...])
        #expect(log.lastIndex == 101)
        try storage.applySnapshot(snapshot)
        log.stableSnapshotTo(index: 100)
        #expect(!log.hasNextOrInProgressSnapshot)
        #expect(log.firstIndex == 101)
        #expect(try log.term(100) == 1000)
        #expect(try log.term(101) == 1000)
    }

    /// A follower installing a snapshot through the core: once the snapshot is durable, everything up
    /// to it counts as applied (the application restored its state from it), nothing else is pending,
    /// and entries committed after it are handed out normally.
    @Test func snapshotInstallThroughTheCore() throws {
        var core = makeCore(id: 1, voters: [1, 2, 3])
        let snapshot = Snapshot(
            metadata: SnapshotMetadata(index: 100, term: 5, confState: ConfState(voters: [1, 2, 3])),
            data: [1, 2, 3]
        )
        try core.step(Message(kind: .snapshot, from: 2, to: 1, term: 5, snapshot: snapshot))
        let rd = core.ready()
        #expect(rd.snapshot == snapshot)
        #expect(rd.committedEntries.isEmpty)
        #expect(rd.hardState?.commit == 100)
        #expect(rd.mustSync)
        #expect(rd.persistedMessages == [Message(kind: .appendResponse, from: 1, to: 2, term: 5, index: 100)])
        try core.memoryStorage.save(rd)
        core.advance(rd)
        #expect(core.appliedIndex == 100)
        #expect(!core.hasReady, "work left after installing the snapshot")
        #expect(core.ready().isEmpty)

        try core.step(
            Message(kind: .append, from: 2, to: 1, term: 5, logTerm: 5, index: 100, entries: Self.entries([5], from: 101), commit: 101)
        )
        var applied: [UInt64] = []
        var rounds = 0
        while core.hasReady && rounds < 5 {
            rounds += 1
            let next = core.ready()
            try core.memoryStorage.save(next)
            applied += next.committedEntries.map(\.index)
            core.advance(next)
        }
        #expect(applied == [101])
        #expect(core.appliedIndex == 101)
    }

    // MARK: MemoryStorage

    /// Snapshot at 3 (term 3), then 4@4 and 5@5.
    static func storage345() -> MemoryStorage {
        Self.storage(snapshotIndex: 3, snapshotTerm: 3, [Self.at(4, 4), Self.at(5, 5)])
    }

    /// Every index the storage has a term for, with that term.
    static func contents(_ storage: MemoryStorage) -> [Entry] {
        (storage.firstIndex() - 1...storage.lastIndex()).map { Entry(term: try! storage.term(at: $0), index: $0) }
    }

    @Test func storageTermAndBounds() throws {
        let storage = Self.storage345()
        #expect(storage.firstIndex() == 4)
        #expect(storage.lastIndex() == 5)
        #expect(errorCode { try storage.term(at: 2) } == .compacted)
        #expect(try storage.term(at: 3) == 3)
        #expect(try storage.term(at: 4) == 4)
        #expect(try storage.term(at: 5) == 5)
        #expect(errorCode { try storage.term(at: 6) } == .unavailable)
        try storage.append([Self.at(6, 5)])
        #expect(storage.lastIndex() == 6)
        try storage.compact(through: 4)
        #expect(storage.firstIndex() == 5)
    }

    @Test(arguments: [
        (UInt64(2), UInt64(6), UInt64.max, [UInt64](), RaftError.Code?.some(.compacted)),
        (3, 4, .max, [], .compacted),
        (4, 5, .max, [4], nil),
        (4, 6, .max, [4, 5], nil),
        (4, 7, .max, [4, 5, 6], nil),
        (4, 8, .max, [], .unavailable),
        // At least one entry, then as many as fit.
        (4, 7, 0, [4], nil),
        (4, 7, 47, [4], nil),
        (4, 7, 48, [4, 5], nil),
        (4, 7, 71, [4, 5], nil),
        (4, 7, 72, [4, 5, 6], nil),
    ] as [(UInt64, UInt64, UInt64, [UInt64], RaftError.Code?)])
    func storageEntries(low: UInt64, high: UInt64, maxBytes: UInt64, expected: [UInt64], error: RaftError.Code?) throws {
        let storage = Self.storage(snapshotIndex: 3, snapshotTerm: 3, Self.selfTermed(4...6))
        if let error {
            #expect(errorCode { try storage.entries(from: low, to: high, maxBytes: maxBytes) } == error)
        } else {
            #expect(try storage.entries(from: low, to: high, maxBytes: maxBytes).map(\.index) == expected)
        }
    }

    @Test func storageCompact() throws {
        #expect(errorCode { try Self.storage345().compact(through: 2) } == .compacted)
        #expect(errorCode { try Self.storage345().compact(through: 3) } == .compacted)
        #expect(errorCode { try Self.storage345().compact(through: 6) } == .unavailable)
        let storage = Self.storage345()
        try storage.compact(through: 4)
        #expect(Self.contents(storage) == [Self.at(4, 4), Self.at(5, 5)])
        try storage.compact(through: 5)
        #expect(Self.contents(storage) == [Self.at(5, 5)])
        #expect(errorCode { try storage.entries(from: 5, to: 6, maxBytes: .max) } == .compacted)
    }

    @Test func storageCreateSnapshot() throws {
        let confState = ConfState(voters: [1, 2, 3])
        let storage = Self.storage345()
        let snap4 = try storage.createSnapshot(at: 4, confState: confState, data: [9])
        #expect(snap4.metadata == SnapshotMetadata(index: 4, term: 4, confState: confState))
        #expect(snap4.data == [9])
        #expect(try storage.snapshot() == snap4)
        // Making a snapshot does not compact.
        #expect(storage.firstIndex() == 4)
        #expect(errorCode { try storage.createSnapshot(at: 4, confState: nil, data: []) } == .snapshotOutOfDate)
        #expect(errorCode { try storage.createSnapshot(at: 3, confState: nil, data: []) } == .snapshotOutOfDate)
        #expect(errorCode { try storage.createSnapshot(at: 6, confState: nil, data: []) } == .unavailable)
        // Without a new configuration, the previous one is kept.
        let snap5 = try storage.createSnapshot(at: 5, confState: nil, data: [])
        #expect(snap5.metadata == SnapshotMetadata(index: 5, term: 5, confState: confState))
    }

    @Test(arguments: [
        // (appended, resulting contents from the compaction point)
        ([at(3, 3), at(4, 4), at(5, 5)], [at(3, 3), at(4, 4), at(5, 5)]),
        ([at(3, 3), at(4, 6), at(5, 6)], [at(3, 3), at(4, 6), at(5, 6)]),
        ([at(3, 3), at(4, 4), at(5, 5), at(6, 5)], [at(3, 3), at(4, 4), at(5, 5), at(6, 5)]),
        // Entries already compacted are skipped; the rest truncates and appends.
        ([at(2, 3), at(3, 3), at(4, 5)], [at(3, 3), at(4, 5)]),
        ([at(1, 1), at(2, 2)], [at(3, 3), at(4, 4), at(5, 5)]),
        ([at(4, 5)], [at(3, 3), at(4, 5)]),
        ([at(6, 5)], [at(3, 3), at(4, 4), at(5, 5), at(6, 5)]),
        ([], [at(3, 3), at(4, 4), at(5, 5)]),
    ] as [([Entry], [Entry])])
    func storageAppend(appended: [Entry], expected: [Entry]) throws {
        let storage = Self.storage345()
        try storage.append(appended)
        #expect(Self.contents(storage) == expected)
    }

    @Test func storageAppendRefusesGap() {
        let storage = Self.storage345()
        #expect(errorCode { try storage.append([Self.at(7, 5)]) } == .invariantViolation)
        #expect(Self.contents(storage) == [Self.at(3, 3), Self.at(4, 4), Self.at(5, 5)])
    }

    @Test func storageApplySnapshot() throws {
        let confState = ConfState(voters: [1, 2, 3])
        let storage = Self.storage345()
        let snap = Snapshot(metadata: SnapshotMetadata(index: 4, term: 4, confState: confState), data: [1])
        try storage.applySnapshot(snap)
        #expect(try storage.snapshot() == snap)
        #expect(storage.firstIndex() == 5)
        #expect(storage.lastIndex() == 4)
        #expect(try storage.initialState().1 == confState)
        // An older (or the same) snapshot is refused.
        let older = Snapshot(metadata: SnapshotMetadata(index: 3, term: 3, confState: confState))
        #expect(errorCode { try storage.applySnapshot(older) } == .snapshotOutOfDate)
        #expect(errorCode { try storage.applySnapshot(snap) } == .snapshotOutOfDate)
        #expect(try storage.snapshot() == snap)
        // A newer one replaces the whole log.
        let newer = Snapshot(metadata: SnapshotMetadata(index: 10, term: 6, confState: confState))
        try storage.applySnapshot(newer)
        #expect(Self.contents(storage) == [Self.at(10, 6)])
    }

    @Test func storageSavesReadyInOrder() throws {
        let storage = MemoryStorage(voters: [1])
        var rd = Ready()
        rd.snapshot = Snapshot(metadata: SnapshotMetadata(index: 5, term: 2, confState: ConfState(voters: [1])))
        rd.entries = Self.entries([2, 3], from: 6)
        rd.hardState = HardState(term: 3, vote: 1, commit: 6)
        try storage.save(rd)
        #expect(Self.contents(storage) == [Self.at(5, 2), Self.at(6, 2), Self.at(7, 3)])
        #expect(storage.hardState == HardState(term: 3, vote: 1, commit: 6))
    }
}
