import Testing

@testable import APIMachinery

@Suite("JSON merge patch (RFC 7386)")
struct PatchJSONMergePatchTests {
    /// RFC 7386 Appendix A: (original, patch, result).
    static let appendixA: [(String, String, String)] = [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, #"null"#, #"null"#),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ]

    @Test("RFC 7386 Appendix A", arguments: appendixA)
    func appendixExample(_ original: String, _ patch: String, _ result: String) throws {
        let applied = JSONMergePatch.apply(try JSONValue(parsing: patch), to: try JSONValue(parsing: original))
        #expect(applied == (try JSONValue(parsing: result)))
        // Also the same member order as written in the RFC (kept members first, then added ones).
        #expect(applied.jsonString == result)
    }

    @Test func kubernetesStyleMerge() throws {
        let pod = try JSONValue(
            parsing: #"""
                {"metadata":{"name":"p","labels":{"app":"web","tier":"front"}},
                 "spec":{"containers":[{"name":"a","image":"x:1"},{"name":"b","image":"y:1"}]}}
                """#)
        let patch = try JSONValue(
            parsing:
                #"{"metadata":{"labels":{"tier":null,"env":"prod"}},"spec":{"containers":[{"name":"a","image":"x:2"}]}}"#
        )
        let expected = try JSONValue(
            parsing: #"""
                {"metadata":{"name":"p","labels":{"app":"web","env":"prod"}},
                 "spec":{"containers":[{"name":"a","image":"x:2"}]}}
                """#)
        #expect(JSONMergePatch.apply(patch, to: pod) == expected)
    }

    /// (original, modified) pairs for `create` round trips.
    static let pairs: [(String, String)] = [
        (#"{}"#, #"{}"#),
        (#"{"a":1}"#, #"{"a":1}"#),
        (#"{"a":1}"#, #"{"a":2}"#),
        (#"{"a":1}"#, #"{}"#),
        (#"{}"#, #"{"a":{"b":[1,2,{"c":3}]}}"#),
        (#"{"a":{"b":1,"c":2}}"#, #"{"a":{"b":1}}"#),
        (#"{"a":{"b":1,"c":2}}"#, #"{"a":{"b":1,"c":{"d":4}}}"#),
        (#"{"a":{"b":{"c":{"d":1}}}}"#, #"{"a":{"b":{"c":{"d":2,"e":3}}}}"#),
        (#"{"a":[1,2,3]}"#, #"{"a":[3,2,1]}"#),
        (#"{"a":[{"n":1}]}"#, #"{"a":[{"n":1},{"n":2}]}"#),
        (#"{"a":"x"}"#, #"{"a":{"x":true}}"#),
        (#"{"a":{"x":true}}"#, #"{"a":"x"}"#),
        (#"{"a":{"x":true}}"#, #"{"a":[]}"#),
        (#"{"a":1,"b":2,"c":3}"#, #"{"c":3,"d":4}"#),
        (#"{"a":1}"#, #"[1,2]"#),
        (#"[1,2]"#, #"{"a":1}"#),
        (#""s""#, #"7"#),
        (
            #"{"metadata":{"labels":{"a":"1"},"annotations":{"x":"y"}},"spec":{"replicas":1}}"#,
            #"{"metadata":{"labels":{"a":"2","b":"3"}},"spec":{"replicas":3,"paused":false}}"#
        ),
        (#"{"k":1.5}"#, #"{"k":1}"#),
        (#"{"k":"ünïcödé"}"#, #"{"k":"😀"}"#),
    ]

    @Test("create round trips", arguments: pairs)
    func createRoundTrip(_ original: String, _ modified: String) throws {
        let a = try JSONValue(parsing: original)
        let b = try JSONValue(parsing: modified)
        let patch = JSONMergePatch.create(from: a, to: b)
        #expect(JSONMergePatch.apply(patch, to: a) == b, "patch \(patch.jsonString)")
        // And the other way.
        #expect(JSONMergePatch.apply(JSONMergePatch.create(from: b, to: a), to: b) == a)
    }

    @Test func createIsMinimal() throws {
        let a = try JSONValue(parsing: #"{"a":{"b":1,"c":2},"d":[1],"e":"x"}"#)
        let b = try JSONValue(parsing: #"{"a":{"b":1,"c":3},"d":[1],"f":true}"#)
        #expect(JSONMergePatch.create(from: a, to: b) == (try JSONValue(parsing: #"{"a":{"c":3},"e":null,"f":true}"#)))
        #expect(JSONMergePatch.create(from: a, to: a) == [:])
    }

    @Test func createCannotExpressNullMembers() {
        // A merge patch has no way to set a member to null: the null removes it.
        let patch = JSONMergePatch.create(from: ["a": 1], to: ["a": nil])
        #expect(patch == ["a": nil])
        #expect(JSONMergePatch.apply(patch, to: ["a": 1]) == [:])
    }
}
