import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ``DurableRaftLog`` on a local directory: a segmented write-ahead log plus snapshot files.
///
/// - Every record is length-prefixed and CRC-32C-checked. A ``Ready`` is one write and (when it must
///   sync) one `fdatasync` into a preallocated segment: group commit, and no file-size metadata to flush.
/// - Snapshots are written to a temporary file, synced, renamed, and the directory synced.
/// - Opening recovers: a torn last record (a crash mid-write) is truncated away; damage anywhere else
///   refuses to open with ``RaftError/Code/corrupt`` naming the file and byte offset.
/// - Reads are served from memory (the log since the last snapshot), as etcd does.
public final class FileLog: DurableRaftLog {
    public struct Options: Sendable {
        /// Bytes per segment file (preallocated).
        public var segmentSize = 64 << 20
        /// Sync writes that Raft requires to be durable. Turn off only for tests and benchmarks.
        public var sync = true

        public init() {}
    }

    struct Segment {
        var sequence: UInt64
        var path: String
        /// Highest entry index written into it (0 if none).
        var lastIndex: UInt64
    }

    struct Writer {
        var fd: Int32
        var segments: [Segment]
        var offset: Int
        var snapshotMetadata: SnapshotMetadata
        var hardState: HardState
    }

    public let directory: String
    let options: Options
    let memory: MemoryStorage
    let writer: Mutex<Writer>
    /// The index of the snapshot whose data only its file holds (0: none). A snapshot is the whole
    /// state machine, so memory keeps just its metadata; ``snapshot()`` reads the data back (when a
    /// follower needs it, or at start-up).
    let snapshotOnDisk = Atomic<UInt64>(0)

    /// What recovery found, for operators and tests.
    public let recoveryReport: String

    /// Opens the log in `directory` (creating it if needed), recovering its contents. For a new
    /// cluster pass the initial `voters`; they are recorded only if the log is empty.
    public init(directory: String, voters: [NodeID] = [], options: Options = Options()) throws(RaftError) {
        self.directory = directory
        self.options = options
        try PosixFile.makeDirectory(directory)
        let names = try PosixFile.list(directory)
        for name in names where name.hasSuffix(".tmp") { PosixFile.remove(directory + "/" + name) }

        // The newest readable snapshot file.
        var snapshot = Snapshot(metadata: SnapshotMetadata(confState: ConfState(voters: voters)))
        let snapshotNames = names.filter { $0.hasPrefix("snap-") && $0.hasSuffix(".snap") }
        if let newest = snapshotNames.last {
            snapshot = try SnapshotFile.read(directory + "/" + newest)
        }

        // Replay every segment in order.
        let segmentNames = names.filter { $0.hasPrefix("wal-") && $0.hasSuffix(".log") }
        var segments: [Segment] = []
        var metadata = snapshot.metadata
        var entries: [Entry] = []
        var hardState = HardState()
        var tailOffset = 0
        var report = "recovered \(segmentNames.count) segment(s)"
        for (position, name) in segmentNames.enumerated() {
            let path = directory + "/" + name
            let bytes = try PosixFile.readAll(path)
            let records: [WALRecord]
            switch WALSegmentReader.read(bytes) {
            case .clean(let found, let end):
                records = found
                tailOffset = end
            case .tornTail(let found, let offset, let reason):
                guard position == segmentNames.count - 1 else {
                    throw RaftError(.corrupt, "\(path) at byte offset \(offset): \(reason) (not the last segment)")
                }
                records = found
                tailOffset = offset
                report += "; truncated a torn record at byte \(offset) of \(name) (\(reason))"
            case .corrupt(let offset, let reason):
                throw RaftError(.corrupt, "\(path) at byte offset \(offset): \(reason)")
            }
            var lastIndex: UInt64 = 0
            for record in records {
                switch record {
                case .hardState(let state):
                    hardState = state
                case .snapshot(let marker):
                    if marker.index > metadata.index {
                        // A snapshot received from the leader replaced the log.
                        metadata = marker
                        entries = []
                    } else if marker.index == metadata.index {
                        // A segment header repeating the snapshot in force (or the genesis configuration).
                        metadata = marker
                    }
                case .entry(let entry):
                    lastIndex = max(lastIndex, entry.index)
                    if entry.index <= metadata.index { continue }
                    let expected = metadata.index + UInt64(entries.count) + 1
                    if entry.index > expected {
                        throw RaftError(.corrupt, "\(path): entry \(entry.index) follows \(expected - 1): entries are missing")
                    }
                    entries.removeLast(Int(expected - entry.index))
                    entries.append(entry)
                }
            }
            let sequence = UInt64(name.dropFirst(4).dropLast(4), radix: 16) ?? UInt64(position)
            segments.append(Segment(sequence: sequence, path: path, lastIndex: lastIndex))
        }

        if metadata.index != snapshot.metadata.index {
            // A received snapshot's marker: its file must be there.
            let path = directory + "/" + SnapshotFile.name(for: metadata)
            snapshot = try SnapshotFile.read(path)
        } else {
            snapshot.metadata = metadata
        }
        let memory = MemoryStorage()
        try memory.applySnapshot(snapshot)
        try memory.append(entries)
        if hardState.commit > memory.lastIndex() {
            throw RaftError(
                .corrupt,
                "\(directory): hard state commits \(hardState.commit) but the log ends at \(memory.lastIndex())"
            )
        }
        memory.setHardState(hardState)
        self.memory = memory
        if !snapshot.isEmpty {
            memory.releaseSnapshotData(at: snapshot.metadata.index)
            snapshotOnDisk.store(snapshot.metadata.index, ordering: .relaxed)
        }

        // Continue writing at the end of the last segment, or start the first one.
        let fd: Int32
        if let last = segments.last {
            fd = try PosixFile.openFile(last.path, create: false)
            // Zero whatever a torn write left, so the next recovery sees a clean end.
            let fileSize = Int(lseek(fd, 0, SEEK_END))
            if fileSize > tailOffset {
                try PosixFile.write(fd, [UInt8](repeating: 0, count: fileSize - tailOffset), at: tailOffset, path: last.path)
                try PosixFile.sync(fd, path: last.path)
            }
        } else {
            fd = -1
        }
        writer = Mutex(Writer(fd: fd, segments: segments, offset: tailOffset, snapshotMetadata: metadata, hardState: hardState))
        recoveryReport = report + "; log \(memory.firstIndex())...\(memory.lastIndex()), \(hardState)"
        if fd < 0 {
            // A brand-new log: record the genesis configuration durably.
            try writer.withLock { w throws(RaftError) in try startSegment(&w) }
        }
    }

    deinit {
        writer.withLock { w in if w.fd >= 0 { close(w.fd) } }
    }

    // MARK: RaftLogStorage (reads come from memory)

    public func initialState() throws(RaftError) -> (HardState, ConfState) { try memory.initialState() }
    public func entries(from low: UInt64, to high: UInt64, maxBytes: UInt64) throws(RaftError) -> [Entry] {
        try memory.entries(from: low, to: high, maxBytes: maxBytes)
    }
    public func term(at index: UInt64) throws(RaftError) -> UInt64 { try memory.term(at: index) }
    public func firstIndex() -> UInt64 { memory.firstIndex() }
    public func lastIndex() -> UInt64 { memory.lastIndex() }
    public func snapshot() throws(RaftError) -> Snapshot {
        let snapshot = try memory.snapshot()
        let index = snapshot.metadata.index
        guard index > 0, snapshot.data.isEmpty, index == snapshotOnDisk.load(ordering: .relaxed) else { return snapshot }
        return try SnapshotFile.read(directory + "/" + SnapshotFile.name(for: snapshot.metadata))
    }

    // MARK: DurableRaftLog

    public func save(_ ready: Ready) throws(RaftError) {
        if ready.snapshot == nil && ready.entries.isEmpty && ready.hardState == nil { return }
        if let snapshot = ready.snapshot {
            // The data first, so a marker in the log always has its file.
            try SnapshotFile.write(snapshot, directory: directory)
        }
        var batch = BinaryWriter(capacity: 64 + ready.entries.count * 48)
        if let snapshot = ready.snapshot { WALRecord.snapshot(snapshot.metadata).encode(into: &batch) }
        for entry in ready.entries { WALRecord.entry(entry).encode(into: &batch) }
        if let hardState = ready.hardState { WALRecord.hardState(hardState).encode(into: &batch) }
        try writer.withLock { w throws(RaftError) in
            try append(batch.bytes, to: &w, lastIndex: ready.entries.last?.index)
            if let snapshot = ready.snapshot { w.snapshotMetadata = snapshot.metadata }
            if let hardState = ready.hardState { w.hardState = hardState }
            if ready.mustSync && options.sync { try PosixFile.sync(w.fd, path: w.segments.last!.path) }
        }
        try memory.save(ready)
        if let snapshot = ready.snapshot { releaseSnapshotData(snapshot.metadata.index) }
    }

    @discardableResult
    public func createSnapshot(at index: UInt64, confState: ConfState?, data: [UInt8]) throws(RaftError) -> Snapshot {
        let snapshot = try memory.createSnapshot(at: index, confState: confState, data: data)
        try SnapshotFile.write(snapshot, directory: directory)
        releaseSnapshotData(index)
        // Keep the two newest snapshot files.
        let names = (try? PosixFile.list(directory)) ?? []
        let snapshots = names.filter { $0.hasPrefix("snap-") && $0.hasSuffix(".snap") }
        for old in snapshots.dropLast(2) { PosixFile.remove(directory + "/" + old) }
        return snapshot
    }

    /// Keeps only the metadata of the snapshot at `index` in memory: its file holds the data.
    private func releaseSnapshotData(_ index: UInt64) {
        snapshotOnDisk.store(index, ordering: .relaxed)
        memory.releaseSnapshotData(at: index)
    }

    /// Discards entries up to `index` in memory and deletes segments that hold nothing newer. The
    /// current segment is kept; every segment starts with the snapshot marker and hard state in force.
    public func compact(through index: UInt64) throws(RaftError) {
        try memory.compact(through: index)
        let covered = (try? memory.snapshot().metadata.index) ?? 0
        writer.withLock { w in
            while w.segments.count > 1, w.segments[0].lastIndex <= min(index, covered) {
                PosixFile.remove(w.segments[0].path)
                w.segments.removeFirst()
            }
        }
    }

    // MARK: Segments

    private func append(_ bytes: [UInt8], to w: inout Writer, lastIndex: UInt64?) throws(RaftError) {
        if w.fd < 0 || w.offset + bytes.count > options.segmentSize {
            try startSegment(&w)
        }
        try PosixFile.write(w.fd, bytes, at: w.offset, path: w.segments.last!.path)
        w.offset += bytes.count
        if let lastIndex { w.segments[w.segments.count - 1].lastIndex = max(w.segments[w.segments.count - 1].lastIndex, lastIndex) }
    }

    /// Opens the next segment, preallocated, starting with the snapshot marker and hard state so
    /// older segments can be deleted.
    private func startSegment(_ w: inout Writer) throws(RaftError) {
        if w.fd >= 0 {
            if options.sync { try PosixFile.sync(w.fd, path: w.segments.last!.path) }
            close(w.fd)
        }
        let sequence = (w.segments.last?.sequence ?? 0) + 1
        let path = directory + "/wal-" + SnapshotFile.hex(sequence) + ".log"
        let fd = try PosixFile.openFile(path, create: true)
        try PosixFile.preallocate(fd, size: options.segmentSize, path: path)
        var header = BinaryWriter()
        WALRecord.snapshot(w.snapshotMetadata).encode(into: &header)
        WALRecord.hardState(w.hardState).encode(into: &header)
        try PosixFile.write(fd, header.bytes, at: 0, path: path)
        if options.sync { try PosixFile.sync(fd, path: path) }
        try PosixFile.syncDirectory(directory)
        w.fd = fd
        w.offset = header.bytes.count
        w.segments.append(Segment(sequence: sequence, path: path, lastIndex: 0))
    }
}
