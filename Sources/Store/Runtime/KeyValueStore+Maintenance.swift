#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Raft

/// A member's state (etcd's `StatusResponse`).
public struct StoreStatus: Sendable, Hashable {
    public var header: ResponseHeader
    public var memberID: UInt64
    /// 0 when no leader is known.
    public var leader: UInt64
    public var raftTerm: UInt64
    /// The member's commit index.
    public var raftIndex: UInt64
    public var raftAppliedIndex: UInt64
    public var revision: Int64
    public var compactRevision: Int64
    /// Approximate bytes held by the key space, history included.
    public var size: Int
    /// Keys that exist at the current revision.
    public var keys: Int
}

/// A key-space hash for cross-member consistency checks (etcd's `HashKVResponse`).
public struct KeyspaceHash: Sendable, Hashable {
    public var header: ResponseHeader
    public var hash: UInt32
    /// The revision hashed through.
    public var revision: Int64
    public var compactRevision: Int64
}

extension KeyValueStore {
    // MARK: Status and hashes

    /// The revision this member has applied (served locally, O(1); ``status()`` also walks the key space).
    public var currentRevision: Int64 { machine.state.withLock { $0.mvcc.revision } }

    /// This member's view (served locally).
    public func status() -> StoreStatus {
        let raftStatus = raft.status()
        // A copy-on-write snapshot of the state: the walks for size and key count run outside the
        // lock, so writes are not held up behind them.
        let (mvcc, appliedIndex) = machine.state.withLock { ($0.mvcc, $0.appliedIndex) }
        return StoreStatus(
            header: ResponseHeader(revision: mvcc.revision, raftTerm: raftStatus.hardState.term, memberID: memberID),
            memberID: memberID,
            leader: raftStatus.softState.leader,
            raftTerm: raftStatus.hardState.term,
            raftIndex: raftStatus.hardState.commit,
            // Raft applies entries the state machine never sees (a new leader's empty entry,
            // membership changes); etcd's applied index counts them.
            raftAppliedIndex: max(appliedIndex, raftStatus.applied),
            revision: mvcc.revision,
            compactRevision: mvcc.compactRevision,
            size: mvcc.approximateSize,
            keys: mvcc.liveKeyCount
        )
    }

    /// A CRC-32C of the key space's history through `revision` (0: the current one), from this
    /// member's state: members that applied the same log agree. Computed on a copy-on-write
    /// snapshot of the state, outside its lock.
    public func hash(revision: Int64 = 0) throws(StoreError) -> KeyspaceHash {
        let mvcc = machine.state.withLock { $0.mvcc }
        let at = revision > 0 ? revision : mvcc.revision
        let hash = try mvcc.hash(at: at)
        return KeyspaceHash(
            header: ResponseHeader(revision: mvcc.revision, memberID: memberID), hash: hash, revision: at,
            compactRevision: mvcc.compactRevision
        )
    }

    // MARK: Backup and restore

    /// Writes a consistent image of the key space (history and leases included) to `path`: the
    /// state after every write committed before the call. Atomic: a temporary file, fsynced, then
    /// renamed. Returns the revision it holds.
    @discardableResult
    public func backup(to path: String) async throws(StoreError) -> Int64 {
        try await readBarrier()
        let mvcc = machine.state.withLock { $0.mvcc }
        try StoreBackup.write(mvcc.image(), to: path)
        return mvcc.revision
    }

    /// Prepares `directory` (which must not hold a log yet) for a member of a new cluster of
    /// `members`, starting from the backup at `backup` (etcdutl's snapshot restore). Every member's
    /// directory is prepared alike (a member's identity is the ID it is opened with): restore each
    /// from the same backup, then open them. Returns the backup's revision.
    @discardableResult
    public static func restore(backup: String, into directory: String, members: [UInt64] = [1]) throws(StoreError) -> Int64 {
        let image = try StoreBackup.read(backup)
        let mvcc = try MVCCStore(image: image)
        do throws(RaftError) {
            let log = try FileLog(directory: directory, voters: members)
            let snapshotIndex = try log.snapshot().metadata.index
            if log.lastIndex() != 0 || snapshotIndex != 0 {
                throw RaftError(.invalidConfig, "\(directory) already holds a Raft log")
            }
            try bootstrap(log, image: mvcc, members: members)
        } catch {
            throw StoreError(.invalidArgument, "cannot restore into \(directory): \(error.message)")
        }
        return mvcc.revision
    }

    /// Installs `image` as the log's initial snapshot at index 1, term 1.
    static func bootstrap(_ log: any DurableRaftLog, image mvcc: MVCCStore, members: [UInt64]) throws(RaftError) {
        var header = BinaryWriter(capacity: 8)
        header.writeVarint(1)
        header.writeVarint(1)
        var ready = Ready()
        ready.snapshot = Snapshot(
            metadata: SnapshotMetadata(index: 1, term: 1, confState: ConfState(voters: members)),
            data: mvcc.image(prefix: header.bytes)
        )
        ready.hardState = HardState(term: 1, vote: 0, commit: 1)
        ready.mustSync = true
        try log.save(ready)
    }

    // MARK: The leader's duties

    /// Lease expiry, automatic compaction and periodic progress notifications, on the injected clock.
    func runMaintenance() async throws {
        var lastProgress = elapsed()
        var lastCompactionCheck = elapsed()
        var samples: [(time: Duration, revision: Int64)] = []
        while !Task.isCancelled {
            try await sleep(options.leaseCheckInterval)
            let now = elapsed()
            for id in refreshLessor() {
                Task { [self] in
                    _ = try? await propose(.expireLease(id: id))
                    lessor.withLock { _ = $0.expiring.remove(id) }
                }
            }
            if now - lastProgress >= options.progressNotifyInterval {
                lastProgress = now
                var wake: [UnsafeContinuation<Void, Never>] = []
                machine.state.withLock { $0.watchers.requestProgress(nil, periodic: true, wake: &wake) }
                for waiter in wake { waiter.resume() }
            }
            if let (target, interval) = compactionTarget(now: now, samples: &samples), now - lastCompactionCheck >= interval {
                lastCompactionCheck = now
                if target > 0, raft.status().softState.role == .leader {
                    _ = try? await propose(.compact(target))
                }
            }
        }
    }

    /// The revision the retention policy would compact to now, and how often to check.
    func compactionTarget(now: Duration, samples: inout [(time: Duration, revision: Int64)]) -> (Int64, Duration)? {
        let (revision, compacted) = machine.state.withLock { ($0.mvcc.revision, $0.mvcc.compactRevision) }
        switch options.autoCompaction {
        case .disabled:
            return nil
        case .revisions(let keep, let every):
            let target = revision - keep
            return (target > compacted ? target : 0, every)
        case .period(let retention):
            let every = max(options.leaseCheckInterval, retention / 10)
            if samples.last.map({ now - $0.time >= every }) ?? true { samples.append((now, revision)) }
            // The newest revision observed at least `retention` ago. That sample stays until a newer
            // one is old enough: this runs every tick, the compaction only every `every`.
            while samples.count > 1, now - samples[1].time >= retention { samples.removeFirst() }
            var target: Int64 = 0
            if let first = samples.first, now - first.time >= retention { target = first.revision }
            return (target > compacted ? target : 0, every)
        }
    }
}

/// Backup files: `"SCPB"`, a version byte, the image's length and CRC-32C, then the image.
enum StoreBackup {
    static let magic: [UInt8] = Array("SCPB".utf8)

    static func write(_ image: [UInt8], to path: String) throws(StoreError) {
        var header = BinaryWriter(capacity: 24)
        header.writeRaw(magic)
        header.write(UInt8(1))
        header.writeFixed64(UInt64(image.count))
        header.writeFixed32(CRC32C.checksum(image))
        let temporary = path + ".tmp"
        do throws(RaftError) {
            PosixFile.remove(temporary)
            let fd = try PosixFile.openFile(temporary, create: true)
            defer { close(fd) }
            try PosixFile.write(fd, header.bytes, at: 0, path: temporary)
            try PosixFile.write(fd, image, at: header.bytes.count, path: temporary)
            try PosixFile.sync(fd, path: temporary)
            try PosixFile.renameFile(temporary, path)
            let slash = path.lastIndex(of: "/")
            try PosixFile.syncDirectory(slash.map { String(path[..<$0]) } ?? ".")
        } catch {
            throw StoreError(.unavailable, "cannot write backup \(path): \(error.message)")
        }
    }

    static func read(_ path: String) throws(StoreError) -> [UInt8] {
        let bytes: [UInt8]
        do throws(RaftError) {
            bytes = try PosixFile.readAll(path)
        } catch {
            throw StoreError(.invalidArgument, "cannot read backup \(path): \(error.message)")
        }
        let headerSize = magic.count + 1 + 8 + 4
        guard bytes.count >= headerSize, Array(bytes[0..<4]) == magic else {
            throw StoreError(.corrupt, "\(path) at offset 0: not a store backup")
        }
        guard bytes[4] == 1 else { throw StoreError(.corrupt, "\(path) at offset 4: backup version \(bytes[4]) is not supported") }
        var reader = BinaryReader(bytes, offset: 5)
        let length: UInt64
        let checksum: UInt32
        do throws(RaftError) {
            length = try reader.readFixed64()
            checksum = try reader.readFixed32()
        } catch {
            throw StoreError(.corrupt, "\(path) at offset 5: truncated header")
        }
        guard UInt64(bytes.count - headerSize) == length else {
            throw StoreError(.corrupt, "\(path) at offset \(headerSize): image of \(bytes.count - headerSize) bytes, header says \(length)")
        }
        let image = Array(bytes[headerSize...])
        let actual = CRC32C.checksum(image)
        guard actual == checksum else {
            throw StoreError(.corrupt, "\(path) at offset \(headerSize): checksum \(actual) does not match \(checksum)")
        }
        return image
    }
}
