/// Appends little-endian integers, LEB128 varints and length-prefixed bytes to a buffer.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: UInt8) {
        bytes.append(value)
    }

    public mutating func write(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    public mutating func writeFixed32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func writeFixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func writeBytes(_ value: [UInt8]) {
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Appends bytes as they are, without a length prefix.
    public mutating func writeRaw(_ raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    public mutating func writeIDs(_ ids: [NodeID]) {
        writeVarint(UInt64(ids.count))
        for id in ids { writeVarint(id) }
    }
}

/// Reads what ``BinaryWriter`` wrote; every failure is a ``RaftError/Code/corrupt`` error naming the offset.
public struct BinaryReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var isAtEnd: Bool { offset == bytes.count }
    public var remaining: Int { bytes.count - offset }

    func failure(_ what: String) -> RaftError {
        RaftError(.corrupt, "\(what) at byte offset \(offset) of \(bytes.count)")
    }

    public mutating func readByte() throws(RaftError) -> UInt8 {
        guard offset < bytes.count else { throw failure("unexpected end of input") }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func readBool() throws(RaftError) -> Bool {
        switch try readByte() {
        case 0: return false
        case 1: return true
        default: throw failure("invalid boolean")
        }
    }

    public mutating func readFixed32() throws(RaftError) -> UInt32 {
        guard remaining >= 4 else { throw failure("unexpected end of input") }
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return value
    }

    public mutating func readFixed64() throws(RaftError) -> UInt64 {
        guard remaining >= 8 else { throw failure("unexpected end of input") }
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return value
    }

    public mutating func readVarint() throws(RaftError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            if shift == 63 && byte > 1 { throw failure("varint overflows 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw failure("varint too long") }
        }
    }

    /// Reads a count that must be plausible for the bytes left (each element takes at least
    /// `minimumElementSize` bytes), so a corrupt length cannot make us allocate gigabytes.
    public mutating func readCount(minimumElementSize: Int = 1) throws(RaftError) -> Int {
        let count = try readVarint()
        guard count <= UInt64(remaining / max(minimumElementSize, 1)) else {
            throw failure("length \(count) exceeds the remaining input")
        }
        return Int(count)
    }

    public mutating func readBytes() throws(RaftError) -> [UInt8] {
        let count = try readCount()
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    public mutating func readIDs() throws(RaftError) -> [NodeID] {
        let count = try readCount()
        var ids: [NodeID] = []
        ids.reserveCapacity(count)
        for _ in 0..<count { ids.append(try readVarint()) }
        return ids
    }
}
