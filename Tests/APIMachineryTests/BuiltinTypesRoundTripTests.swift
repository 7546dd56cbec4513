import Testing

@testable import APIMachinery

@Suite("BuiltinTypes round trips")
struct BuiltinTypesRoundTripTests {
    @Test("every built-in type has a fully populated fixture")
    func everyTypeCovered() {
        let covered = Set(BuiltinTypesFixtures.fullyPopulated.map { ObjectIdentifier($0.type) })
        let all = Set(BuiltinResources.all.map { ObjectIdentifier($0) })
        #expect(covered == all)
        #expect(BuiltinResources.all.count == 14)
    }

    @Test(
        "JSON -> value -> JSON is byte-identical and value -> JSON -> value is equal",
        arguments: BuiltinTypesFixtures.fullyPopulated.indices)
    func fullyPopulated(index: Int) throws {
        let fixture = BuiltinTypesFixtures.fullyPopulated[index]
        try Self.roundTrip(fixture.type, fixture.json)
    }

    static func roundTrip<T: Resource>(_ type: T.Type, _ json: String) throws {
        let value = try BuiltinTypesSupport.decode(T.self, json)
        let encoded = try BuiltinTypesSupport.wireJSON(value)
        #expect(encoded == json, "\(T.self)")
        let again = try BuiltinTypesSupport.decode(T.self, encoded)
        #expect(value as? AnyHashable == again as? AnyHashable, "\(T.self)")
        #expect(value as? AnyHashable != nil)
    }

    @Test("a minimal object round-trips without gaining members")
    func minimal() throws {
        let pod = Pod(metadata: .init(name: "x"), spec: .init(containers: [.init(name: "c", image: "nginx")]))
        let json = try BuiltinTypesSupport.wireJSON(pod)
        #expect(
            json == #"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"x","creationTimestamp":null},"#
                + #""spec":{"containers":[{"name":"c","image":"nginx"}]}}"#)
        #expect(try BuiltinTypesSupport.decode(Pod.self, json) == pod)
    }

    @Test("unset Go struct times are written as null and read back as unset")
    func nullTimes() throws {
        let condition = PodCondition(type: "Ready", status: "True")
        let json = try JSONValueEncoder().encode(condition).jsonString
        #expect(json == #"{"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":null}"#)
        let decoded = try JSONValueDecoder().decode(PodCondition.self, from: try JSONValue(parsing: json))
        #expect(decoded == condition)
        let absent = try JSONValueDecoder().decode(
            PodCondition.self, from: try JSONValue(parsing: #"{"type":"Ready"}"#))
        #expect(absent.lastProbeTime == nil)
        #expect(absent.type == "Ready")
    }

    @Test("strict decoding reports misspelt fields by path")
    func unknownFields() throws {
        let json = #"{"metadata":{"name":"x"},"spec":{"containers":[{"name":"c","imagee":"nginx"}]}}"#
        let collector = UnknownFieldCollector()
        _ = try JSONValueDecoder().decode(Pod.self, from: try JSONValue(parsing: json), unknownFields: collector)
        #expect(collector.unknownFields == ["spec.containers[0].imagee"])
    }
}

@Suite("Stream encoder")
struct StreamEncoderTests {
    @Test("the one-pass encoder writes exactly what the tree encoder writes", arguments: BuiltinTypesFixtures.fullyPopulated.indices)
    func streamMatchesTree(index: Int) throws {
        let fixture = BuiltinTypesFixtures.fullyPopulated[index]
        try Self.compare(fixture.type, fixture.json)
    }

    static func compare<T: Resource>(_ type: T.Type, _ json: String) throws {
        var value = try BuiltinTypesSupport.decode(T.self, json)
        value.metadata.resourceVersion = ""
        let codec = ObjectCodec(type: .typed(T.self))
        let streamed = try codec.storedBytes(value as any APIObject)
        let tree = codec.storedBytes(try codec.tree(value))
        #expect(String(decoding: streamed, as: UTF8.self) == String(decoding: tree, as: UTF8.self))
    }

    struct Unusual: Encodable {
        var small: Int8 = -3
        var unsigned: [UInt16] = [1, 2]
        var ratio: Float = 0.5
        var nested = Nested()
        struct Nested: Encodable {
            var a = 1
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: AnyCodingKey.self)
                var inner = container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey("inner"))
                try inner.encode(a, forKey: AnyCodingKey("a"))
            }
        }
    }

    @Test func unusualShapesFallBackOrStreamIdentically() throws {
        let streamed = try JSONStreamEncoder.encode(Unusual())
        let tree = try JSONValueEncoder().encode(Unusual()).serialized()
        #expect(String(decoding: streamed, as: UTF8.self) == String(decoding: tree, as: UTF8.self))
        #expect(String(decoding: streamed, as: UTF8.self) == #"{"small":-3,"unsigned":[1,2],"ratio":0.5,"nested":{"inner":{"a":1}}}"#)
    }
}
