/// Snapshot files: `[magic "RSNP"][version][u32 CRC-32C of payload][payload]`, payload = the encoded
/// ``Snapshot``. Written to a temporary file, synced, renamed into place, and the directory synced, so
/// a crash leaves either the old snapshot or the new one, never half of one.
enum SnapshotFile {
    static let magic: [UInt8] = Array("RSNP".utf8)

    static func name(for metadata: SnapshotMetadata) -> String {
        "snap-" + hex(metadata.index) + ".snap"
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }

    static func write(_ snapshot: Snapshot, directory: String) throws(RaftError) {
        let header = header(snapshot)
        let path = directory + "/" + name(for: snapshot.metadata)
        let temporary = path + ".tmp"
        let fd = try PosixFile.openFile(temporary, create: true)
        do {
            try PosixFile.truncate(fd, to: 0, path: temporary)
            // The data (the bulk: a whole state machine) goes from where it is, not copied into a
            // payload and then a file image.
            try PosixFile.write(fd, header, at: 0, path: temporary)
            try PosixFile.write(fd, snapshot.data, at: header.count, path: temporary)
            try PosixFile.sync(fd, path: temporary)
        } catch {
            close(fd)
            PosixFile.remove(temporary)
            throw error
        }
        close(fd)
        try PosixFile.renameFile(temporary, path)
        try PosixFile.syncDirectory(directory)
    }

    /// Everything in the file before the snapshot's data: magic, version, the payload's checksum,
    /// and the payload's start (the snapshot's encoding up to its data: metadata and data length).
    static func header(_ snapshot: Snapshot) -> [UInt8] {
        var start = BinaryWriter(capacity: 64)
        snapshot.metadata.encode(into: &start)
        start.writeVarint(UInt64(snapshot.data.count))
        var header = BinaryWriter(capacity: start.bytes.count + 16)
        header.writeRaw(magic)
        header.write(raftCodecVersion)
        header.writeFixed32(CRC32C.checksum(snapshot.data, extending: CRC32C.checksum(start.bytes)))
        header.writeRaw(start.bytes)
        return header.bytes
    }

    static func read(_ path: String) throws(RaftError) -> Snapshot {
        let bytes = try PosixFile.readAll(path)
        guard bytes.count >= 9, Array(bytes[0..<4]) == magic else {
            throw RaftError(.corrupt, "\(path) at byte offset 0: not a snapshot file")
        }
        guard bytes[4] == raftCodecVersion else {
            throw RaftError(.corrupt, "\(path) at byte offset 4: unsupported snapshot version \(bytes[4])")
        }
        var header = BinaryReader(bytes, offset: 5)
        let checksum = try header.readFixed32()
        let payload = Array(bytes[9...])
        guard CRC32C.checksum(payload) == checksum else {
            throw RaftError(.corrupt, "\(path) at byte offset 9: snapshot checksum mismatch")
        }
        var reader = BinaryReader(payload)
        do throws(RaftError) {
            let snapshot = try Snapshot(decoding: &reader)
            guard reader.isAtEnd else { throw RaftError(.corrupt, "trailing bytes") }
            return snapshot
        } catch {
            throw RaftError(.corrupt, "\(path) at byte offset \(9 + reader.offset): \(error.message)")
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
