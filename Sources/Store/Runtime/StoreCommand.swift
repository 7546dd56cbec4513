import Raft

/// A write as it travels through the Raft log. Every member applies the same commands in the same
/// order to its ``MVCCStore``.
enum StoreCommand: Sendable {
    case txn(TxnRequest)
    case put(PutRequest)
    case deleteRange(DeleteRangeRequest)
    case compact(Int64)
    case grantLease(id: Int64, ttl: Int64)
    case revokeLease(id: Int64)
    /// The leader decided the lease expired: like a revoke, but a lease already gone is no error.
    case expireLease(id: Int64)

    func encoded() -> [UInt8] {
        var capacity = 64
        if case .put(let request) = self { capacity = request.key.count + request.value.count + 24 }
        var writer = BinaryWriter(capacity: capacity)
        writer.write(storeCommandVersion)
        switch self {
        case .txn(let request):
            writer.write(UInt8(1))
            request.encode(into: &writer)
        case .put(let request):
            writer.write(UInt8(2))
            request.encode(into: &writer)
        case .deleteRange(let request):
            writer.write(UInt8(3))
            request.encode(into: &writer)
        case .compact(let revision):
            writer.write(UInt8(4))
            writer.writeSigned(revision)
        case .grantLease(let id, let ttl):
            writer.write(UInt8(5))
            writer.writeSigned(id)
            writer.writeSigned(ttl)
        case .revokeLease(let id):
            writer.write(UInt8(6))
            writer.writeSigned(id)
        case .expireLease(let id):
            writer.write(UInt8(7))
            writer.writeSigned(id)
        }
        return writer.bytes
    }

    init(decoding bytes: [UInt8]) throws(RaftError) {
        var reader = BinaryReader(bytes)
        let version = try reader.readByte()
        guard version == storeCommandVersion else { throw RaftError(.corrupt, "unknown store command version \(version)") }
        switch try reader.readByte() {
        case 1: self = .txn(try TxnRequest(decoding: &reader))
        case 2: self = .put(try PutRequest(decoding: &reader))
        case 3: self = .deleteRange(try DeleteRangeRequest(decoding: &reader))
        case 4: self = .compact(try reader.readSigned())
        case 5: self = .grantLease(id: try reader.readSigned(), ttl: try reader.readSigned())
        case 6: self = .revokeLease(id: try reader.readSigned())
        case 7: self = .expireLease(id: try reader.readSigned())
        default: throw RaftError(.corrupt, "unknown store command")
        }
    }
}

let storeCommandVersion: UInt8 = 1

/// The applied outcome handed back to the proposer: an error, or the response's encoding.
enum CommandResult {
    static func failure(_ error: StoreError) -> [UInt8] {
        var writer = BinaryWriter(capacity: 64)
        writer.write(UInt8(0))
        error.encode(into: &writer)
        return writer.bytes
    }

    static func success(_ body: (inout BinaryWriter) -> Void) -> [UInt8] {
        var writer = BinaryWriter(capacity: 32)
        writer.write(UInt8(1))
        body(&writer)
        return writer.bytes
    }

    /// Decodes a result: the success payload's reader, or the error it carries.
    static func decode(_ bytes: [UInt8]) throws(StoreError) -> BinaryReader {
        var reader = BinaryReader(bytes)
        let failure: StoreError
        do throws(RaftError) {
            if try reader.readByte() == 1 { return reader }
            failure = try StoreError(decoding: &reader)
        } catch {
            throw StoreError(corrupt: error, "undecodable command result")
        }
        throw failure
    }
}
