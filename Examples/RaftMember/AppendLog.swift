import Raft
import Synchronization

/// The member's state machine: an ordered list of values. An entry `a <value>` appends; the result
/// is the list's new length. Appending (rather than setting keys) makes a write applied twice visible.
final class AppendLog: RaftStateMachine {
    let values = Mutex<[String]>([])

    func apply(_ entry: Entry) -> [UInt8] {
        guard entry.data.count > 2, entry.data[0] == UInt8(ascii: "a"), entry.data[1] == UInt8(ascii: " ") else {
            return []
        }
        let value = String(decoding: entry.data[2...], as: UTF8.self)
        let count = values.withLock { values in
            values.append(value)
            return values.count
        }
        return Array(String(count).utf8)
    }

    func snapshot() throws -> [UInt8] {
        var writer = BinaryWriter()
        let values = values.withLock { $0 }
        writer.writeVarint(UInt64(values.count))
        for value in values { writer.writeBytes(Array(value.utf8)) }
        return writer.bytes
    }

    func restore(_ data: [UInt8]) throws {
        var reader = BinaryReader(data)
        var restored: [String] = []
        if !data.isEmpty {
            let count = try reader.readCount()
            restored.reserveCapacity(count)
            for _ in 0..<count { restored.append(String(decoding: try reader.readBytes(), as: UTF8.self)) }
        }
        values.withLock { $0 = restored }
    }
}
