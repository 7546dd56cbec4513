import Testing
@testable import Raft

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh directory under /tmp, removed at the end of the test.
final class TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/raft-filelog-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    deinit {
        for name in (try? PosixFile.list(path)) ?? [] { PosixFile.remove(path + "/" + name) }
        rmdir(path)
    }

    func files(_ prefix: String) -> [String] {
        ((try? PosixFile.list(path)) ?? []).filter { $0.hasPrefix(prefix) }.map { path + "/" + $0 }
    }
}

/// Reads a file, lets `edit` change its bytes, writes it back.
func editFile(_ path: String, _ edit: (inout [UInt8]) -> Void) throws {
    var bytes = try PosixFile.readAll(path)
    edit(&bytes)
    let fd = try PosixFile.openFile(path, create: false)
    defer { close(fd) }
    try PosixFile.truncate(fd, to: 0, path: path)
    try PosixFile.write(fd, bytes, at: 0, path: path)
}

@Suite struct FileLogTests {
    static func ready(entries: [Entry], hardState: HardState? = nil, snapshot: Snapshot? = nil) -> Ready {
        var rd = Ready()
        rd.entries = entries
        rd.hardState = hardState
        rd.snapshot = snapshot
        rd.mustSync = true
        return rd
    }

    static func entries(_ range: ClosedRange<UInt64>, term: UInt64 = 1) -> [Entry] {
        range.map { Entry(term: term, index: $0, data: Array("value-\($0)".utf8)) }
    }

    @Test func roundTripsEntriesHardStateAndConfiguration() throws {
        let dir = TemporaryDirectory()
        do {
            let log = try FileLog(directory: dir.path, voters: [1, 2, 3])
            try log.save(Self.ready(entries: Self.entries(1...10), hardState: HardState(term: 1, vote: 2, commit: 7)))
            try log.save(Self.ready(entries: Self.entries(11...12)))
        }
        let reopened = try FileLog(directory: dir.path)
        let (hardState, confState) = try reopened.initialState()
        #expect(hardState == HardState(term: 1, vote: 2, commit: 7))
        #expect(confState.voters == [1, 2, 3])
        #expect(reopened.lastIndex() == 12)
        #expect(try reopened.entries(from: 1, to: 13, maxBytes: .max) == Self.entries(1...12))
    }

    @Test func overwrittenSuffixIsReplayedAsTruncation() throws {
        let dir = TemporaryDirectory()
        do {
            let log = try FileLog(directory: dir.path, voters: [1])
            try log.save(Self.ready(entries: Self.entries(1...10, term: 1)))
            // A new leader overwrote 6...: the log holds 1-5 of term 1 and 6-8 of term 2.
            try log.save(Self.ready(entries: Self.entries(6...8, term: 2)))
        }
        let reopened = try FileLog(directory: dir.path)
        let entries = try reopened.entries(from: 1, to: reopened.lastIndex() + 1, maxBytes: .max)
        #expect(entries == Self.entries(1...5, term: 1) + Self.entries(6...8, term: 2))
    }

    @Test func coreRestartsFromTheFileLog() throws {
        let dir = TemporaryDirectory()
        var applied: [Entry] = []
        do {
            let log = try FileLog(directory: dir.path, voters: [1])
            var core = try RaftCore(config: RaftConfig(id: 1), storage: log)
            core.campaign()
            for i in 0..<20 {
                try? core.propose(Array("p\(i)".utf8))
                let rd = core.ready()
                try log.save(rd)
                applied += rd.committedEntries.filter { !$0.data.isEmpty }
                core.advance(rd)
            }
            while core.hasReady {
                let rd = core.ready()
                try log.save(rd)
                applied += rd.committedEntries.filter { !$0.data.isEmpty }
                core.advance(rd)
            }
        }
        #expect(applied.count == 20)
        let log = try FileLog(directory: dir.path)
        var core = try RaftCore(config: RaftConfig(id: 1), storage: log)
        let rd = core.ready()
        // Everything acknowledged is there again, committed, ready to re-apply.
        #expect(rd.committedEntries.filter { !$0.data.isEmpty } == applied)
    }

    @Test("a torn last write is truncated at every cut point", arguments: [1, 3, 7, 9, 15, 20])
    func tornTailRecovers(cut: Int) throws {
        let dir = TemporaryDirectory()
        var goodEnd = 0
        do {
            let log = try FileLog(directory: dir.path, voters: [1])
            try log.save(Self.ready(entries: Self.entries(1...5), hardState: HardState(term: 1, vote: 1, commit: 5)))
            goodEnd = log.writer.withLock { $0.offset }
        }
        // A crash in the middle of the next write: only `cut` bytes of a record reached the disk.
        var record = BinaryWriter()
        WALRecord.entry(Entry(term: 1, index: 6, data: Array("torn-entry".utf8))).encode(into: &record)
        let segment = try #require(dir.files("wal-").first)
        try editFile(segment) { bytes in
            for i in 0..<min(cut, record.bytes.count) { bytes[goodEnd + i] = record.bytes[i] }
        }
        let log = try FileLog(directory: dir.path)
        #expect(log.lastIndex() == 5)
        #expect(log.recoveryReport.contains("torn"))
        // It writes on from the clean end, and the next recovery is clean.
        try log.save(Self.ready(entries: Self.entries(6...7)))
        let again = try FileLog(directory: dir.path)
        #expect(again.lastIndex() == 7)
        #expect(!again.recoveryReport.contains("torn"))
    }

    @Test("damage before the tail refuses to open, naming file and offset", arguments: [0, 9, 40])
    func midLogCorruptionFailsLoudly(flipAt: Int) throws {
        let dir = TemporaryDirectory()
        do {
            let log = try FileLog(directory: dir.path, voters: [1])
            for i in 0..<5 {
                let first = UInt64(i * 10 + 1)
                try log.save(Self.ready(entries: Self.entries(first...(first + 9))))
            }
        }
        let segment = try #require(dir.files("wal-").first)
        try editFile(segment) { $0[flipAt] ^= 0x40 }
        do {
            _ = try FileLog(directory: dir.path)
            Issue.record("a corrupt log was opened")
        } catch {
            #expect(error.code == .corrupt)
            #expect(error.message.contains(segment))
            #expect(error.message.contains("byte offset"))
        }
    }

    @Test func segmentsRollAndCompactionDeletesOldOnes() throws {
        let dir = TemporaryDirectory()
        var options = FileLog.Options()
        options.segmentSize = 2048
        do {
            let log = try FileLog(directory: dir.path, voters: [1], options: options)
            for i in 0..<40 {
                let first = UInt64(i * 10 + 1)
                try log.save(Self.ready(entries: Self.entries(first...(first + 9)), hardState: HardState(term: 1, commit: first + 9)))
            }
            #expect(dir.files("wal-").count > 3)
            try log.createSnapshot(at: 350, confState: ConfState(voters: [1]), data: Array("state@350".utf8))
            try log.compact(through: 340)
        }
        let before = dir.files("wal-").count
        #expect(before >= 1)
        let log = try FileLog(directory: dir.path, options: options)
        #expect(try log.snapshot().metadata.index == 350)
        #expect(try log.snapshot().data == Array("state@350".utf8))
        #expect(log.lastIndex() == 400)
        #expect(try log.entries(from: 351, to: 401, maxBytes: .max) == Self.entries(351...400))
        #expect(try log.initialState().0.commit == 400)
    }

    @Test func receivedSnapshotReplacesTheLogDurably() throws {
        let dir = TemporaryDirectory()
        do {
            let log = try FileLog(directory: dir.path, voters: [1, 2, 3])
            try log.save(Self.ready(entries: Self.entries(1...10, term: 1)))
            let snapshot = Snapshot(
                metadata: SnapshotMetadata(index: 50, term: 3, confState: ConfState(voters: [1, 2, 3])),
                data: Array("leader-state".utf8)
            )
            try log.save(Self.ready(entries: [], hardState: HardState(term: 3, commit: 50), snapshot: snapshot))
            try log.save(Self.ready(entries: Self.entries(51...52, term: 3)))
        }
        let log = try FileLog(directory: dir.path)
        #expect(try log.snapshot().metadata.index == 50)
        #expect(try log.snapshot().data == Array("leader-state".utf8))
        #expect(log.firstIndex() == 51)
        #expect(try log.entries(from: 51, to: 53, maxBytes: .max) == Self.entries(51...52, term: 3))
    }

    @Test func corruptSnapshotFileIsReported() throws {
        let dir = TemporaryDirectory()
        do {
            let log = try FileLog(directory: dir.path, voters: [1])
            try log.save(Self.ready(entries: Self.entries(1...5)))
            try log.createSnapshot(at: 5, confState: ConfState(voters: [1]), data: Array(repeating: 7, count: 100))
        }
        let file = try #require(dir.files("snap-").first)
        try editFile(file) { $0[$0.count - 3] ^= 0x01 }
        do {
            _ = try FileLog(directory: dir.path)
            Issue.record("a corrupt snapshot was served")
        } catch {
            #expect(error.code == .corrupt)
            #expect(error.message.contains(file))
        }
    }
}
