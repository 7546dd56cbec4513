import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The receiving side of snapshot streams: one temporary file per sending peer, written chunk by
/// chunk (memory holds one chunk, not the image), checked against the whole-image CRC-32C once
/// complete, then handed to the node as one snapshot message; the node's storage installs it
/// atomically. A stream survives broken connections: the file stays, and the sender resumes at the
/// byte acknowledged last.
final class SnapshotReceiver: Sendable {
    struct Stream {
        var index: UInt64
        var term: UInt64
        var total: UInt64
        var checksum: UInt32
        var runningChecksum: UInt32 = 0
        var received: UInt64 = 0
        var fd: Int32
        var path: String
        var envelope: [UInt8]
    }

    let directory: String
    let prefix: String
    let streams = Mutex<[NodeID: Stream]>([:])

    init(directory: String, prefix: String) {
        self.directory = directory
        self.prefix = prefix
        // Files left by an earlier process with the same name prefix are useless now.
        for name in (try? PosixFile.list(directory)) ?? [] where name.hasPrefix(prefix) && name.hasSuffix(".partial") {
            PosixFile.remove(directory + "/" + name)
        }
    }

    /// Takes one chunk; returns the acknowledgement to send back and, once complete, the snapshot
    /// message to deliver.
    func receive(_ chunk: SnapshotChunk) -> (ack: SnapshotAck, message: Message?) {
        streams.withLock { streams in
            func ack(_ received: UInt64, _ status: SnapshotAck.Status) -> SnapshotAck {
                SnapshotAck(from: chunk.to, to: chunk.from, index: chunk.index, term: chunk.term, received: received, status: status)
            }
            var stream: Stream
            if let existing = streams[chunk.from], existing.index == chunk.index, existing.term == chunk.term {
                stream = existing
            } else {
                if let existing = streams.removeValue(forKey: chunk.from) { discard(existing) }
                // A stream can only begin at byte 0: anything else belongs to a stream this side
                // no longer holds (it restarted), so the sender must start over.
                guard chunk.offset == 0 else { return (ack(0, .resend), nil) }
                let path = "\(directory)/\(prefix)\(chunk.from)-\(chunk.index)-\(chunk.term).partial"
                let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
                guard fd >= 0 else { return (ack(0, .failed), nil) }
                stream = Stream(
                    index: chunk.index, term: chunk.term, total: chunk.total, checksum: chunk.checksum, fd: fd,
                    path: path, envelope: chunk.envelope
                )
            }
            guard chunk.total == stream.total, chunk.checksum == stream.checksum else {
                discard(stream)
                streams[chunk.from] = nil
                return (ack(0, .failed), nil)
            }
            if chunk.offset > stream.received {
                streams[chunk.from] = stream
                return (ack(stream.received, .resend), nil)
            }
            // Skip what is already held (a resend after a broken connection may overlap).
            let skip = Int(stream.received - chunk.offset)
            if skip < chunk.data.count {
                let fresh = Array(chunk.data[skip...])
                do {
                    try PosixFile.write(stream.fd, fresh, at: Int(stream.received), path: stream.path)
                } catch {
                    discard(stream)
                    streams[chunk.from] = nil
                    return (ack(0, .failed), nil)
                }
                stream.runningChecksum = CRC32C.checksum(fresh, extending: stream.runningChecksum)
                stream.received += UInt64(fresh.count)
            }
            guard stream.received == stream.total else {
                streams[chunk.from] = stream
                return (ack(stream.received, .progress), nil)
            }
            streams[chunk.from] = nil
            defer { discard(stream) }
            guard stream.runningChecksum == stream.checksum,
                var message = try? Message(decoding: stream.envelope),
                let metadata = message.snapshot?.metadata,
                let data = try? PosixFile.readAll(stream.path),
                UInt64(data.count) == stream.total,
                CRC32C.checksum(data) == stream.checksum
            else {
                return (ack(0, .failed), nil)
            }
            message.snapshot = Snapshot(metadata: metadata, data: data)
            return (ack(stream.total, .complete), message)
        }
    }

    /// Closes and deletes every partial file (on shutdown).
    func removeAll() {
        let all = streams.withLock { streams in
            defer { streams = [:] }
            return Array(streams.values)
        }
        for stream in all { discard(stream) }
    }

    private func discard(_ stream: Stream) {
        close(stream.fd)
        PosixFile.remove(stream.path)
    }
}
