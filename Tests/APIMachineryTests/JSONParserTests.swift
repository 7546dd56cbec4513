import Testing

@testable import APIMachinery

@Suite("JSON parser (RFC 8259)")
struct JSONParserTests {
    static let validDocuments: [(String, JSONValue)] = [
        ("null", JSONValue.null),
        ("true", true),
        ("false", false),
        ("0", 0),
        ("-1", -1),
        ("1.5", 1.5),
        ("\"\"", ""),
        ("[]", []),
        ("{}", [:]),
        (" \t\r\n[ 1 , 2 ]\n ", [1, 2]),
        (#"{"a":[1,2.5,-3e2,true,false,null,"x"]}"#, ["a": [1, 2.5, -300, true, false, nil, "x"]]),
        (#"{"a":{"b":{"c":[[],{}]}}}"#, ["a": ["b": ["c": [[], [:]]]]]),
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{c}\n\r\t"),
        (#""\u00e9\u4e2d""#, "é中"),
        (#""\ud83d\ude00""#, "😀"),
        (#""\u0000""#, "\u{0}"),
        ("\"é中😀\"", "é中😀"),
        ("1E2", 100),
        ("1e+2", 100),
        ("2.5e-1", 0.25),
        ("-0.0", -0.0),
        (#"{"a":1,"a":2}"#, ["a": 2]),
    ]

    @Test("valid documents", arguments: validDocuments)
    func valid(_ text: String, _ expected: JSONValue) throws {
        #expect(try JSONValue(parsing: text) == expected)
    }

    @Test(
        "invalid documents",
        arguments: [
            "", " ", "[", "]", "{", "[1,]", "[,1]", "[1 2]", #"{"a":1,}"#, #"{"a" 1}"#, #"{a:1}"#, #"{"a":}"#, #"{,}"#,
            #"{"a":1"#, "01", "-01", "00", "1.", ".5", "+1", "-", "1e", "1e+", "0x10", "1.5.2", "NaN", "Infinity",
            "-Infinity", "1e400", "-1e400", "tru", "nul", "True", "'a'", #""abc"#, "\"a\u{1}b\"", "\"a\nb\"", "\"\t\"",
            #""\x""#, #""\u12""#, #""\u12g4""#, #""\U0041""#, #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#,
            #""\ud800x""#, "[1] x", "{} {}", "1 2", "[1]]", "\u{feff}1",
        ])
    func invalid(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: text) }
    }

    @Test func invalidUTF8IsRejected() {
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: [0x22, 0xFF, 0x22]) }
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: [0x22, 0x5C, 0x6E, 0xC3, 0x22]) }
        #expect((try? JSONValue(parsing: [0x22, 0xC3, 0xA9, 0x22])) == "é")
    }

    @Test(
        "error offsets",
        arguments: [
            ("[1,]", 3),
            (#"{"a":01}"#, 6),
            ("[1] x", 4),
            (#""abc"#, 4),
            (#"["\uzz00"]"#, 4),
            (#"{"a" 1}"#, 5),
            ("[tru]", 1),
            ("\"a\u{1}\"", 2),
            ("", 0),
        ])
    func errorOffset(_ text: String, _ offset: Int) {
        do {
            _ = try JSONValue(parsing: text)
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == offset, "\(error)")
            #expect(error.description.contains("byte \(offset)"))
        }
    }

    @Test func nestingLimit() throws {
        let deepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { try JSONValue(parsing: deepest) }
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        do {
            _ = try JSONValue(parsing: tooDeep)
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 512)
            #expect(error.message.contains("nesting"))
        }
        let objects = String(repeating: #"{"a":"#, count: 10) + "1" + String(repeating: "}", count: 10)
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: Array(objects.utf8), maximumDepth: 9) }
        #expect(throws: Never.self) { try JSONValue(parsing: Array(objects.utf8), maximumDepth: 10) }
    }

    @Test func numbers() throws {
        #expect(try JSONValue(parsing: "9223372036854775807") == .int(.max))
        #expect(try JSONValue(parsing: "-9223372036854775808") == .int(.min))
        // Integers beyond 64 bits become doubles, as Go's json.Number → float64 fallback.
        guard case .double(let big) = try JSONValue(parsing: "9223372036854775808") else {
            Issue.record("expected a double")
            return
        }
        #expect(big == 9_223_372_036_854_775_808)
        guard case .double(let huge) = try JSONValue(parsing: "123456789012345678901234567890") else {
            Issue.record("expected a double")
            return
        }
        #expect(huge == 1.2345678901234568e29)
        // Exponents and fractions make doubles that still compare equal to integers.
        guard case .double(let hundred) = try JSONValue(parsing: "1e2") else {
            Issue.record("expected a double")
            return
        }
        #expect(hundred == 100)
        #expect(try JSONValue(parsing: "1e2") == JSONValue.int(100))
        #expect(try JSONValue(parsing: "1.0") == JSONValue.int(1))
        #expect(try JSONValue(parsing: "1.5") != JSONValue.int(1))
        #expect(try JSONValue(parsing: "1e-400") == 0)
        // -0 is an integer zero; -0.0 a negative zero double, equal to 0.
        #expect(try JSONValue(parsing: "-0") == .int(0))
        #expect(try JSONValue(parsing: "-0.0") == 0)
        #expect(try JSONValue(parsing: "0.1").intValue == nil)
        #expect(try JSONValue(parsing: "3.0").intValue == 3)
    }

    @Test func keyOrderIsPreserved() throws {
        let value = try JSONValue(parsing: #"{"z":1,"a":2,"m":{"y":1,"b":2}}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value.jsonString == #"{"z":1,"a":2,"m":{"y":1,"b":2}}"#)
        // Equality ignores order.
        #expect(value == (try JSONValue(parsing: #"{"m":{"b":2,"y":1},"a":2,"z":1}"#)))
        #expect(value.hashValue == (try JSONValue(parsing: #"{"m":{"b":2,"y":1},"a":2,"z":1}"#)).hashValue)
    }

    @Test func valueAtPath() throws {
        let value = try JSONValue(parsing: #"{"spec":{"nodeName":"n1","containers":[]}}"#)
        #expect(value.value(atPath: "spec.nodeName") == "n1")
        #expect(value.value(atPath: "spec.missing") == nil)
        #expect(value.value(atPath: "spec.containers.name") == nil)
    }
}
