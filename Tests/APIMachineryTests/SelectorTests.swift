import Foundation
import Testing

@testable import APIMachinery

@Suite("Label selectors")
struct LabelQueryTests {
    // MARK: Parsing and canonical rendering

    /// Selector text and its canonical form.
    static let canonicalTable: [(String, String)] = [
        ("", ""),
        ("   ", ""),
        ("x=a", "x=a"),
        ("x==a", "x==a"),
        ("x!=a", "x!=a"),
        ("x in (a,b)", "x in (a,b)"),
        ("x in (b,a,b)", "x in (a,b)"),
        ("x in(a)", "x in (a)"),
        ("x notin (a)", "x notin (a)"),
        ("x notin(b , a)", "x notin (a,b)"),
        ("x", "x"),
        ("!x", "!x"),
        ("! x", "!x"),
        ("x>1", "x>1"),
        ("x<10", "x<10"),
        ("x > 1", "x>1"),
        (" x = a , y != b ", "x=a,y!=b"),
        ("\tx=a,\ny=b\r", "x=a,y=b"),
        ("z=a,y=b,x in (c)", "x in (c),y=b,z=a"),
        ("x=", "x="),
        ("x==", "x=="),
        ("x=,y=b", "x=,y=b"),
        ("x in ()", "x in ()"),
        ("x in (,a)", "x in (,a)"),
        ("x in (a,)", "x in (,a)"),
        ("x in (a,,b)", "x in (,a,b)"),
        ("example.com/app=web", "example.com/app=web"),
        ("app.kubernetes.io/name=My_App-1.0", "app.kubernetes.io/name=My_App-1.0"),
        ("in=x", "in=x"),
        ("notin in (in,notin)", "notin in (in,notin)"),
        ("!x,y", "!x,y"),
        ("x=a,x!=b", "x=a,x!=b"),
        ("x!=b,x=a", "x!=b,x=a"),
        ("b,a,!c", "a,b,!c"),
    ]

    @Test("parses and renders canonically", arguments: canonicalTable)
    func canonical(selector: String, canonical: String) throws {
        let query = try LabelQuery(parsing: selector)
        #expect(query.description == canonical)
        #expect(try LabelQuery(parsing: canonical) == query)
        #expect(query.isEverything == canonical.isEmpty)
    }

    @Test("parses requirements into keys, operators and values")
    func requirements() throws {
        let query = try LabelQuery(parsing: "tier notin (b, a),app=web,!canary,gen>3,env in (prod)")
        #expect(query.requirements.map(\.key) == ["app", "canary", "env", "gen", "tier"])
        #expect(query.requirements.map(\.operator) == [.equals, .doesNotExist, .in, .greaterThan, .notIn])
        #expect(query.requirements.map(\.values) == [["web"], [], ["prod"], ["3"], ["a", "b"]])
    }

    // MARK: Matching

    /// Selector, labels, whether they match.
    static let matchTable: [(String, [String: String], Bool)] = [
        ("x=a", ["x": "a"], true),
        ("x=a", ["x": "b"], false),
        ("x=a", [:], false),
        ("x=a", ["y": "a"], false),
        ("x==a", ["x": "a", "y": "b"], true),
        ("x==a", ["x": "b"], false),
        ("x!=a", ["x": "a"], false),
        ("x!=a", ["x": "b"], true),
        ("x!=a", [:], true),
        ("x in (a,b)", ["x": "b"], true),
        ("x in (a,b)", ["x": "c"], false),
        ("x in (a,b)", [:], false),
        ("x notin (a,b)", ["x": "a"], false),
        ("x notin (a,b)", ["x": "c"], true),
        ("x notin (a,b)", [:], true),
        ("x", ["x": ""], true),
        ("x", ["x": "a"], true),
        ("x", ["y": "a"], false),
        ("!x", [:], true),
        ("!x", ["x": ""], false),
        ("!x", ["y": "a"], true),
        ("x>5", ["x": "6"], true),
        ("x>5", ["x": "10"], true),
        ("x>5", ["x": "5"], false),
        ("x>5", ["x": "-7"], false),
        ("x>5", ["x": "abc"], false),
        ("x>5", ["x": "5.5"], false),
        ("x>5", [:], false),
        ("x<5", ["x": "4"], true),
        ("x<5", ["x": "-1"], true),
        ("x<5", ["x": "5"], false),
        ("x<5", ["x": "40"], false),
        ("x<5", [:], false),
        ("x=", ["x": ""], true),
        ("x=", [:], false),
        ("x in ()", ["x": ""], true),
        ("x in ()", ["x": "a"], false),
        ("x=a,y=b", ["x": "a", "y": "b"], true),
        ("x=a,y=b", ["x": "a"], false),
        ("x=a,!y", ["x": "a"], true),
        ("x=a,!y", ["x": "a", "y": "b"], false),
        ("", [:], true),
        ("", ["x": "a"], true),
        ("app=web,tier in (frontend,backend),!canary", ["app": "web", "tier": "backend"], true),
        ("app=web,tier in (frontend,backend),!canary", ["app": "web", "tier": "db"], false),
        ("app=web,tier in (frontend,backend),!canary", ["app": "web", "tier": "backend", "canary": "1"], false),
    ]

    @Test("matches label sets like Kubernetes", arguments: matchTable)
    func matches(selector: String, labels: [String: String], expected: Bool) throws {
        let query = try LabelQuery(parsing: selector)
        #expect(query.matches(labels) == expected)
        #expect(query.requirements.allSatisfy { $0.matches(labels) } == expected)
    }

    @Test("matches ten thousand objects")
    func matchesMany() throws {
        let query = try LabelQuery(parsing: "app=web,tier in (frontend,backend),!canary")
        let objects: [[String: String]] = (0..<10_000).map { index in
            var labels = ["app": index % 2 == 0 ? "web" : "db", "tier": index % 3 == 0 ? "frontend" : "cache"]
            if index % 5 == 0 {
                labels["canary"] = "true"
            }
            return labels
        }
        let matched = objects.indices.filter { query.matches(objects[$0]) }
        let expected = objects.indices.filter { $0 % 2 == 0 && $0 % 3 == 0 && $0 % 5 != 0 }
        #expect(matched == expected)
    }

    // MARK: Errors

    /// Selector, error code, a token the message must name.
    static let errorTable: [(String, SelectorError.Code, String)] = [
        // Syntax
        ("x=a,,y=b", .syntax, "','"),
        ("x=a,", .syntax, "end of string"),
        (",x=a", .syntax, "','"),
        ("x in a", .syntax, "'a'"),
        ("x in (a", .syntax, "end of string"),
        ("x in (a b)", .syntax, "'b'"),
        ("x in", .syntax, "end of string"),
        ("x notin a,b", .syntax, "'a'"),
        ("x in (a))", .syntax, "')'"),
        ("x in ((a)", .syntax, "'('"),
        ("x=a b", .syntax, "'b'"),
        ("=a", .syntax, "'='"),
        ("x=(a)", .syntax, "'('"),
        ("x exists", .syntax, "'exists'"),
        ("x!", .syntax, "'!'"),
        ("!x=a", .syntax, "'='"),
        ("x>=5", .syntax, "'='"),
        ("x===a", .syntax, "'='"),
        ("x=a=b", .syntax, "'='"),
        ("(x)", .syntax, "'('"),
        ("!", .syntax, "end of string"),
        // Keys
        ("-x=a", .invalidKey, "-x"),
        ("x-=a", .invalidKey, "x-"),
        ("a/b/c=d", .invalidKey, "a/b/c"),
        ("/x=a", .invalidKey, "/x"),
        ("x/=a", .invalidKey, "x/"),
        ("Example.com/x=a", .invalidKey, "Example.com/x"),
        ("exa_mple.com/x", .invalidKey, "exa_mple.com/x"),
        ("example..com/x", .invalidKey, "example..com/x"),
        ("x$y", .invalidKey, "x$y"),
        ("é=a", .invalidKey, "é"),
        (String(repeating: "k", count: 64) + "=a", .invalidKey, String(repeating: "k", count: 64)),
        (String(repeating: "p", count: 254) + "/x=a", .invalidKey, "253"),
        // Values
        ("x=-a", .invalidValue, "-a"),
        ("x=a-", .invalidValue, "a-"),
        ("x=a/b", .invalidValue, "a/b"),
        ("x!=a:b", .invalidValue, "a:b"),
        ("x in (a,-b)", .invalidValue, "-b"),
        ("x notin (a.)", .invalidValue, "a."),
        ("x=" + String(repeating: "v", count: 64), .invalidValue, "63"),
        ("x<-1", .invalidValue, "-1"),
        // Operators and values that do not go together
        ("x>a", .invalidRequirement, "integer"),
        ("x>", .invalidRequirement, "integer"),
        ("x<1.5", .invalidRequirement, "1.5"),
        ("x>99999999999999999999", .invalidRequirement, "99999999999999999999"),
    ]

    @Test("refuses invalid selectors, naming the offending token", arguments: errorTable)
    func errors(selector: String, code: SelectorError.Code, token: String) {
        #expect {
            try LabelQuery(parsing: selector)
        } throws: { error in
            guard let error = error as? SelectorError else {
                return false
            }
            return error.code == code && error.message.contains(token) && error.description == error.message
        }
    }

    @Test("accepts the longest valid keys and values")
    func limits() throws {
        let name = String(repeating: "n", count: 63)
        let prefix = String(repeating: "p", count: 60) + "." + String(repeating: "q", count: 192)
        #expect(prefix.count == 253)
        let value = String(repeating: "v", count: 63)
        let query = try LabelQuery(parsing: "\(prefix)/\(name)=\(value)")
        #expect(query.requirements.first?.key == "\(prefix)/\(name)")
        #expect(query.matches(["\(prefix)/\(name)": value]))
    }

    // MARK: Helpers

    @Test("exactValue(forKey:) reports values an index can look up")
    func exactValue() throws {
        let query = try LabelQuery(parsing: "x=a,y in (b),z in (c,d),w!=e,v,u==f,!t,s>1")
        #expect(query.exactValue(forKey: "x") == "a")
        #expect(query.exactValue(forKey: "y") == "b")
        #expect(query.exactValue(forKey: "u") == "f")
        #expect(query.exactValue(forKey: "z") == nil)
        #expect(query.exactValue(forKey: "w") == nil)
        #expect(query.exactValue(forKey: "v") == nil)
        #expect(query.exactValue(forKey: "t") == nil)
        #expect(query.exactValue(forKey: "s") == nil)
        #expect(query.exactValue(forKey: "missing") == nil)
        #expect(try LabelQuery(parsing: "x!=a,x=b").exactValue(forKey: "x") == "b")
    }

    @Test("a label set gives an equality query")
    func matchingSet() throws {
        let query = LabelQuery(matching: ["b": "2", "a": "1"])
        #expect(query.description == "a=1,b=2")
        #expect(query == (try LabelQuery(parsing: "b=2,a=1")))
        #expect(query.matches(["a": "1", "b": "2", "c": "3"]))
        #expect(!query.matches(["a": "1"]))
        #expect(query.exactValue(forKey: "a") == "1")
        #expect(LabelQuery(matching: [:]).isEverything)
        #expect(LabelQuery(matching: [:]) == .everything)
        #expect(LabelQuery.everything.matches([:]))
        #expect(LabelQuery.everything.description == "")
    }

    @Test("requirements are validated when built directly")
    func requirementValidation() throws {
        let requirement = try LabelRequirement(key: "env", operator: .notIn, values: ["b", "a", "b"])
        #expect(requirement.values == ["a", "b"])
        #expect(requirement.description == "env notin (a,b)")
        #expect(requirement.matches(value: nil))
        #expect(!requirement.matches(value: "a"))
        #expect(throws: SelectorError.self) { try LabelRequirement(key: "env", operator: .equals, values: ["a", "b"]) }
        #expect(throws: SelectorError.self) { try LabelRequirement(key: "env", operator: .exists, values: ["a"]) }
        #expect(throws: SelectorError.self) { try LabelRequirement(key: "env", operator: .in, values: []) }
        #expect(throws: SelectorError.self) {
            try LabelRequirement(key: "env", operator: .lessThan, values: ["1", "2"])
        }
        #expect(throws: SelectorError.self) { try LabelRequirement(key: "", operator: .exists) }
        let built = LabelQuery(requirements: [
            try LabelRequirement(key: "b", operator: .exists),
            try LabelRequirement(key: "a", operator: .greaterThan, values: ["2"]),
        ])
        #expect(built.description == "a>2,b")
        #expect(built.matches(["a": "3", "b": ""]))
    }
}

@Suite("LabelSelector")
struct LabelSelectorTests {
    @Test("an empty selector matches everything")
    func empty() throws {
        #expect(try LabelSelector().query() == .everything)
        #expect(try LabelSelector(matchLabels: [:], matchExpressions: []).query().isEverything)
        #expect(LabelSelector().isEmpty)
        #expect(!LabelSelector(matchLabels: ["a": "b"]).isEmpty)
    }

    @Test("converts labels and expressions to a query")
    func conversion() throws {
        let selector = LabelSelector(
            matchLabels: ["tier": "fe", "app": "web"],
            matchExpressions: [
                LabelSelectorRequirement(key: "env", operator: .in, values: ["staging", "prod"]),
                LabelSelectorRequirement(key: "canary", operator: .doesNotExist),
                LabelSelectorRequirement(key: "zone", operator: .notIn, values: ["a"]),
                LabelSelectorRequirement(key: "gpu", operator: .exists, values: []),
            ]
        )
        let query = try selector.query()
        #expect(query.description == "app=web,!canary,env in (prod,staging),gpu,tier=fe,zone notin (a)")
        #expect(query.matches(["app": "web", "tier": "fe", "env": "prod", "gpu": "1"]))
        #expect(!query.matches(["app": "web", "tier": "fe", "env": "prod", "gpu": "1", "canary": "y"]))
        #expect(!query.matches(["app": "web", "tier": "fe", "env": "dev", "gpu": "1"]))
        #expect(!query.matches(["app": "web", "tier": "fe", "env": "prod", "gpu": "1", "zone": "a"]))
        #expect(query.exactValue(forKey: "app") == "web")
        #expect(try LabelQuery(parsing: query.description) == query)
    }

    private static func expression(
        _ key: String,
        _ op: LabelSelectorOperator,
        _ values: [String]? = nil
    ) -> LabelSelector {
        LabelSelector(matchExpressions: [LabelSelectorRequirement(key: key, operator: op, values: values)])
    }

    static let invalidSelectors: [(LabelSelector, SelectorError.Code)] = [
        (expression("a", .in), .invalidRequirement),
        (expression("a", .in, []), .invalidRequirement),
        (expression("a", .notIn), .invalidRequirement),
        (expression("a", .exists, ["x"]), .invalidRequirement),
        (expression("a", .doesNotExist, ["x"]), .invalidRequirement),
        (expression("a b", .exists), .invalidKey),
        (expression("a", .in, ["-x"]), .invalidValue),
        (LabelSelector(matchLabels: ["-bad": "x"]), .invalidKey),
        (LabelSelector(matchLabels: ["good": "bad value"]), .invalidValue),
    ]

    @Test("refuses invalid selectors", arguments: invalidSelectors)
    func invalid(selector: LabelSelector, code: SelectorError.Code) {
        #expect {
            try selector.query()
        } throws: { error in
            (error as? SelectorError)?.code == code
        }
    }

    @Test("JSON round trip with the API's field names")
    func json() throws {
        let text = #"""
            {"matchExpressions":[{"key":"env","operator":"In","values":["prod"]},\#
            {"key":"canary","operator":"DoesNotExist"}],\#
            "matchLabels":{"app":"web"}}
            """#
        let selector = try JSONDecoder().decode(LabelSelector.self, from: Data(text.utf8))
        #expect(selector.matchLabels == ["app": "web"])
        #expect(selector.matchExpressions?.first?.operator == .in)
        #expect(selector.matchExpressions?.last == LabelSelectorRequirement(key: "canary", operator: .doesNotExist))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let encoded = String(decoding: try encoder.encode(selector), as: UTF8.self)
        #expect(encoded == text.replacingOccurrences(of: "\n", with: ""))
        #expect(try JSONDecoder().decode(LabelSelector.self, from: Data(encoded.utf8)) == selector)
        #expect(String(decoding: try encoder.encode(LabelSelector()), as: UTF8.self) == "{}")
    }

    @Test("refuses an unknown operator when decoding")
    func unknownOperator() {
        let text = #"{"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]}"#
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(LabelSelector.self, from: Data(text.utf8))
        }
    }
}

@Suite("Field selectors")
struct FieldQueryTests {
    /// Selector text, canonical form, requirements as (field, operator, value).
    static let parseTable: [(String, String, [FieldRequirement])] = [
        ("", "", []),
        ("metadata.name=foo", "metadata.name=foo", [.init(field: "metadata.name", operator: .equals, value: "foo")]),
        ("metadata.name==foo", "metadata.name=foo", [.init(field: "metadata.name", operator: .equals, value: "foo")]),
        ("spec.nodeName!=", "spec.nodeName!=", [.init(field: "spec.nodeName", operator: .notEquals, value: "")]),
        ("a=", "a=", [.init(field: "a", operator: .equals, value: "")]),
        (
            "b=1,a=2", "a=2,b=1",
            [.init(field: "a", operator: .equals, value: "2"), .init(field: "b", operator: .equals, value: "1")]
        ),
        (
            "a=b,,c=d", "a=b,c=d",
            [.init(field: "a", operator: .equals, value: "b"), .init(field: "c", operator: .equals, value: "d")]
        ),
        (",a=b,", "a=b", [.init(field: "a", operator: .equals, value: "b")]),
        (#"a=x\,y"#, #"a=x\,y"#, [.init(field: "a", operator: .equals, value: "x,y")]),
        (#"a=x\=y"#, #"a=x\=y"#, [.init(field: "a", operator: .equals, value: "x=y")]),
        (#"a=x\\y"#, #"a=x\\y"#, [.init(field: "a", operator: .equals, value: #"x\y"#)]),
        (#"a!=\,\=\\"#, #"a!=\,\=\\"#, [.init(field: "a", operator: .notEquals, value: #",=\"#)]),
        ("a=b!c", "a=b!c", [.init(field: "a", operator: .equals, value: "b!c")]),
        ("a!=b", "a!=b", [.init(field: "a", operator: .notEquals, value: "b")]),
        (" a = b ", " a = b ", [.init(field: " a ", operator: .equals, value: " b ")]),
        ("a=ünï", "a=ünï", [.init(field: "a", operator: .equals, value: "ünï")]),
    ]

    @Test("parses and renders like Kubernetes", arguments: parseTable)
    func parse(selector: String, canonical: String, requirements: [FieldRequirement]) throws {
        let query = try FieldQuery(parsing: selector)
        #expect(query.requirements == requirements)
        #expect(query.description == canonical)
        #expect(try FieldQuery(parsing: canonical) == query)
        #expect(query.isEverything == requirements.isEmpty)
    }

    /// Selector, error code, text the message must contain.
    static let errorTable: [(String, SelectorError.Code, String)] = [
        ("abc", .syntax, "'abc'"),
        ("x,a=b", .syntax, "'x'"),
        ("a=b=c", .invalidValue, "="),
        (#"a=b\,c=d"#, .invalidValue, "="),
        (#"a=b\x"#, .invalidValue, #"\x"#),
        (#"a=b\!"#, .invalidValue, #"\!"#),
        (#"a=b\"#, .invalidValue, "escape"),
    ]

    @Test("refuses malformed field selectors", arguments: errorTable)
    func errors(selector: String, code: SelectorError.Code, text: String) {
        #expect {
            try FieldQuery(parsing: selector)
        } throws: { error in
            guard let error = error as? SelectorError else {
                return false
            }
            return error.code == code && error.message.contains(text)
        }
    }

    @Test("matches object fields; a missing field counts as empty")
    func matching() throws {
        let pod = ["metadata.name": "web-1", "metadata.namespace": "default", "status.phase": "Pending"]
        let cases: [(String, Bool)] = [
            ("metadata.name=web-1", true),
            ("metadata.name==web-1", true),
            ("metadata.name=web-2", false),
            ("metadata.name!=web-2", true),
            ("metadata.name=web-1,status.phase!=Running", true),
            ("metadata.name=web-1,status.phase=Running", false),
            ("spec.nodeName=", true),
            ("spec.nodeName!=", false),
            ("spec.nodeName=node-1", false),
            ("", true),
        ]
        for (selector, expected) in cases {
            let query = try FieldQuery(parsing: selector)
            #expect(query.matches(pod) == expected, "\(selector)")
            #expect(query.matches { pod[$0] } == expected, "\(selector)")
        }
    }

    @Test("exactValue(for:) and fields")
    func helpers() throws {
        let query = try FieldQuery(parsing: "metadata.name=foo,spec.nodeName!=bar,metadata.namespace==ns")
        #expect(query.exactValue(for: "metadata.name") == "foo")
        #expect(query.exactValue(for: "metadata.namespace") == "ns")
        #expect(query.exactValue(for: "spec.nodeName") == nil)
        #expect(query.exactValue(for: "status.phase") == nil)
        #expect(query.fields == ["metadata.name", "metadata.namespace", "spec.nodeName"])
        #expect(FieldQuery.everything.fields.isEmpty)
        let fromSet = FieldQuery(matching: ["metadata.namespace": "ns", "metadata.name": "a,b"])
        #expect(fromSet.description == #"metadata.name=a\,b,metadata.namespace=ns"#)
        #expect(try FieldQuery(parsing: fromSet.description) == fromSet)
    }

    @Test(
        "escaping round-trips any value",
        arguments: ["plain", "", "a,b", "a=b", #"a\b"#, #"\\,,=="#, "é,=\\ü", "a!=b"]
    )
    func escaping(value: String) throws {
        let escaped = FieldQuery.escapeValue(value)
        #expect(try FieldQuery.unescapeValue(escaped) == value)
        let query = try FieldQuery(parsing: "f=" + escaped)
        #expect(query.exactValue(for: "f") == value)
        #expect(query.matches(["f": value]))
    }
}
