import Testing

@testable import APIMachinery

private struct CodedContainer: Codable, Equatable {
    var name: String
    var image: String?
    var ports: [CodedPort]?
}

private struct CodedPort: Codable, Equatable {
    var containerPort: Int32
    var name: String?
}

private struct CodedPodSpec: Codable, Equatable {
    var containers: [CodedContainer]
    var nodeName: String?
}

private struct CodedPod: Codable, Equatable {
    var kind: String
    var spec: CodedPodSpec
    var labels: [String: String]?
}

/// A type writing itself through nested, unkeyed and super containers.
private struct CodedCustom: Codable, Equatable {
    var a: Int
    var pair: (String, String)
    var base: String

    enum Keys: String, CodingKey { case a, inner, list, `super` }
    enum InnerKeys: String, CodingKey { case x }

    init(a: Int, pair: (String, String), base: String) {
        self.a = a
        self.pair = pair
        self.base = base
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(a, forKey: .a)
        var inner = container.nestedContainer(keyedBy: InnerKeys.self, forKey: .inner)
        try inner.encode(pair.0, forKey: .x)
        var list = container.nestedUnkeyedContainer(forKey: .list)
        try list.encode(pair.1)
        var nested = list.nestedContainer(keyedBy: InnerKeys.self)
        try nested.encode("deep", forKey: .x)
        var superContainer = container.superEncoder().singleValueContainer()
        try superContainer.encode(base)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        a = try container.decode(Int.self, forKey: .a)
        let inner = try container.nestedContainer(keyedBy: InnerKeys.self, forKey: .inner)
        var list = try container.nestedUnkeyedContainer(forKey: .list)
        pair = (try inner.decode(String.self, forKey: .x), try list.decode(String.self))
        let nested = try list.nestedContainer(keyedBy: InnerKeys.self)
        _ = try nested.decode(String.self, forKey: .x)
        base = try container.superDecoder().singleValueContainer().decode(String.self)
    }

    static func == (lhs: CodedCustom, rhs: CodedCustom) -> Bool {
        lhs.a == rhs.a && lhs.pair == rhs.pair && lhs.base == rhs.base
    }
}

private struct CodedNumbers: Codable, Equatable {
    var i8: Int8
    var u16: UInt16
    var u64: UInt64
    var f: Float
    var d: Double
    var bytes: [UInt8]
    var floats: [Float]
    var small: [Int16]
}

private struct CodedNarrow: Codable {
    var n: Int32
}

@Suite("JSON encoder and decoder")
struct JSONCodingTests {
    let encoder = JSONValueEncoder()
    let decoder = JSONValueDecoder()

    @Test func optionalsAreOmittedAndFieldsKeepDeclarationOrder() throws {
        let pod = CodedPod(kind: "Pod", spec: CodedPodSpec(containers: [CodedContainer(name: "a")]), labels: nil)
        let encoded = try encoder.encode(pod)
        #expect(encoded.jsonString == #"{"kind":"Pod","spec":{"containers":[{"name":"a"}]}}"#)
        #expect(try decoder.decode(CodedPod.self, from: encoded) == pod)
    }

    @Test func dictionariesHaveSortedKeys() throws {
        let labels = ["zone": "b", "app": "web", "Tier": "x", "env": "prod"]
        #expect(try encoder.encode(labels).jsonString == #"{"Tier":"x","app":"web","env":"prod","zone":"b"}"#)
        let counts: [String: Int] = ["b": 2, "a": 1, "c": 3]
        #expect(try encoder.encode(counts).jsonString == #"{"a":1,"b":2,"c":3}"#)
        let nested: [String: [String: Bool]] = ["y": ["b": true, "a": false], "x": [:]]
        #expect(try encoder.encode(nested).jsonString == #"{"x":{},"y":{"a":false,"b":true}}"#)
        let pod = CodedPod(kind: "Pod", spec: CodedPodSpec(containers: []), labels: ["b": "2", "a": "1"])
        #expect(
            try encoder.encode(pod).jsonString == #"{"kind":"Pod","spec":{"containers":[]},"labels":{"a":"1","b":"2"}}"#
        )
        #expect(try decoder.decode([String: Int].self, from: try encoder.encode(counts)) == counts)
    }

    @Test func nestedUnkeyedAndSuperContainers() throws {
        let value = CodedCustom(a: 1, pair: ("p", "q"), base: "base")
        let encoded = try encoder.encode(value)
        #expect(encoded.jsonString == #"{"a":1,"inner":{"x":"p"},"list":["q",{"x":"deep"}],"super":"base"}"#)
        #expect(try decoder.decode(CodedCustom.self, from: encoded) == value)
    }

    @Test func otherNumericTypes() throws {
        let value = CodedNumbers(
            i8: -8, u16: 65535, u64: 42, f: 1.5, d: 0.25, bytes: [0, 255], floats: [0.5, 2], small: [-1, 1])
        let encoded = try encoder.encode(value)
        #expect(
            encoded.jsonString
                == #"{"i8":-8,"u16":65535,"u64":42,"f":1.5,"d":0.25,"bytes":[0,255],"floats":[0.5,2],"small":[-1,1]}"#)
        #expect(try decoder.decode(CodedNumbers.self, from: encoded) == value)
        #expect(try encoder.encode(UInt64.max) == .double(1.8446744073709552e19))
        #expect(throws: DecodingError.self) { try decoder.decode(UInt8.self, from: 256) }
        #expect(throws: DecodingError.self) { try decoder.decode(Int8.self, from: 1.5) }
    }

    @Test func int32OverflowIsRejected() throws {
        #expect(try decoder.decode(CodedNarrow.self, from: ["n": 2_147_483_647]).n == .max)
        #expect(try decoder.decode(CodedNarrow.self, from: ["n": 5.0]).n == 5)
        do {
            _ = try decoder.decode(CodedNarrow.self, from: ["n": 2_147_483_648])
            Issue.record("expected an error")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["n"])
        }
        #expect(throws: DecodingError.self) { try decoder.decode(CodedNarrow.self, from: ["n": 1e10]) }
    }

    @Test func typeMismatchCarriesTheCodingPath() throws {
        let document = try JSONValue(parsing: #"{"kind":"Pod","spec":{"containers":[{"name":"a"},{"name":5}]}}"#)
        do {
            _ = try decoder.decode(CodedPod.self, from: document)
            Issue.record("expected an error")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(UnknownFieldCollector.render(context.codingPath) == "spec.containers[1].name")
            #expect(context.debugDescription.contains("number"))
        }
        do {
            _ = try decoder.decode(
                CodedPod.self, from: try JSONValue(parsing: #"{"kind":"Pod","spec":{"containers":{}}}"#))
            Issue.record("expected an error")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(UnknownFieldCollector.render(context.codingPath) == "spec.containers")
        }
        do {
            _ = try decoder.decode(
                CodedPod.self, from: try JSONValue(parsing: #"{"kind":"Pod","spec":{"containers":[{}]}}"#))
            Issue.record("expected an error")
        } catch DecodingError.keyNotFound(let key, let context) {
            #expect(key.stringValue == "name")
            #expect(UnknownFieldCollector.render(context.codingPath) == "spec.containers[0]")
        }
    }

    @Test func strictDecodingReportsUnknownFieldsByPath() throws {
        let document = try JSONValue(
            parsing: #"""
                {"kind":"Pod","extra":1,
                 "spec":{"containers":[{"name":"a","image":"x"},{"name":"b","imagee":"y","ports":[{"containerPort":80,"hostPort":1}]}],
                         "nodeName":"n"},
                 "labels":{"free":"form"}}
                """#)
        let collector = UnknownFieldCollector()
        let pod = try decoder.decode(CodedPod.self, from: document, unknownFields: collector)
        #expect(pod.spec.containers.count == 2)
        #expect(
            collector.unknownFields == ["extra", "spec.containers[1].imagee", "spec.containers[1].ports[0].hostPort"])

        let clean = UnknownFieldCollector()
        _ = try decoder.decode(CodedPod.self, from: try encoder.encode(pod), unknownFields: clean)
        #expect(clean.unknownFields.isEmpty)
    }

    @Test func unknownFieldsInsideJSONValueMembersAreNotReported() throws {
        struct Wrapper: Codable {
            var name: String
            var raw: JSONValue?
        }
        let collector = UnknownFieldCollector()
        let value = try decoder.decode(
            Wrapper.self, from: ["name": "n", "raw": ["anything": ["goes": true]], "bogus": 1],
            unknownFields: collector)
        #expect(value.raw == ["anything": ["goes": true]])
        #expect(collector.unknownFields == ["bogus"])
    }

    @Test func decodeFromBytes() throws {
        let pod = try decoder.decode(CodedPod.self, from: Array(#"{"kind":"Pod","spec":{"containers":[]}}"#.utf8))
        #expect(pod.kind == "Pod")
        #expect(throws: JSONSyntaxError.self) { try decoder.decode(CodedPod.self, from: Array("{".utf8)) }
        #expect(try encoder.encodeBytes(pod) == Array(#"{"kind":"Pod","spec":{"containers":[]}}"#.utf8))
    }
}
