/// The TCP wire format: `[magic "RF"][version][kind][u32 length][u32 CRC-32C][payload]`.
///
/// Kinds: a Raft message (payload = ``Message/encoded()``), a snapshot chunk, or a snapshot
/// acknowledgement (see `SnapshotStream.swift`): snapshots travel in chunks so that no frame has to
/// hold a whole state machine image.
enum TCPFrame {
    enum Kind: UInt8 {
        case message = 0
        case snapshotChunk = 1
        case snapshotAck = 2
    }

    struct Header {
        var kind: Kind
        var length: Int
        var checksum: UInt32
    }

    static let magic: [UInt8] = [0x52, 0x46]  // "RF"
    static let headerSize = 12

    static func encode(_ kind: Kind, payload: [UInt8], into writer: inout BinaryWriter) {
        writer.writeRaw(magic)
        writer.write(raftCodecVersion)
        writer.write(kind.rawValue)
        writer.writeFixed32(UInt32(payload.count))
        writer.writeFixed32(CRC32C.checksum(payload))
        writer.writeRaw(payload)
    }

    static func encode(_ message: Message, into writer: inout BinaryWriter) {
        encode(.message, payload: message.encoded(), into: &writer)
    }

    static func encode(_ chunk: SnapshotChunk, into writer: inout BinaryWriter) {
        var payload = BinaryWriter(capacity: chunk.data.count + chunk.envelope.count + 64)
        chunk.encode(into: &payload)
        encode(.snapshotChunk, payload: payload.bytes, into: &writer)
    }

    static func encode(_ ack: SnapshotAck, into writer: inout BinaryWriter) {
        var payload = BinaryWriter(capacity: 48)
        ack.encode(into: &payload)
        encode(.snapshotAck, payload: payload.bytes, into: &writer)
    }

    /// Validates a header; returns the frame's kind, payload length and checksum, or why it is refused.
    static func parseHeader(_ header: [UInt8], maxPayload: Int) -> Result<Header, RaftError> {
        guard header[0] == magic[0], header[1] == magic[1] else {
            return .failure(RaftError(.corrupt, "bad frame magic"))
        }
        guard header[2] == raftCodecVersion else {
            return .failure(RaftError(.corrupt, "unsupported frame version \(header[2])"))
        }
        guard let kind = Kind(rawValue: header[3]) else {
            return .failure(RaftError(.corrupt, "unknown frame kind \(header[3])"))
        }
        var reader = BinaryReader(header, offset: 4)
        guard let length = try? reader.readFixed32(), let checksum = try? reader.readFixed32() else {
            return .failure(RaftError(.corrupt, "short frame header"))
        }
        guard Int(length) <= maxPayload else {
            return .failure(RaftError(.corrupt, "frame of \(length) bytes exceeds the limit of \(maxPayload)"))
        }
        return .success(Header(kind: kind, length: Int(length), checksum: checksum))
    }
}
