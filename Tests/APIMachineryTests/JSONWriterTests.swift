import Testing

@testable import APIMachinery

@Suite("JSON writer (Go encoding/json compatible)")
struct JSONWriterTests {
    @Test(
        "string escaping",
        arguments: [
            ("<a href=\"x\">&</a>", #""\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e""#),
            ("line\u{2028}para\u{2029}", #""line\u2028para\u2029""#),
            ("\u{1}\u{1f}\u{0}", #""\u0001\u001f\u0000""#),
            ("a\nb\rc\td", #""a\nb\rc\td""#),
            ("\u{8}\u{c}", #""\b\f""#),
            ("quote\" back\\slash /", #""quote\" back\\slash /""#),
            ("\u{7f}", "\"\u{7f}\""),
            ("é中😀", "\"é中😀\""),
            ("\u{2027}\u{202a}", "\"\u{2027}\u{202a}\""),
            ("", #""""#),
        ])
    func escaping(_ string: String, _ expected: String) throws {
        let written = JSONValue.string(string).jsonString
        #expect(written == expected)
        #expect(try JSONValue(parsing: written) == .string(string))
    }

    @Test(
        "numbers",
        arguments: [
            (JSONValue.int(0), "0"),
            (.int(7), "7"),
            (.int(-42), "-42"),
            (.int(.max), "9223372036854775807"),
            (.int(.min), "-9223372036854775808"),
            (.double(3.0), "3"),
            (.double(-3.0), "-3"),
            (.double(0.5), "0.5"),
            (.double(-1.25), "-1.25"),
            (.double(123456.789), "123456.789"),
            (.double(0.1), "0.1"),
            (.double(1e20), "100000000000000000000"),
            (.double(1e21), "1e+21"),
            (.double(1.5e300), "1.5e+300"),
            (.double(0.00001), "0.00001"),
            (.double(0.000001), "0.000001"),
            (.double(1e-7), "1e-7"),
            (.double(-2.5e-10), "-2.5e-10"),
            (.double(1.2345678901234567e19), "12345678901234567000"),
            (.double(1_152_921_504_606_846_976), "1152921504606847000"),
            (.double(9_007_199_254_740_992), "9007199254740992"),
            (.double(-0.0), "-0"),
            (.double(.leastNonzeroMagnitude), "5e-324"),
        ])
    func numbers(_ value: JSONValue, _ expected: String) throws {
        #expect(value.jsonString == expected)
        #expect(try JSONValue(parsing: value.jsonString) == value)
    }

    @Test func compactWithMembersInOrder() throws {
        var object = JSONObject()
        object["kind"] = "Pod"
        object["apiVersion"] = "v1"
        object["metadata"] = ["name": "x"]
        object["list"] = [1, "two", nil, true, [], [:]]
        let value = JSONValue.object(object)
        #expect(
            value.jsonString
                == #"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"x"},"list":[1,"two",null,true,[],{}]}"#)
        #expect(value.serialized() == Array(value.jsonString.utf8))
    }

    @Test func unicodeRoundTrip() throws {
        let text = #"{"ascii":"abc","latin":"ñandú","cjk":"日本語","emoji":"👩‍👩‍👧 🇫🇷","escaped":"\u00e9\ud83d\ude00"}"#
        let value = try JSONValue(parsing: text)
        let written = value.jsonString
        #expect(written.contains("ñandú") && written.contains("👩‍👩‍👧 🇫🇷") && written.contains("é😀"))
        #expect(try JSONValue(parsing: written) == value)
        #expect(try JSONValue(parsing: written).jsonString == written)
    }

    @Test func roundTripOfAParsedDocumentIsStable() throws {
        let text = #"{"b":[1,2.5,-3,true,null,{"x":"\u003c"}],"a":{"":0}}"#
        let value = try JSONValue(parsing: text)
        #expect(value.jsonString == text)
    }
}
