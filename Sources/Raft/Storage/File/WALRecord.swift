/// One record of the write-ahead log: `[u32 length][u32 CRC-32C of body][body]`, body = `[type][payload]`.
/// A zero length marks the end of the written part of a (preallocated) segment.
enum WALRecord: Equatable {
    case entry(Entry)
    case hardState(HardState)
    /// The log was replaced by a snapshot (received from the leader): everything before is superseded.
    case snapshot(SnapshotMetadata)

    static let headerSize = 8

    func encode(into writer: inout BinaryWriter) {
        var body = BinaryWriter(capacity: 32)
        switch self {
        case .entry(let entry):
            body.write(1)
            entry.encode(into: &body)
        case .hardState(let hardState):
            body.write(2)
            hardState.encode(into: &body)
        case .snapshot(let metadata):
            body.write(3)
            metadata.encode(into: &body)
        }
        writer.writeFixed32(UInt32(body.bytes.count))
        writer.writeFixed32(CRC32C.checksum(body.bytes))
        writer.writeRaw(body.bytes)
    }

    static func decode(body: [UInt8]) throws(RaftError) -> WALRecord {
        var reader = BinaryReader(body)
        let type = try reader.readByte()
        let record: WALRecord
        switch type {
        case 1: record = .entry(try Entry(decoding: &reader))
        case 2: record = .hardState(try HardState(decoding: &reader))
        case 3: record = .snapshot(try SnapshotMetadata(decoding: &reader))
        default: throw RaftError(.corrupt, "unknown record type \(type)")
        }
        if !reader.isAtEnd { throw RaftError(.corrupt, "\(reader.remaining) trailing bytes in record") }
        return record
    }
}

/// Reads the records of one segment file.
struct WALSegmentReader {
    enum Outcome {
        /// Every record up to `end` is valid; after it the file holds only zeros (or ends).
        case clean(records: [WALRecord], end: Int)
        /// A damaged record at `offset` followed by nothing but zeros: a write torn by a crash.
        case tornTail(records: [WALRecord], offset: Int, reason: String)
        /// A damaged record at `offset` with data after it: the log is corrupt.
        case corrupt(offset: Int, reason: String)
    }

    static func read(_ bytes: [UInt8]) -> Outcome {
        var records: [WALRecord] = []
        var offset = 0
        while offset + WALRecord.headerSize <= bytes.count {
            var header = BinaryReader(bytes, offset: offset)
            let length = Int((try? header.readFixed32()) ?? 0)
            let checksum = (try? header.readFixed32()) ?? 0
            if length == 0 && checksum == 0 {
                // Preallocated zeros: the end, unless data follows (then something was zeroed).
                if !isAllZero(bytes[offset...]) {
                    return .corrupt(offset: offset, reason: "zeroed record header followed by data")
                }
                return .clean(records: records, end: offset)
            }
            let bodyStart = offset + WALRecord.headerSize
            guard length > 0, bodyStart + length <= bytes.count else {
                return damaged(bytes, records, offset, skipTo: bytes.count, "record length \(length) runs past the end")
            }
            let body = Array(bytes[bodyStart..<bodyStart + length])
            guard CRC32C.checksum(body) == checksum else {
                return damaged(bytes, records, offset, skipTo: bodyStart + length, "checksum mismatch")
            }
            do {
                records.append(try WALRecord.decode(body: body))
            } catch {
                return damaged(bytes, records, offset, skipTo: bodyStart + length, "undecodable record: \(error.message)")
            }
            offset = bodyStart + length
        }
        if !isAllZero(bytes[offset...]) {
            return damaged(bytes, records, offset, skipTo: bytes.count, "partial record header")
        }
        return .clean(records: records, end: offset)
    }

    /// A damaged record is a torn tail only if nothing but zeros follows it.
    static func damaged(_ bytes: [UInt8], _ records: [WALRecord], _ offset: Int, skipTo: Int, _ reason: String) -> Outcome {
        if !isAllZero(bytes[min(skipTo, bytes.count)...]) { return .corrupt(offset: offset, reason: reason) }
        return .tornTail(records: records, offset: offset, reason: reason)
    }
}

private let zeroPage = [UInt8](repeating: 0, count: 65_536)

/// Whether every byte is zero: compared a page at a time with memcmp, since recovery checks the
/// preallocated tail of every segment (tens of megabytes).
func isAllZero(_ bytes: ArraySlice<UInt8>) -> Bool {
    bytes.withUnsafeBytes { raw in
        zeroPage.withUnsafeBytes { zero in
            var offset = 0
            while offset < raw.count {
                let length = min(zero.count, raw.count - offset)
                if memcmp(raw.baseAddress! + offset, zero.baseAddress!, length) != 0 { return false }
                offset += length
            }
            return true
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
