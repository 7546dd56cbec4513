/// The replicated state machine of a simulated member: a key-value map, plus a digest chained over
/// every applied entry so that two members' histories can be compared in O(1).
public struct SimulatedKV: Sendable, Hashable {
    public private(set) var values: [String: String] = [:]
    public private(set) var appliedIndex: UInt64 = 0
    /// FNV-1a chained over (index, term, data) of every applied entry.
    public private(set) var digest: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    /// The command that sets `key` to `value`.
    public static func setCommand(_ key: String, _ value: String) -> [UInt8] {
        Array("set \(key)=\(value)".utf8)
    }

    /// Applies an entry (normal or not; only `set` commands change `values`).
    public mutating func apply(_ entry: Entry) {
        appliedIndex = entry.index
        digest = Self.chain(digest, entry)
        guard entry.kind == .normal, entry.data.count > 4, entry.data.starts(with: Array("set ".utf8)) else { return }
        let body = String(decoding: entry.data[4...], as: UTF8.self)
        if let eq = body.firstIndex(of: "=") {
            values[String(body[..<eq])] = String(body[body.index(after: eq)...])
        }
    }

    static func chain(_ digest: UInt64, _ entry: Entry) -> UInt64 {
        var h = digest
        func mix(_ byte: UInt8) {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01B3
        }
        withUnsafeBytes(of: entry.index.littleEndian) { for b in $0 { mix(b) } }
        withUnsafeBytes(of: entry.term.littleEndian) { for b in $0 { mix(b) } }
        for b in entry.data { mix(b) }
        return h
    }

    /// Snapshot encoding.
    public func encoded() -> [UInt8] {
        var writer = BinaryWriter()
        writer.writeVarint(appliedIndex)
        writer.writeFixed64(digest)
        writer.writeVarint(UInt64(values.count))
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            writer.writeBytes(Array(key.utf8))
            writer.writeBytes(Array(value.utf8))
        }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(RaftError) {
        var reader = BinaryReader(bytes)
        appliedIndex = try reader.readVarint()
        digest = try reader.readFixed64()
        let count = try reader.readCount(minimumElementSize: 2)
        for _ in 0..<count {
            let key = String(decoding: try reader.readBytes(), as: UTF8.self)
            values[key] = String(decoding: try reader.readBytes(), as: UTF8.self)
        }
    }
}
