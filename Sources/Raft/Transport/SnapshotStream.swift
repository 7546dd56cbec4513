/// One piece of a snapshot streamed to a follower. A snapshot is named by its (index, term); every
/// chunk carries the envelope (the snapshot message without its data: small) so that the receiver
/// can start from any chunk it is asked to resume at.
struct SnapshotChunk: Equatable {
    var from: NodeID
    var to: NodeID
    var index: UInt64
    var term: UInt64
    var offset: UInt64
    var total: UInt64
    /// CRC-32C of the whole snapshot data, checked by the receiver once every byte is in.
    var checksum: UInt32
    /// ``Message/encoded()`` of the snapshot message with empty data.
    var envelope: [UInt8]
    var data: [UInt8]

    func encode(into writer: inout BinaryWriter) {
        writer.writeVarint(from)
        writer.writeVarint(to)
        writer.writeVarint(index)
        writer.writeVarint(term)
        writer.writeVarint(offset)
        writer.writeVarint(total)
        writer.writeFixed32(checksum)
        writer.writeBytes(envelope)
        writer.writeBytes(data)
    }
}

// In an extension, so that the memberwise initializer is still synthesized.
extension SnapshotChunk {
    init(decoding bytes: [UInt8]) throws(RaftError) {
        var reader = BinaryReader(bytes)
        from = try reader.readVarint()
        to = try reader.readVarint()
        index = try reader.readVarint()
        term = try reader.readVarint()
        offset = try reader.readVarint()
        total = try reader.readVarint()
        checksum = try reader.readFixed32()
        envelope = try reader.readBytes()
        data = try reader.readBytes()
        guard reader.isAtEnd else { throw RaftError(.corrupt, "trailing bytes after a snapshot chunk") }
        guard offset <= total, UInt64(data.count) <= total - offset else {
            throw RaftError(.corrupt, "snapshot chunk at \(offset) of \(data.count) bytes exceeds its total \(total)")
        }
    }
}

/// The receiver's answer to a chunk: how many bytes it holds, and whether the sender should go on,
/// rewind, or stop.
struct SnapshotAck: Equatable {
    enum Status: UInt8 {
        /// `received` bytes are safely in the receiver's file; go on.
        case progress = 0
        /// A chunk arrived beyond what the receiver holds (it lost its partial file, or the stream
        /// restarted): send again from `received`.
        case resend = 1
        /// Every byte arrived, the checksum matched and the snapshot went to the node.
        case complete = 2
        /// The data did not match its checksum, or could not be stored; the stream is over.
        case failed = 3
    }

    var from: NodeID
    var to: NodeID
    var index: UInt64
    var term: UInt64
    var received: UInt64
    var status: Status

    func encode(into writer: inout BinaryWriter) {
        writer.writeVarint(from)
        writer.writeVarint(to)
        writer.writeVarint(index)
        writer.writeVarint(term)
        writer.writeVarint(received)
        writer.write(status.rawValue)
    }
}

extension SnapshotAck {
    init(decoding bytes: [UInt8]) throws(RaftError) {
        var reader = BinaryReader(bytes)
        from = try reader.readVarint()
        to = try reader.readVarint()
        index = try reader.readVarint()
        term = try reader.readVarint()
        received = try reader.readVarint()
        let raw = try reader.readByte()
        guard let status = Status(rawValue: raw) else { throw RaftError(.corrupt, "unknown snapshot ack status \(raw)") }
        self.status = status
        guard reader.isAtEnd else { throw RaftError(.corrupt, "trailing bytes after a snapshot ack") }
    }
}

/// The sender's side of one snapshot stream: a window of unacknowledged chunks, rewound to the last
/// acknowledged byte when the connection breaks, so a lost connection costs at most a window.
struct OutgoingSnapshot {
    enum Outcome: Equatable {
        case inProgress
        case completed
        case failed
    }

    let from: NodeID
    let to: NodeID
    let index: UInt64
    let term: UInt64
    let data: [UInt8]
    let envelope: [UInt8]
    let checksum: UInt32
    /// Bytes the receiver confirmed holding.
    private(set) var acked: UInt64 = 0
    /// The next byte to send.
    private(set) var next: UInt64 = 0
    /// Times the stream went back to `acked` after a broken connection or a resend request.
    private(set) var resumptions = 0
    /// Bytes put on the wire, resends included.
    private(set) var bytesSent: UInt64 = 0
    private var emptyChunkSent = false
    /// Uptime (ns) of the last acknowledged progress, for stall detection.
    var lastProgress: UInt64

    /// - Precondition: `message.kind == .snapshot` and it carries a snapshot.
    init(_ message: Message, now: UInt64) {
        var bare = message
        let snapshot = message.snapshot ?? Snapshot()
        bare.snapshot = Snapshot(metadata: snapshot.metadata, data: [])
        from = message.from
        to = message.to
        index = snapshot.metadata.index
        term = snapshot.metadata.term
        data = snapshot.data
        envelope = bare.encoded()
        checksum = CRC32C.checksum(snapshot.data)
        lastProgress = now
    }

    var total: UInt64 { UInt64(data.count) }

    func isSame(as message: Message) -> Bool {
        message.snapshot?.metadata.index == index && message.snapshot?.metadata.term == term
    }

    /// Chunks that fit in the window now (none while `window` chunks are unacknowledged). An empty
    /// snapshot goes out as one empty chunk.
    mutating func nextChunks(chunkSize: Int, window: Int) -> [SnapshotChunk] {
        if total == 0 {
            if emptyChunkSent { return [] }
            emptyChunkSent = true
            return [chunk(from: 0, to: 0)]
        }
        var chunks: [SnapshotChunk] = []
        let limit = acked + UInt64(chunkSize) * UInt64(window)
        while next < total && next < limit {
            let end = min(total, next + UInt64(chunkSize))
            chunks.append(chunk(from: next, to: end))
            bytesSent += end - next
            next = end
        }
        return chunks
    }

    private func chunk(from start: UInt64, to end: UInt64) -> SnapshotChunk {
        SnapshotChunk(
            from: from, to: to, index: index, term: term, offset: start, total: total, checksum: checksum,
            envelope: envelope, data: Array(data[Int(start)..<Int(end)])
        )
    }

    /// The connection broke: whatever was not acknowledged may be lost.
    mutating func connectionLost() {
        if next > acked || emptyChunkSent {
            next = acked
            emptyChunkSent = false
            resumptions += 1
        }
    }

    mutating func handle(_ ack: SnapshotAck, now: UInt64) -> Outcome {
        guard ack.index == index, ack.term == term else { return .inProgress }
        switch ack.status {
        case .complete:
            return .completed
        case .failed:
            return .failed
        case .progress:
            if ack.received > acked {
                acked = min(ack.received, total)
                lastProgress = now
            }
            next = max(next, acked)
        case .resend:
            acked = min(ack.received, total)
            next = acked
            emptyChunkSent = false
            resumptions += 1
            lastProgress = now
        }
        return .inProgress
    }
}
