/// The wire and disk format version of Raft messages and entries. A reader refuses versions it does
/// not know instead of guessing.
public let raftCodecVersion: UInt8 = 1

extension Entry {
    public func encode(into writer: inout BinaryWriter) {
        writer.writeVarint(term)
        writer.writeVarint(index)
        writer.write(kind.rawValue)
        writer.writeBytes(data)
    }

    public init(decoding reader: inout BinaryReader) throws(RaftError) {
        term = try reader.readVarint()
        index = try reader.readVarint()
        let rawKind = try reader.readByte()
        guard let kind = EntryKind(rawValue: rawKind) else { throw reader.failure("unknown entry kind \(rawKind)") }
        self.kind = kind
        data = try reader.readBytes()
    }

    /// The entry on its own, with a version byte.
    public func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: data.count + 24)
        writer.write(raftCodecVersion)
        encode(into: &writer)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(RaftError) {
        var reader = BinaryReader(bytes)
        try checkVersion(&reader)
        try self.init(decoding: &reader)
        try checkEnd(reader)
    }
}

extension HardState {
    public func encode(into writer: inout BinaryWriter) {
        writer.writeVarint(term)
        writer.writeVarint(vote)
        writer.writeVarint(commit)
    }

    public init(decoding reader: inout BinaryReader) throws(RaftError) {
        term = try reader.readVarint()
        vote = try reader.readVarint()
        commit = try reader.readVarint()
    }

    public func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 32)
        writer.write(raftCodecVersion)
        encode(into: &writer)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(RaftError) {
        var reader = BinaryReader(bytes)
        try checkVersion(&reader)
        try self.init(decoding: &reader)
        try checkEnd(reader)
    }
}

extension ConfState {
    public func encode(into writer: inout BinaryWriter) {
        writer.writeIDs(voters)
        writer.writeIDs(learners)
        writer.writeIDs(votersOutgoing)
        writer.writeIDs(learnersNext)
        writer.write(autoLeave)
    }

    public init(decoding reader: inout BinaryReader) throws(RaftError) {
        self.init(
            voters: try reader.readIDs(),
            learners: try reader.readIDs(),
            votersOutgoing: try reader.readIDs(),
            learnersNext: try reader.readIDs(),
            autoLeave: try reader.readBool()
        )
    }
}

extension SnapshotMetadata {
    public func encode(into writer: inout BinaryWriter) {
        writer.writeVarint(index)
        writer.writeVarint(term)
        confState.encode(into: &writer)
    }

    public init(decoding reader: inout BinaryReader) throws(RaftError) {
        index = try reader.readVarint()
        term = try reader.readVarint()
        confState = try ConfState(decoding: &reader)
    }

    public func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 64)
        writer.write(raftCodecVersion)
        encode(into: &writer)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(RaftError) {
        var reader = BinaryReader(bytes)
        try checkVersion(&reader)
        try self.init(decoding: &reader)
        try checkEnd(reader)
    }
}

extension Snapshot {
    public func encode(into writer: inout BinaryWriter) {
        metadata.encode(into: &writer)
        writer.writeBytes(data)
    }

    public init(decoding reader: inout BinaryReader) throws(RaftError) {
        metadata = try SnapshotMetadata(decoding: &reader)
        data = try reader.readBytes()
    }
}

extension ConfChange {
    public func encode(into writer: inout BinaryWriter) {
        writer.write(transition.rawValue)
        writer.writeVarint(UInt64(changes.count))
        for change in changes {
            writer.write(change.kind.rawValue)
            writer.writeVarint(change.nodeID)
        }
        writer.writeBytes(context)
    }

    public init(decoding reader: inout BinaryReader) throws(RaftError) {
        let rawTransition = try reader.readByte()
        guard let transition = Transition(rawValue: rawTransition) else {
            throw reader.failure("unknown conf change transition \(rawTransition)")
        }
        self.transition = transition
        let count = try reader.readCount(minimumElementSize: 2)
        var changes: [ConfChangeSingle] = []
        changes.reserveCapacity(count)
        for _ in 0..<count {
            let rawKind = try reader.readByte()
            guard let kind = ConfChangeSingle.Kind(rawValue: rawKind) else {
                throw reader.failure("unknown conf change kind \(rawKind)")
            }
            changes.append(ConfChangeSingle(kind, try reader.readVarint()))
        }
        self.changes = changes
        context = try reader.readBytes()
    }

    /// The change as stored in a ``EntryKind/confChange`` entry.
    public func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 16 + changes.count * 10 + context.count)
        writer.write(raftCodecVersion)
        encode(into: &writer)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(RaftError) {
        var reader = BinaryReader(bytes)
        try checkVersion(&reader)
        try self.init(decoding: &reader)
        try checkEnd(reader)
    }
}

extension Message {
    public func encode(into writer: inout BinaryWriter) {
        writer.write(kind.rawValue)
        writer.writeVarint(from)
        writer.writeVarint(to)
        writer.writeVarint(term)
        writer.writeVarint(logTerm)
        writer.writeVarint(index)
        writer.writeVarint(commit)
        writer.write(reject)
        writer.writeVarint(rejectHint)
        writer.writeVarint(UInt64(entries.count))
        for entry in entries { entry.encode(into: &writer) }
        if let snapshot {
            writer.write(true)
            snapshot.encode(into: &writer)
        } else {
            writer.write(false)
        }
        writer.writeBytes(context)
    }

    public init(decoding reader: inout BinaryReader) throws(RaftError) {
        let rawKind = try reader.readByte()
        guard let kind = MessageKind(rawValue: rawKind) else { throw reader.failure("unknown message kind \(rawKind)") }
        self.kind = kind
        from = try reader.readVarint()
        to = try reader.readVarint()
        term = try reader.readVarint()
        logTerm = try reader.readVarint()
        index = try reader.readVarint()
        commit = try reader.readVarint()
        reject = try reader.readBool()
        rejectHint = try reader.readVarint()
        let count = try reader.readCount(minimumElementSize: 4)
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count { entries.append(try Entry(decoding: &reader)) }
        self.entries = entries
        snapshot = try reader.readBool() ? try Snapshot(decoding: &reader) : nil
        context = try reader.readBytes()
    }

    /// Approximate encoded size, for transports that bound their queues in bytes.
    public var sizeEstimate: Int {
        var size = 48 + context.count
        for entry in entries { size += Int(entry.sizeEstimate) }
        if let snapshot { size += snapshot.data.count + 64 }
        return size
    }

    /// The message with a version byte, as transports send it.
    public func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: sizeEstimate)
        writer.write(raftCodecVersion)
        encode(into: &writer)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(RaftError) {
        var reader = BinaryReader(bytes)
        try checkVersion(&reader)
        try self.init(decoding: &reader)
        try checkEnd(reader)
    }
}

func checkVersion(_ reader: inout BinaryReader) throws(RaftError) {
    let version = try reader.readByte()
    guard version == raftCodecVersion else {
        throw RaftError(.corrupt, "unsupported encoding version \(version) (this build reads \(raftCodecVersion))")
    }
}

func checkEnd(_ reader: BinaryReader) throws(RaftError) {
    guard reader.isAtEnd else { throw reader.failure("\(reader.remaining) trailing bytes") }
}
