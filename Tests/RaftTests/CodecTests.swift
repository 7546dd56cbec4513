import Testing

@testable import Raft

/// The versioned binary encoding of messages, entries and state, and the CRC-32C checksum.
/// Values are generated from seeded generators, so every run checks the same (many) cases.
@Suite struct CodecTests {
    // MARK: Random values

    struct Generator {
        var rng: SplitMix64

        init(seed: UInt64) { rng = SplitMix64(seed: seed) }

        mutating func below(_ n: UInt64) -> UInt64 { rng.next() % n }

        mutating func bool() -> Bool { rng.next() & 1 == 1 }

        /// Integers from every varint length class, including the extremes.
        mutating func u64() -> UInt64 {
            switch below(6) {
            case 0: return below(3)
            case 1: return below(200)
            case 2: return UInt64.max - below(3)
            case 3: return 1 << below(64)
            case 4: return (1 << below(64)) &- 1
            default: return rng.next()
            }
        }

        mutating func bytes(max: UInt64 = 40) -> [UInt8] {
            (0..<below(max + 1)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        }

        mutating func ids() -> [NodeID] {
            (0..<below(5)).map { _ in u64() }
        }

        mutating func entry() -> Entry {
            Entry(term: u64(), index: u64(), kind: bool() ? .normal : .confChange, data: bytes())
        }

        mutating func hardState() -> HardState {
            HardState(term: u64(), vote: u64(), commit: u64())
        }

        mutating func confState() -> ConfState {
            ConfState(voters: ids(), learners: ids(), votersOutgoing: ids(), learnersNext: ids(), autoLeave: bool())
        }

        mutating func metadata() -> SnapshotMetadata {
            SnapshotMetadata(index: u64(), term: u64(), confState: confState())
        }

        mutating func snapshot() -> Snapshot {
            Snapshot(metadata: metadata(), data: bytes(max: 100))
        }

        mutating func confChange() -> ConfChange {
            let transitions: [ConfChange.Transition] = [.auto, .jointImplicit, .jointExplicit]
            let kinds: [ConfChangeSingle.Kind] = [.addVoter, .removeNode, .addLearner]
            let changes = (0..<below(5)).map { _ in
                ConfChangeSingle(kinds[Int(below(3))], u64())
            }
            return ConfChange(transition: transitions[Int(below(3))], changes: changes, context: bytes())
        }

        mutating func message(kind: MessageKind) -> Message {
            Message(
                kind: kind,
                from: u64(),
                to: u64(),
                term: u64(),
                logTerm: u64(),
                index: u64(),
                entries: (0..<below(4)).map { _ in entry() },
                commit: u64(),
                reject: bool(),
                rejectHint: u64(),
                snapshot: below(4) == 0 ? snapshot() : nil,
                context: bytes(max: 20)
            )
        }
    }

    /// Values of one type, with their top-level encoding and decoding.
    struct Codec<Value: Equatable> {
        var name: String
        var generate: (inout Generator) -> Value
        var encode: (Value) -> [UInt8]
        var decode: ([UInt8]) throws -> Value
    }

    /// Types without a top-level encoding (they are always embedded) get one here: version byte,
    /// value, end of input — the same framing the top-level decoders use.
    static func framed<Value>(_ encode: @escaping (Value, inout BinaryWriter) -> Void) -> (Value) -> [UInt8] {
        { value in
            var writer = BinaryWriter()
            writer.write(raftCodecVersion)
            encode(value, &writer)
            return writer.bytes
        }
    }

    static func unframed<Value>(_ decode: @escaping (inout BinaryReader) throws -> Value) -> ([UInt8]) throws -> Value {
        { bytes in
            var reader = BinaryReader(bytes)
            try checkVersion(&reader)
            let value = try decode(&reader)
            try checkEnd(reader)
            return value
        }
    }

    enum Kind: String, CaseIterable, Sendable {
        case entry, hardState, confState, snapshotMetadata, snapshot, confChange, message
    }

    /// For `kind`, `count` random values: their encodings and a function that decodes bytes and
    /// re-encodes the result (so values of different types can be handled uniformly).
    static func samples(_ kind: Kind, seed: UInt64, count: Int) -> (encodings: [[UInt8]], roundTrip: ([UInt8]) throws -> [UInt8], equalAfterRoundTrip: Bool) {
        var gen = Generator(seed: seed)
        func run<V: Equatable>(_ codec: Codec<V>) -> ([[UInt8]], ([UInt8]) throws -> [UInt8], Bool) {
            var encodings: [[UInt8]] = []
            var allEqual = true
            for _ in 0..<count {
                let value = codec.generate(&gen)
                let bytes = codec.encode(value)
                encodings.append(bytes)
                if (try? codec.decode(bytes)) != value { allEqual = false }
            }
            return (encodings, { bytes in codec.encode(try codec.decode(bytes)) }, allEqual)
        }
        switch kind {
        case .entry:
            return run(Codec(name: "Entry", generate: { $0.entry() }, encode: { $0.encoded() }, decode: { try Entry(decoding: $0) }))
        case .hardState:
            return run(
                Codec(name: "HardState", generate: { $0.hardState() }, encode: { $0.encoded() }, decode: { try HardState(decoding: $0) })
            )
        case .confState:
            return run(
                Codec(
                    name: "ConfState",
                    generate: { $0.confState() },
                    encode: framed { $0.encode(into: &$1) },
                    decode: unframed { try ConfState(decoding: &$0) }
                )
            )
        case .snapshotMetadata:
            return run(
                Codec(
                    name: "SnapshotMetadata",
                    generate: { $0.metadata() },
                    encode: { $0.encoded() },
                    decode: { try SnapshotMetadata(decoding: $0) }
                )
            )
        case .snapshot:
            return run(
                Codec(
                    name: "Snapshot",
                    generate: { $0.snapshot() },
                    encode: framed { $0.encode(into: &$1) },
                    decode: unframed { try Snapshot(decoding: &$0) }
                )
            )
        case .confChange:
            return run(
                Codec(name: "ConfChange", generate: { $0.confChange() }, encode: { $0.encoded() }, decode: { try ConfChange(decoding: $0) })
            )
        case .message:
            let kinds = MessageKind.allCases
            return run(
                Codec(
                    name: "Message",
                    generate: { g in
                        let kind = kinds[Int(g.below(UInt64(kinds.count)))]
                        return g.message(kind: kind)
                    },
                    encode: { $0.encoded() },
                    decode: { try Message(decoding: $0) }
                )
            )
        }
    }

    // MARK: Round trips

    @Test(arguments: Kind.allCases)
    func roundTripsRandomValues(_ kind: Kind) {
        let (_, _, equal) = Self.samples(kind, seed: 0xC0DEC, count: 500)
        #expect(equal, "\(kind): some value did not survive encoding and decoding")
    }

    /// Every message kind, with and without entries and a snapshot, and all fields at extremes.
    @Test(arguments: MessageKind.allCases)
    func roundTripsEveryMessageKind(_ kind: MessageKind) throws {
        var gen = Generator(seed: UInt64(kind.rawValue))
        for _ in 0..<100 {
            let m = gen.message(kind: kind)
            #expect(try Message(decoding: m.encoded()) == m)
        }
        let empty = Message(kind: kind)
        #expect(try Message(decoding: empty.encoded()) == empty)
        let extreme = Message(
            kind: kind,
            from: .max,
            to: .max,
            term: .max,
            logTerm: .max,
            index: .max,
            entries: [Entry(term: .max, index: .max, kind: .confChange, data: [0, 255])],
            commit: .max,
            reject: true,
            rejectHint: .max,
            snapshot: Snapshot(
                metadata: SnapshotMetadata(
                    index: .max,
                    term: .max,
                    confState: ConfState(voters: [.max], learners: [1], votersOutgoing: [2], learnersNext: [3], autoLeave: true)
                ),
                data: [1]
            ),
            context: campaignTransferContext
        )
        #expect(try Message(decoding: extreme.encoded()) == extreme)
    }

    @Test func roundTripsEmptyValues() throws {
        #expect(try Entry(decoding: Entry().encoded()) == Entry())
        #expect(try HardState(decoding: HardState().encoded()) == HardState())
        #expect(try SnapshotMetadata(decoding: SnapshotMetadata().encoded()) == SnapshotMetadata())
        #expect(try ConfChange(decoding: ConfChange.leaveJoint.encoded()) == ConfChange.leaveJoint)
    }

    /// The format is on disk and on the wire: pin a few encodings byte for byte.
    @Test func goldenEncodings() {
        #expect(HardState(term: 1, vote: 2, commit: 3).encoded() == [1, 1, 2, 3])
        #expect(Entry(term: 300, index: 1, kind: .confChange, data: [0xAA]).encoded() == [1, 0xAC, 0x02, 1, 1, 1, 0xAA])
        #expect(
            ConfChange.single(.addLearner, 7, context: [9]).encoded() == [1, 0, 1, 2, 7, 1, 9]
        )
        #expect(
            Message(kind: .heartbeat, from: 1, to: 2, term: 3, index: 4, commit: 5).encoded()
                == [1, 9, 1, 2, 3, 0, 4, 5, 0, 0, 0, 0, 0]
        )
        var max = BinaryWriter()
        max.writeVarint(.max)
        #expect(max.bytes == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
    }

    // MARK: Refusing bad input

    @Test(arguments: Kind.allCases)
    func refusesUnknownVersion(_ kind: Kind) {
        let (encodings, roundTrip, _) = Self.samples(kind, seed: 7, count: 20)
        for bytes in encodings {
            for version: UInt8 in [0, 2, 0x7F, 0xFF] where version != raftCodecVersion {
                var altered = bytes
                altered[0] = version
                #expect(errorCode { try roundTrip(altered) } == .corrupt)
            }
        }
        #expect(errorCode { try roundTrip([]) } == .corrupt)
    }

    /// Every strict prefix of a valid encoding is refused as corrupt (and never crashes).
    @Test(arguments: Kind.allCases)
    func refusesTruncatedInputAtEveryLength(_ kind: Kind) {
        let (encodings, roundTrip, _) = Self.samples(kind, seed: 11, count: 40)
        for bytes in encodings {
            for length in 0..<bytes.count {
                let code = errorCode { try roundTrip(Array(bytes[..<length])) }
                if code != .corrupt {
                    Issue.record("\(kind): prefix of \(length) of \(bytes.count) bytes gave \(String(describing: code))")
                    return
                }
            }
            #expect(errorCode { try roundTrip(bytes) } == nil)
        }
    }

    @Test(arguments: Kind.allCases)
    func refusesTrailingBytes(_ kind: Kind) {
        let (encodings, roundTrip, _) = Self.samples(kind, seed: 13, count: 20)
        for bytes in encodings {
            #expect(errorCode { try roundTrip(bytes + [0]) } == .corrupt)
            #expect(errorCode { try roundTrip(bytes + [1, 2, 3]) } == .corrupt)
        }
    }

    /// Random corruption (flipped, inserted, deleted bytes) is either refused as corrupt or decodes to
    /// a value that itself round-trips; it never crashes or allocates absurdly.
    @Test(arguments: Kind.allCases)
    func survivesRandomCorruption(_ kind: Kind) {
        let (encodings, roundTrip, _) = Self.samples(kind, seed: 17, count: 100)
        var rng = SplitMix64(seed: 19)
        for bytes in encodings {
            for _ in 0..<20 {
                var altered = bytes
                for _ in 0...(rng.next() % 3) {
                    let position = Int(rng.next() % UInt64(altered.count + 1))
                    switch rng.next() % 3 {
                    case 0 where position < altered.count:
                        altered[position] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                    case 1:
                        altered.insert(UInt8(truncatingIfNeeded: rng.next()), at: position)
                    default:
                        if position < altered.count { altered.remove(at: position) }
                    }
                }
                do {
                    let reencoded = try roundTrip(altered)
                    // Whatever decoded must be stable from then on.
                    #expect(try roundTrip(reencoded) == reencoded)
                } catch let error as RaftError {
                    #expect(error.code == .corrupt)
                } catch {
                    Issue.record("unexpected error type: \(error)")
                }
            }
        }
    }

    @Test func refusesAbsurdLengthPrefixes() {
        var writer = BinaryWriter()
        // Entry whose data claims 2^63 bytes.
        writer.write(raftCodecVersion)
        writer.writeVarint(1)
        writer.writeVarint(1)
        writer.write(EntryKind.normal.rawValue)
        writer.writeVarint(1 << 63)
        writer.write(UInt8(0))
        #expect(errorCode { try Entry(decoding: writer.bytes) } == .corrupt)

        // Entry whose data claims one byte more than there is.
        var short = Entry(term: 1, index: 1, data: [1, 2, 3]).encoded()
        short[4] = 4
        #expect(errorCode { try Entry(decoding: short) } == .corrupt)

        // Message claiming UInt64.max entries.
        var message = BinaryWriter()
        message.write(raftCodecVersion)
        message.write(MessageKind.append.rawValue)
        for _ in 0..<6 { message.writeVarint(1) }  // from, to, term, logTerm, index, commit
        message.write(false)
        message.writeVarint(0)  // rejectHint
        message.writeVarint(.max)  // entry count
        #expect(errorCode { try Message(decoding: message.bytes + [0, 0, 0, 0]) } == .corrupt)

        // Message whose context claims more than remains.
        var context = Message(kind: .heartbeat, context: [1, 2]).encoded()
        context[context.count - 3] = 100
        #expect(errorCode { try Message(decoding: context) } == .corrupt)

        // Conf change with a huge change count; conf state with a huge voter count.
        #expect(errorCode { try ConfChange(decoding: [raftCodecVersion, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0]) } == .corrupt)
        #expect(
            errorCode { try SnapshotMetadata(decoding: [raftCodecVersion, 1, 1, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0]) }
                == .corrupt
        )
    }

    @Test func refusesMalformedFields() throws {
        // Unknown enum values.
        #expect(errorCode { try Entry(decoding: [raftCodecVersion, 1, 1, 7, 0]) } == .corrupt)
        #expect(errorCode { try Message(decoding: [raftCodecVersion, 0] + [UInt8](repeating: 0, count: 12)) } == .corrupt)
        #expect(errorCode { try Message(decoding: [raftCodecVersion, 15] + [UInt8](repeating: 0, count: 12)) } == .corrupt)
        #expect(errorCode { try ConfChange(decoding: [raftCodecVersion, 3, 0, 0]) } == .corrupt)
        #expect(errorCode { try ConfChange(decoding: [raftCodecVersion, 0, 1, 3, 1, 0]) } == .corrupt)
        // A boolean that is neither 0 nor 1.
        var heartbeat = Message(kind: .heartbeat).encoded()
        heartbeat[8] = 2  // reject
        #expect(errorCode { try Message(decoding: heartbeat) } == .corrupt)
        // Varints longer than 64 bits.
        var reader = BinaryReader([UInt8](repeating: 0xFF, count: 11))
        #expect(errorCode { try reader.readVarint() } == .corrupt)
        var overflow = BinaryReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02])
        #expect(errorCode { try overflow.readVarint() } == .corrupt)
        var maximal = BinaryReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(try maximal.readVarint() == .max)
        #expect(maximal.isAtEnd)
    }

    @Test func readerPrimitives() throws {
        var writer = BinaryWriter()
        writer.writeFixed32(0xDEAD_BEEF)
        writer.writeFixed64(0x0102_0304_0506_0708)
        writer.write(true)
        writer.writeIDs([1, 300, .max])
        writer.writeBytes([9, 8, 7])
        #expect(Array(writer.bytes[0..<4]) == [0xEF, 0xBE, 0xAD, 0xDE])
        var reader = BinaryReader(writer.bytes)
        #expect(try reader.readFixed32() == 0xDEAD_BEEF)
        #expect(try reader.readFixed64() == 0x0102_0304_0506_0708)
        #expect(try reader.readBool())
        #expect(try reader.readIDs() == [1, 300, .max])
        #expect(try reader.readBytes() == [9, 8, 7])
        #expect(reader.isAtEnd)
        #expect(errorCode { try reader.readByte() } == .corrupt)
        var short = BinaryReader([1, 2, 3])
        #expect(errorCode { try short.readFixed32() } == .corrupt)
        #expect(errorCode { try short.readFixed64() } == .corrupt)
    }

    // MARK: CRC-32C

    /// Bit-at-a-time reference implementation of CRC-32C (reflected polynomial 0x82F63B78).
    static func referenceCRC(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }

    @Test func crc32cKnownVectors() {
        #expect(CRC32C.checksum([]) == 0)
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        // RFC 3720, appendix B.4.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
        #expect(Self.referenceCRC(Array("123456789".utf8)) == 0xE306_9283)
    }

    /// The sliced implementation agrees with the bitwise one at every length (covering the 8-byte
    /// blocks and every tail).
    @Test func crc32cMatchesReference() {
        var gen = Generator(seed: 0xC3C)
        for length in 0..<300 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: gen.rng.next()) }
            let got = CRC32C.checksum(bytes)
            let want = Self.referenceCRC(bytes)
            if got != want {
                Issue.record("length \(length): \(got) ≠ \(want)")
                return
            }
        }
    }

    /// Extending a checksum piece by piece gives the checksum of the whole.
    @Test func crc32cIncrementalEqualsOneShot() {
        var gen = Generator(seed: 0x1C)
        for _ in 0..<200 {
            let bytes = gen.bytes(max: 200)
            let whole = CRC32C.checksum(bytes)
            let cut = Int(gen.below(UInt64(bytes.count + 1)))
            let first = CRC32C.checksum(Array(bytes[..<cut]))
            #expect(CRC32C.checksum(Array(bytes[cut...]), extending: first) == whole)
            // Three pieces, through the raw-buffer entry point.
            let cut2 = cut + Int(gen.below(UInt64(bytes.count - cut + 1)))
            var crc: UInt32 = 0
            for range in [0..<cut, cut..<cut2, cut2..<bytes.count] {
                crc = Array(bytes[range]).withUnsafeBytes { CRC32C.checksum($0, extending: crc) }
            }
            #expect(crc == whole)
        }
        // Changing any byte changes the checksum.
        let base = Array("control plane".utf8)
        for i in base.indices {
            var altered = base
            altered[i] ^= 1
            #expect(CRC32C.checksum(altered) != CRC32C.checksum(base))
        }
    }
}
