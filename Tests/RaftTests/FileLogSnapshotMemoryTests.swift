import Testing

@testable import Raft

/// A `FileLog` keeps only a snapshot's metadata in memory once its file is written, and reads the
/// data back from the file when asked.
@Suite struct FileLogSnapshotMemoryTests {
    @Test func snapshotDataLivesInItsFileAndIsReadBack() throws {
        let dir = TemporaryDirectory()
        let log = try FileLog(directory: dir.path, voters: [1])
        try log.save(FileLogTests.ready(entries: (1...10).map { Entry(term: 1, index: $0, data: [UInt8($0)]) }, hardState: HardState(term: 1, commit: 10)))
        let image = [UInt8](repeating: 0xAB, count: 100_000)
        try log.createSnapshot(at: 8, confState: ConfState(voters: [1]), data: image)
        #expect(try log.memory.snapshot().data.isEmpty)
        #expect(try log.snapshot().data == image)
        #expect(try log.snapshot().metadata.index == 8)

        // A snapshot received from a leader: the same.
        let received = Snapshot(metadata: SnapshotMetadata(index: 20, term: 2, confState: ConfState(voters: [1])), data: Array("leader".utf8))
        try log.save(FileLogTests.ready(entries: [], hardState: HardState(term: 2, commit: 20), snapshot: received))
        #expect(try log.memory.snapshot().data.isEmpty)
        #expect(try log.snapshot() == received)

        // After a restart the recovered snapshot is read from its file too.
        let reopened = try FileLog(directory: dir.path)
        #expect(try reopened.memory.snapshot().data.isEmpty)
        #expect(try reopened.snapshot() == received)
    }
}

/// Snapshot files are written as a header plus the data in place; the bytes are those of the whole
/// file image built in one buffer (magic, version, CRC-32C of the payload, payload).
@Suite struct SnapshotFileLayoutTests {
    @Test func headerPlusDataIsTheWholeFileImage() throws {
        let snapshot = Snapshot(
            metadata: SnapshotMetadata(index: 77, term: 5, confState: ConfState(voters: [1, 2, 3], learners: [4])),
            data: (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        )
        var payload = BinaryWriter()
        snapshot.encode(into: &payload)
        var file = BinaryWriter()
        file.writeRaw(SnapshotFile.magic)
        file.write(raftCodecVersion)
        file.writeFixed32(CRC32C.checksum(payload.bytes))
        file.writeRaw(payload.bytes)
        #expect(SnapshotFile.header(snapshot) + snapshot.data == file.bytes)

        let dir = TemporaryDirectory()
        try SnapshotFile.write(snapshot, directory: dir.path)
        #expect(try SnapshotFile.read(dir.path + "/" + SnapshotFile.name(for: snapshot.metadata)) == snapshot)
    }
}
