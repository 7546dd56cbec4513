import Raft

// The binary forms of requests and responses that travel through the Raft log (commands) and back to
// the proposer (results). Varints throughout; signed values as their bit patterns.

extension BinaryWriter {
    mutating func writeSigned(_ value: Int64) { writeVarint(UInt64(bitPattern: value)) }
}

extension BinaryReader {
    mutating func readSigned() throws(RaftError) -> Int64 { Int64(bitPattern: try readVarint()) }
}

extension KeyValue {
    func encode(into writer: inout BinaryWriter, withKey: Bool = true) {
        if withKey { writer.writeBytes(key) }
        writer.writeSigned(createRevision)
        writer.writeSigned(modRevision)
        writer.writeSigned(version)
        writer.writeSigned(lease)
        writer.writeVarint(UInt64(UInt32(bitPattern: subRevision)))
        writer.writeBytes(value)
    }

    init(decoding reader: inout BinaryReader, key knownKey: [UInt8]? = nil) throws(RaftError) {
        let key: [UInt8]
        if let knownKey { key = knownKey } else { key = try reader.readBytes() }
        let createRevision = try reader.readSigned()
        let modRevision = try reader.readSigned()
        let version = try reader.readSigned()
        let lease = try reader.readSigned()
        let sub = Int32(bitPattern: UInt32(truncatingIfNeeded: try reader.readVarint()))
        let value = try reader.readBytes()
        self.init(key: key, createRevision: createRevision, modRevision: modRevision, version: version, value: value, lease: lease)
        subRevision = sub
    }
}

extension ResponseHeader {
    func encode(into writer: inout BinaryWriter) {
        writer.writeSigned(revision)
        writer.writeVarint(raftTerm)
        writer.writeVarint(memberID)
    }

    init(decoding reader: inout BinaryReader) throws(RaftError) {
        self.init(revision: try reader.readSigned(), raftTerm: try reader.readVarint(), memberID: try reader.readVarint())
    }
}

extension RangeRequest {
    func encode(into writer: inout BinaryWriter) {
        writer.writeBytes(key)
        writer.writeBytes(rangeEnd)
        writer.writeSigned(limit)
        writer.writeSigned(revision)
        writer.write(sortOrder.rawValue)
        writer.write(sortTarget.rawValue)
        writer.write(UInt8((serializable ? 1 : 0) | (keysOnly ? 2 : 0) | (countOnly ? 4 : 0)))
        writer.writeSigned(minModRevision)
        writer.writeSigned(maxModRevision)
        writer.writeSigned(minCreateRevision)
        writer.writeSigned(maxCreateRevision)
    }

    init(decoding reader: inout BinaryReader) throws(RaftError) {
        self.init(key: try reader.readBytes())
        rangeEnd = try reader.readBytes()
        limit = try reader.readSigned()
        revision = try reader.readSigned()
        guard let order = SortOrder(rawValue: try reader.readByte()), let target = SortTarget(rawValue: try reader.readByte())
        else { throw RaftError(.corrupt, "bad sort option in a range request") }
        sortOrder = order
        sortTarget = target
        let flags = try reader.readByte()
        serializable = flags & 1 != 0
        keysOnly = flags & 2 != 0
        countOnly = flags & 4 != 0
        minModRevision = try reader.readSigned()
        maxModRevision = try reader.readSigned()
        minCreateRevision = try reader.readSigned()
        maxCreateRevision = try reader.readSigned()
    }
}

extension PutRequest {
    func encode(into writer: inout BinaryWriter) {
        writer.writeBytes(key)
        writer.writeBytes(value)
        writer.writeSigned(lease)
        writer.write(UInt8((prevKV ? 1 : 0) | (ignoreValue ? 2 : 0) | (ignoreLease ? 4 : 0)))
    }

    init(decoding reader: inout BinaryReader) throws(RaftError) {
        let key = try reader.readBytes()
        let value = try reader.readBytes()
        let lease = try reader.readSigned()
        let flags = try reader.readByte()
        self.init(key: key, value: value, lease: lease, prevKV: flags & 1 != 0, ignoreValue: flags & 2 != 0, ignoreLease: flags & 4 != 0)
    }
}

extension DeleteRangeRequest {
    func encode(into writer: inout BinaryWriter) {
        writer.writeBytes(key)
        writer.writeBytes(rangeEnd)
        writer.write(prevKV)
    }

    init(decoding reader: inout BinaryReader) throws(RaftError) {
        self.init(key: try reader.readBytes(), rangeEnd: try reader.readBytes(), prevKV: try reader.readBool())
    }
}

extension Compare {
    func encode(into writer: inout BinaryWriter) {
        writer.writeBytes(key)
        writer.writeBytes(rangeEnd)
        writer.write(result.rawValue)
        switch target {
        case .version(let v):
            writer.write(UInt8(0))
            writer.writeSigned(v)
        case .createRevision(let r):
            writer.write(UInt8(1))
            writer.writeSigned(r)
        case .modRevision(let r):
            writer.write(UInt8(2))
            writer.writeSigned(r)
        case .value(let v):
            writer.write(UInt8(3))
            writer.writeBytes(v)
        case .lease(let l):
            writer.write(UInt8(4))
            writer.writeSigned(l)
        }
    }

    init(decoding reader: inout BinaryReader) throws(RaftError) {
        let key = try reader.readBytes()
        let rangeEnd = try reader.readBytes()
        guard let result = Result(rawValue: try reader.readByte()) else { throw RaftError(.corrupt, "bad compare result") }
        let target: Target
        switch try reader.readByte() {
        case 0: target = .version(try reader.readSigned())
        case 1: target = .createRevision(try reader.readSigned())
        case 2: target = .modRevision(try reader.readSigned())
        case 3: target = .value(try reader.readBytes())
        case 4: target = .lease(try reader.readSigned())
        default: throw RaftError(.corrupt, "bad compare target")
        }
        self.init(key: key, rangeEnd: rangeEnd, target, result)
    }
}

extension TxnRequest {
    func encode(into writer: inout BinaryWriter) {
        writer.writeVarint(UInt64(compare.count))
        for c in compare { c.encode(into: &writer) }
        Self.encode(success, into: &writer)
        Self.encode(failure, into: &writer)
    }

    static func encode(_ ops: [RequestOp], into writer: inout BinaryWriter) {
        writer.writeVarint(UInt64(ops.count))
        for op in ops {
            switch op {
            case .range(let r):
                writer.write(UInt8(0))
                r.encode(into: &writer)
            case .put(let p):
                writer.write(UInt8(1))
                p.encode(into: &writer)
            case .deleteRange(let d):
                writer.write(UInt8(2))
                d.encode(into: &writer)
            case .txn(let t):
                writer.write(UInt8(3))
                t.encode(into: &writer)
            }
        }
    }

    init(decoding reader: inout BinaryReader) throws(RaftError) {
        var compare: [Compare] = []
        for _ in 0..<(try reader.readCount(minimumElementSize: 4)) { compare.append(try Compare(decoding: &reader)) }
        self.init(compare: compare, success: try Self.decodeOps(&reader), failure: try Self.decodeOps(&reader))
    }

    static func decodeOps(_ reader: inout BinaryReader) throws(RaftError) -> [RequestOp] {
        var ops: [RequestOp] = []
        for _ in 0..<(try reader.readCount(minimumElementSize: 2)) {
            switch try reader.readByte() {
            case 0: ops.append(.range(try RangeRequest(decoding: &reader)))
            case 1: ops.append(.put(try PutRequest(decoding: &reader)))
            case 2: ops.append(.deleteRange(try DeleteRangeRequest(decoding: &reader)))
            case 3: ops.append(.txn(try TxnRequest(decoding: &reader)))
            default: throw RaftError(.corrupt, "bad transaction operation")
            }
        }
        return ops
    }
}

extension Optional where Wrapped == KeyValue {
    func encode(into writer: inout BinaryWriter) {
        if let kv = self {
            writer.write(true)
            kv.encode(into: &writer)
        } else {
            writer.write(false)
        }
    }

    init(decoding reader: inout BinaryReader) throws(RaftError) {
        self = try reader.readBool() ? try KeyValue(decoding: &reader) : nil
    }
}

func encodeKVs(_ kvs: [KeyValue], into writer: inout BinaryWriter) {
    writer.writeVarint(UInt64(kvs.count))
    for kv in kvs { kv.encode(into: &writer) }
}

func decodeKVs(_ reader: inout BinaryReader) throws(RaftError) -> [KeyValue] {
    var kvs: [KeyValue] = []
    let count = try reader.readCount(minimumElementSize: 7)
    kvs.reserveCapacity(count)
    for _ in 0..<count { kvs.append(try KeyValue(decoding: &reader)) }
    return kvs
}

extension TxnResponse {
    func encode(into writer: inout BinaryWriter) {
        header.encode(into: &writer)
        writer.write(succeeded)
        writer.writeVarint(UInt64(responses.count))
        for response in responses {
            switch response {
            case .range(let r):
                writer.write(UInt8(0))
                r.header.encode(into: &writer)
                encodeKVs(r.kvs, into: &writer)
                writer.write(r.more)
                writer.writeSigned(r.count)
            case .put(let p):
                writer.write(UInt8(1))
                p.header.encode(into: &writer)
                p.prevKV.encode(into: &writer)
            case .deleteRange(let d):
                writer.write(UInt8(2))
                d.header.encode(into: &writer)
                writer.writeSigned(d.deleted)
                encodeKVs(d.prevKVs, into: &writer)
            case .txn(let t):
                writer.write(UInt8(3))
                t.encode(into: &writer)
            }
        }
    }

    init(decoding reader: inout BinaryReader) throws(RaftError) {
        let header = try ResponseHeader(decoding: &reader)
        let succeeded = try reader.readBool()
        var responses: [ResponseOp] = []
        for _ in 0..<(try reader.readCount(minimumElementSize: 4)) {
            switch try reader.readByte() {
            case 0:
                let h = try ResponseHeader(decoding: &reader)
                let kvs = try decodeKVs(&reader)
                responses.append(.range(RangeResponse(header: h, kvs: kvs, more: try reader.readBool(), count: try reader.readSigned())))
            case 1:
                let h = try ResponseHeader(decoding: &reader)
                responses.append(.put(PutResponse(header: h, prevKV: try Optional<KeyValue>(decoding: &reader))))
            case 2:
                let h = try ResponseHeader(decoding: &reader)
                let deleted = try reader.readSigned()
                responses.append(.deleteRange(DeleteRangeResponse(header: h, deleted: deleted, prevKVs: try decodeKVs(&reader))))
            case 3:
                responses.append(.txn(try TxnResponse(decoding: &reader)))
            default:
                throw RaftError(.corrupt, "bad transaction response")
            }
        }
        self.init(header: header, succeeded: succeeded, responses: responses)
    }
}

extension StoreError {
    static let wireCodes: [Code] = [
        .invalidArgument, .emptyKey, .keyTooLarge, .requestTooLarge, .tooManyOperations, .duplicateKey, .keyNotFound,
        .compacted, .futureRevision, .leaseNotFound, .leaseExists, .leaseTTLTooLarge, .notLeader, .unavailable, .timeout,
        .corrupt, .shuttingDown,
    ]

    func encode(into writer: inout BinaryWriter) {
        writer.write(UInt8(Self.wireCodes.firstIndex(of: code) ?? 0))
        writer.writeBytes(Array(message.utf8))
        writer.writeSigned(compactRevision)
        writer.writeVarint(leaderHint)
    }

    init(decoding reader: inout BinaryReader) throws(RaftError) {
        let index = Int(try reader.readByte())
        guard index < Self.wireCodes.count else { throw RaftError(.corrupt, "bad error code") }
        let message = String(decoding: try reader.readBytes(), as: UTF8.self)
        self.init(Self.wireCodes[index], message, compactRevision: try reader.readSigned(), leaderHint: try reader.readVarint())
    }

    /// A decoding failure of data this store wrote itself.
    init(corrupt error: RaftError, _ what: String) {
        self.init(.corrupt, "\(what): \(error.message)")
    }
}
