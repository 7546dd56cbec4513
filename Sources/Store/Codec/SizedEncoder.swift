/// Writes the ``Raft/BinaryWriter`` encoding (varints, length-prefixed bytes) into a buffer whose
/// exact size was computed first: one allocation and no per-write growth check, for large
/// encodings such as snapshot images.
struct SizedEncoder {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var position = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    /// Bytes of `value` as a varint.
    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
    }

    @inline(__always)
    static func signedSize(_ value: Int64) -> Int { varintSize(UInt64(bitPattern: value)) }

    /// Bytes of `count` bytes with their length prefix.
    @inline(__always)
    static func bytesSize(_ count: Int) -> Int { varintSize(UInt64(count)) + count }

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        precondition(position < buffer.count, "encoding overruns its computed size")
        buffer[position] = byte
        position += 1
    }

    @inline(__always)
    mutating func writeVarint(_ value: UInt64) {
        precondition(position + Self.varintSize(value) <= buffer.count, "encoding overruns its computed size")
        var v = value
        while v >= 0x80 {
            buffer[position] = UInt8(truncatingIfNeeded: v) | 0x80
            position += 1
            v >>= 7
        }
        buffer[position] = UInt8(v)
        position += 1
    }

    @inline(__always)
    mutating func writeSigned(_ value: Int64) { writeVarint(UInt64(bitPattern: value)) }

    /// Bytes as they are, without a length prefix.
    mutating func writeRaw<C: Collection<UInt8>>(_ bytes: C) {
        precondition(position + bytes.count <= buffer.count, "encoding overruns its computed size")
        let written = bytes.withContiguousStorageIfAvailable { source -> Int in
            if let from = source.baseAddress, source.count > 0 {
                (buffer.baseAddress! + position).update(from: from, count: source.count)
            }
            return source.count
        }
        if let written {
            position += written
        } else {
            for byte in bytes { write(byte) }
        }
    }

    /// Length-prefixed bytes (``Raft/BinaryWriter/writeBytes(_:)``).
    mutating func writeBytes<C: Collection<UInt8>>(_ bytes: C) {
        writeVarint(UInt64(bytes.count))
        writeRaw(bytes)
    }
}

extension StoredVersion {
    /// Bytes of ``encode(into:)``.
    var encodedSize: Int {
        SizedEncoder.signedSize(createRevision) + SizedEncoder.signedSize(modRevision) + SizedEncoder.signedSize(version)
            + SizedEncoder.signedSize(lease) + SizedEncoder.varintSize(UInt64(UInt32(bitPattern: subRevision)))
            + SizedEncoder.bytesSize(value.count)
    }

    /// ``KeyValue/encode(into:withKey:)`` without the key.
    func encode(into encoder: inout SizedEncoder) {
        encoder.writeSigned(createRevision)
        encoder.writeSigned(modRevision)
        encoder.writeSigned(version)
        encoder.writeSigned(lease)
        encoder.writeVarint(UInt64(UInt32(bitPattern: subRevision)))
        encoder.writeBytes(value)
    }
}
