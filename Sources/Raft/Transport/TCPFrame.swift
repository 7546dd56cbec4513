/// The TCP wire format of one message: `[magic "RF"][version][u32 length][u32 CRC-32C][payload]`,
/// payload = ``Message/encoded()``.
enum TCPFrame {
    static let magic: [UInt8] = [0x52, 0x46]  // "RF"
    static let headerSize = 11

    static func encode(_ message: Message, into writer: inout BinaryWriter) {
        let payload = message.encoded()
        writer.writeRaw(magic)
        writer.write(raftCodecVersion)
        writer.writeFixed32(UInt32(payload.count))
        writer.writeFixed32(CRC32C.checksum(payload))
        writer.writeRaw(payload)
    }

    /// Validates a header; returns the payload length and checksum, or why the frame is refused.
    static func parseHeader(_ header: [UInt8], maxPayload: Int) -> Result<(length: Int, checksum: UInt32), RaftError> {
        guard header[0] == magic[0], header[1] == magic[1] else {
            return .failure(RaftError(.corrupt, "bad frame magic"))
        }
        guard header[2] == raftCodecVersion else {
            return .failure(RaftError(.corrupt, "unsupported frame version \(header[2])"))
        }
        var reader = BinaryReader(header, offset: 3)
        guard let length = try? reader.readFixed32(), let checksum = try? reader.readFixed32() else {
            return .failure(RaftError(.corrupt, "short frame header"))
        }
        guard Int(length) <= maxPayload else {
            return .failure(RaftError(.corrupt, "frame of \(length) bytes exceeds the limit of \(maxPayload)"))
        }
        return .success((Int(length), checksum))
    }
}
