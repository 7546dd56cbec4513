import Testing

@testable import APIMachinery

/// One JSON Patch case: `expected` when it applies, otherwise the code of the error it must raise.
struct JSONPatchCase: Sendable, CustomTestStringConvertible {
    var comment: String
    var document: JSONValue
    var patch: JSONValue
    var expected: JSONValue?
    var error: PatchError.Code?

    var testDescription: String { comment }

    /// Reads a table written as JSON: `[{"comment", "doc", "patch", "expected" | "error"}]`, the format of
    /// github.com/json-patch/json-patch-tests. `error` holds a ``PatchError/Code`` name; a case with neither
    /// `expected` nor `error` expects the document unchanged.
    static func table(_ text: String) -> [JSONPatchCase] {
        let codes: [String: PatchError.Code] = [
            "invalidPatch": .invalidPatch, "pathNotFound": .pathNotFound, "testFailed": .testFailed,
            "tooLarge": .tooLarge,
        ]
        let cases = try! JSONValue(parsing: text).arrayValue!
        return cases.enumerated().map { index, entry in
            let object = entry.objectValue!
            let document = object["doc"]!
            var error: PatchError.Code?
            if let name = object["error"]?.stringValue { error = codes[name]! }
            return JSONPatchCase(
                comment: object["comment"]?.stringValue ?? "case \(index)",
                document: document,
                patch: object["patch"]!,
                expected: error == nil ? (object["expected"] ?? document) : nil,
                error: error
            )
        }
    }
}

/// RFC 6902 Appendix A, A.1–A.16 (the `spec_tests.json` of json-patch-tests plus A.13–A.16).
let rfc6902Examples = JSONPatchCase.table(
    #"""
    [
      {"comment": "A.1. Adding an Object Member", "doc": {"foo": "bar"},
       "patch": [{"op": "add", "path": "/baz", "value": "qux"}], "expected": {"baz": "qux", "foo": "bar"}},
      {"comment": "A.2. Adding an Array Element", "doc": {"foo": ["bar", "baz"]},
       "patch": [{"op": "add", "path": "/foo/1", "value": "qux"}], "expected": {"foo": ["bar", "qux", "baz"]}},
      {"comment": "A.3. Removing an Object Member", "doc": {"baz": "qux", "foo": "bar"},
       "patch": [{"op": "remove", "path": "/baz"}], "expected": {"foo": "bar"}},
      {"comment": "A.4. Removing an Array Element", "doc": {"foo": ["bar", "qux", "baz"]},
       "patch": [{"op": "remove", "path": "/foo/1"}], "expected": {"foo": ["bar", "baz"]}},
      {"comment": "A.5. Replacing a Value", "doc": {"baz": "qux", "foo": "bar"},
       "patch": [{"op": "replace", "path": "/baz", "value": "boo"}], "expected": {"baz": "boo", "foo": "bar"}},
      {"comment": "A.6. Moving a Value", "doc": {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
       "patch": [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
       "expected": {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}},
      {"comment": "A.7. Moving an Array Element", "doc": {"foo": ["all", "grass", "cows", "eat"]},
       "patch": [{"op": "move", "from": "/foo/1", "path": "/foo/3"}], "expected": {"foo": ["all", "cows", "eat", "grass"]}},
      {"comment": "A.8. Testing a Value: Success", "doc": {"baz": "qux", "foo": ["a", 2, "c"]},
       "patch": [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}]},
      {"comment": "A.9. Testing a Value: Error", "doc": {"baz": "qux"},
       "patch": [{"op": "test", "path": "/baz", "value": "bar"}], "error": "testFailed"},
      {"comment": "A.10. Adding a Nested Member Object", "doc": {"foo": "bar"},
       "patch": [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
       "expected": {"foo": "bar", "child": {"grandchild": {}}}},
      {"comment": "A.11. Ignoring Unrecognized Elements", "doc": {"foo": "bar"},
       "patch": [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}], "expected": {"foo": "bar", "baz": "qux"}},
      {"comment": "A.12. Adding to a Nonexistent Target", "doc": {"foo": "bar"},
       "patch": [{"op": "add", "path": "/baz/bat", "value": "qux"}], "error": "pathNotFound"},
      {"comment": "A.13. Invalid JSON Patch Document (duplicate op: the last one, remove, wins and fails)",
       "doc": {"foo": "bar"},
       "patch": [{"op": "add", "path": "/baz", "value": "qux", "op": "remove"}], "error": "pathNotFound"},
      {"comment": "A.14. ~ Escape Ordering", "doc": {"/": 9, "~1": 10},
       "patch": [{"op": "test", "path": "/~01", "value": 10}]},
      {"comment": "A.15. Comparing Strings and Numbers", "doc": {"/": 9, "~1": 10},
       "patch": [{"op": "test", "path": "/~01", "value": "10"}], "error": "testFailed"},
      {"comment": "A.16. Adding an Array Value", "doc": {"foo": ["bar"]},
       "patch": [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}], "expected": {"foo": ["bar", ["abc", "def"]]}}
    ]
    """#
)

/// The cases of json-patch-tests `tests.json` (its two "disabled" cases that are valid here are included;
/// the duplicate-`op` one is left out: which member wins is parser-defined).
let jsonPatchSuiteCases = JSONPatchCase.table(
    #"""
    [
      {"comment": "empty list, empty docs", "doc": {}, "patch": [], "expected": {}},
      {"comment": "empty patch list", "doc": {"foo": 1}, "patch": [], "expected": {"foo": 1}},
      {"comment": "rearrangements OK?", "doc": {"foo": 1, "bar": 2}, "patch": [], "expected": {"bar": 2, "foo": 1}},
      {"comment": "rearrangements OK? How about one level down ... array", "doc": [{"foo": 1, "bar": 2}],
       "patch": [], "expected": [{"bar": 2, "foo": 1}]},
      {"comment": "rearrangements OK? How about one level down...", "doc": {"foo": {"foo": 1, "bar": 2}},
       "patch": [], "expected": {"foo": {"bar": 2, "foo": 1}}},
      {"comment": "add replaces any existing field", "doc": {"foo": null},
       "patch": [{"op": "add", "path": "/foo", "value": 1}], "expected": {"foo": 1}},
      {"comment": "toplevel array", "doc": [], "patch": [{"op": "add", "path": "/0", "value": "foo"}], "expected": ["foo"]},
      {"comment": "toplevel array, no change", "doc": ["foo"], "patch": [], "expected": ["foo"]},
      {"comment": "toplevel object, numeric string", "doc": {},
       "patch": [{"op": "add", "path": "/foo", "value": "1"}], "expected": {"foo": "1"}},
      {"comment": "toplevel object, integer", "doc": {}, "patch": [{"op": "add", "path": "/foo", "value": 1}],
       "expected": {"foo": 1}},
      {"comment": "Toplevel scalar values OK?", "doc": "foo", "patch": [{"op": "replace", "path": "", "value": "bar"}],
       "expected": "bar"},
      {"comment": "replace object document with array document?", "doc": {},
       "patch": [{"op": "add", "path": "", "value": []}], "expected": []},
      {"comment": "replace array document with object document?", "doc": [],
       "patch": [{"op": "add", "path": "", "value": {}}], "expected": {}},
      {"comment": "append to root array document?", "doc": [], "patch": [{"op": "add", "path": "/-", "value": "hi"}],
       "expected": ["hi"]},
      {"comment": "Add, / target", "doc": {}, "patch": [{"op": "add", "path": "/", "value": 1}], "expected": {"": 1}},
      {"comment": "Add, /foo/ deep target (trailing slash)", "doc": {"foo": {}},
       "patch": [{"op": "add", "path": "/foo/", "value": 1}], "expected": {"foo": {"": 1}}},
      {"comment": "Add composite value at top level", "doc": {"foo": 1},
       "patch": [{"op": "add", "path": "/bar", "value": [1, 2]}], "expected": {"foo": 1, "bar": [1, 2]}},
      {"comment": "Add into composite value", "doc": {"foo": 1, "baz": [{"qux": "hello"}]},
       "patch": [{"op": "add", "path": "/baz/0/foo", "value": "world"}],
       "expected": {"foo": 1, "baz": [{"qux": "hello", "foo": "world"}]}},
      {"comment": "Out of bounds (upper)", "doc": {"bar": [1, 2]},
       "patch": [{"op": "add", "path": "/bar/8", "value": "5"}], "error": "pathNotFound"},
      {"comment": "Out of bounds (lower)", "doc": {"bar": [1, 2]},
       "patch": [{"op": "add", "path": "/bar/-1", "value": "5"}], "error": "pathNotFound"},
      {"comment": "add true", "doc": {"foo": 1}, "patch": [{"op": "add", "path": "/bar", "value": true}],
       "expected": {"foo": 1, "bar": true}},
      {"comment": "add false", "doc": {"foo": 1}, "patch": [{"op": "add", "path": "/bar", "value": false}],
       "expected": {"foo": 1, "bar": false}},
      {"comment": "add null", "doc": {"foo": 1}, "patch": [{"op": "add", "path": "/bar", "value": null}],
       "expected": {"foo": 1, "bar": null}},
      {"comment": "0 can be an array index or object element name", "doc": {"foo": 1},
       "patch": [{"op": "add", "path": "/0", "value": "bar"}], "expected": {"foo": 1, "0": "bar"}},
      {"comment": "add at the end by index", "doc": ["foo"], "patch": [{"op": "add", "path": "/1", "value": "bar"}],
       "expected": ["foo", "bar"]},
      {"comment": "add in the middle", "doc": ["foo", "sil"], "patch": [{"op": "add", "path": "/1", "value": "bar"}],
       "expected": ["foo", "bar", "sil"]},
      {"comment": "add at the front", "doc": ["foo", "sil"], "patch": [{"op": "add", "path": "/0", "value": "bar"}],
       "expected": ["bar", "foo", "sil"]},
      {"comment": "push item to array via last index + 1", "doc": ["foo", "sil"],
       "patch": [{"op": "add", "path": "/2", "value": "bar"}], "expected": ["foo", "sil", "bar"]},
      {"comment": "add item to array at index > length should fail", "doc": ["foo", "sil"],
       "patch": [{"op": "add", "path": "/3", "value": "bar"}], "error": "pathNotFound"},
      {"comment": "test against implementation-specific numeric parsing", "doc": {"1e0": "foo"},
       "patch": [{"op": "test", "path": "/1e0", "value": "foo"}], "expected": {"1e0": "foo"}},
      {"comment": "test with bad number should fail", "doc": ["foo", "bar"],
       "patch": [{"op": "test", "path": "/1e0", "value": "bar"}], "error": "pathNotFound"},
      {"comment": "Object operation on array target", "doc": ["foo", "sil"],
       "patch": [{"op": "add", "path": "/bar", "value": 42}], "error": "pathNotFound"},
      {"comment": "value in array add not flattened", "doc": ["foo", "sil"],
       "patch": [{"op": "add", "path": "/1", "value": ["bar", "baz"]}], "expected": ["foo", ["bar", "baz"], "sil"]},
      {"comment": "remove member", "doc": {"foo": 1, "bar": [1, 2, 3, 4]}, "patch": [{"op": "remove", "path": "/bar"}],
       "expected": {"foo": 1}},
      {"comment": "remove nested member", "doc": {"foo": 1, "baz": [{"qux": "hello"}]},
       "patch": [{"op": "remove", "path": "/baz/0/qux"}], "expected": {"foo": 1, "baz": [{}]}},
      {"comment": "replace member with array", "doc": {"foo": 1, "baz": [{"qux": "hello"}]},
       "patch": [{"op": "replace", "path": "/foo", "value": [1, 2, 3, 4]}],
       "expected": {"foo": [1, 2, 3, 4], "baz": [{"qux": "hello"}]}},
      {"comment": "replace nested member", "doc": {"foo": [1, 2, 3, 4], "baz": [{"qux": "hello"}]},
       "patch": [{"op": "replace", "path": "/baz/0/qux", "value": "world"}],
       "expected": {"foo": [1, 2, 3, 4], "baz": [{"qux": "world"}]}},
      {"comment": "replace array element", "doc": ["foo"], "patch": [{"op": "replace", "path": "/0", "value": "bar"}],
       "expected": ["bar"]},
      {"comment": "replace with 0", "doc": [""], "patch": [{"op": "replace", "path": "/0", "value": 0}], "expected": [0]},
      {"comment": "replace with true", "doc": [""], "patch": [{"op": "replace", "path": "/0", "value": true}],
       "expected": [true]},
      {"comment": "replace with false", "doc": [""], "patch": [{"op": "replace", "path": "/0", "value": false}],
       "expected": [false]},
      {"comment": "replace with null", "doc": [""], "patch": [{"op": "replace", "path": "/0", "value": null}],
       "expected": [null]},
      {"comment": "value in array replace not flattened", "doc": ["foo", "sil"],
       "patch": [{"op": "replace", "path": "/1", "value": ["bar", "baz"]}], "expected": ["foo", ["bar", "baz"]]},
      {"comment": "replace whole document", "doc": {"foo": "bar"},
       "patch": [{"op": "replace", "path": "", "value": {"baz": "qux"}}], "expected": {"baz": "qux"}},
      {"comment": "test replace with missing parent key should fail", "doc": {"bar": "baz"},
       "patch": [{"op": "replace", "path": "/foo/bar", "value": false}], "error": "pathNotFound"},
      {"comment": "spurious patch properties", "doc": {"foo": 1},
       "patch": [{"op": "test", "path": "/foo", "value": 1, "spurious": 1}], "expected": {"foo": 1}},
      {"comment": "null value should be valid obj property", "doc": {"foo": null},
       "patch": [{"op": "test", "path": "/foo", "value": null}], "expected": {"foo": null}},
      {"comment": "null value should be valid obj property to be replaced with something truthy", "doc": {"foo": null},
       "patch": [{"op": "replace", "path": "/foo", "value": "truthy"}], "expected": {"foo": "truthy"}},
      {"comment": "null value should be valid obj property to be moved", "doc": {"foo": null},
       "patch": [{"op": "move", "from": "/foo", "path": "/bar"}], "expected": {"bar": null}},
      {"comment": "null value should be valid obj property to be copied", "doc": {"foo": null},
       "patch": [{"op": "copy", "from": "/foo", "path": "/bar"}], "expected": {"foo": null, "bar": null}},
      {"comment": "null value should be valid obj property to be removed", "doc": {"foo": null},
       "patch": [{"op": "remove", "path": "/foo"}], "expected": {}},
      {"comment": "remove whole document", "doc": 1, "patch": [{"op": "remove", "path": ""}], "expected": null},
      {"comment": "null value should still be valid obj property replace other value", "doc": {"foo": "bar"},
       "patch": [{"op": "replace", "path": "/foo", "value": null}], "expected": {"foo": null}},
      {"comment": "test should pass despite rearrangement", "doc": {"foo": {"foo": 1, "bar": 2}},
       "patch": [{"op": "test", "path": "/foo", "value": {"bar": 2, "foo": 1}}]},
      {"comment": "test should pass despite (nested) rearrangement", "doc": {"foo": [{"foo": 1, "bar": 2}]},
       "patch": [{"op": "test", "path": "/foo", "value": [{"bar": 2, "foo": 1}]}]},
      {"comment": "test should pass - no error", "doc": {"foo": {"bar": [1, 2, 5, 4]}},
       "patch": [{"op": "test", "path": "/foo", "value": {"bar": [1, 2, 5, 4]}}]},
      {"comment": "test op should fail", "doc": {"foo": {"bar": [1, 2, 5, 4]}},
       "patch": [{"op": "test", "path": "/foo", "value": [1, 2]}], "error": "testFailed"},
      {"comment": "Whole document", "doc": {"foo": 1}, "patch": [{"op": "test", "path": "", "value": {"foo": 1}}]},
      {"comment": "Empty-string element", "doc": {"": 1}, "patch": [{"op": "test", "path": "/", "value": 1}]},
      {"comment": "escaped and special characters in member names",
       "doc": {"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4, "i\\j": 5, "k\"l": 6, " ": 7,
               "m~n": 8},
       "patch": [{"op": "test", "path": "/foo", "value": ["bar", "baz"]},
                 {"op": "test", "path": "/foo/0", "value": "bar"},
                 {"op": "test", "path": "/", "value": 0},
                 {"op": "test", "path": "/a~1b", "value": 1},
                 {"op": "test", "path": "/c%d", "value": 2},
                 {"op": "test", "path": "/e^f", "value": 3},
                 {"op": "test", "path": "/g|h", "value": 4},
                 {"op": "test", "path": "/i\\j", "value": 5},
                 {"op": "test", "path": "/k\"l", "value": 6},
                 {"op": "test", "path": "/ ", "value": 7},
                 {"op": "test", "path": "/m~0n", "value": 8}]},
      {"comment": "Move to same location has no effect", "doc": {"foo": 1},
       "patch": [{"op": "move", "from": "/foo", "path": "/foo"}], "expected": {"foo": 1}},
      {"comment": "move member", "doc": {"foo": 1, "baz": [{"qux": "hello"}]},
       "patch": [{"op": "move", "from": "/foo", "path": "/bar"}], "expected": {"baz": [{"qux": "hello"}], "bar": 1}},
      {"comment": "move into array", "doc": {"baz": [{"qux": "hello"}], "bar": 1},
       "patch": [{"op": "move", "from": "/baz/0/qux", "path": "/baz/1"}], "expected": {"baz": [{}, "hello"], "bar": 1}},
      {"comment": "copy array element", "doc": {"baz": [{"qux": "hello"}], "bar": 1},
       "patch": [{"op": "copy", "from": "/baz/0", "path": "/boo"}],
       "expected": {"baz": [{"qux": "hello"}], "bar": 1, "boo": {"qux": "hello"}}},
      {"comment": "replacing the root of the document is possible with add", "doc": {"foo": "bar"},
       "patch": [{"op": "add", "path": "", "value": {"baz": "qux"}}], "expected": {"baz": "qux"}},
      {"comment": "Adding to \"/-\" adds to the end of the array", "doc": [1, 2],
       "patch": [{"op": "add", "path": "/-", "value": {"foo": ["bar", "baz"]}}],
       "expected": [1, 2, {"foo": ["bar", "baz"]}]},
      {"comment": "Adding to \"/-\" adds to the end of the array, even n levels down", "doc": [1, 2, [3, [4, 5]]],
       "patch": [{"op": "add", "path": "/2/1/-", "value": {"foo": ["bar", "baz"]}}],
       "expected": [1, 2, [3, [4, 5, {"foo": ["bar", "baz"]}]]]},
      {"comment": "test remove with bad number should fail", "doc": {"foo": 1, "baz": [{"qux": "hello"}]},
       "patch": [{"op": "remove", "path": "/baz/1e0/qux"}], "error": "pathNotFound"},
      {"comment": "test remove on array", "doc": [1, 2, 3, 4], "patch": [{"op": "remove", "path": "/0"}],
       "expected": [2, 3, 4]},
      {"comment": "test repeated removes", "doc": [1, 2, 3, 4],
       "patch": [{"op": "remove", "path": "/1"}, {"op": "remove", "path": "/2"}], "expected": [1, 3]},
      {"comment": "test remove with bad index should fail", "doc": [1, 2, 3, 4],
       "patch": [{"op": "remove", "path": "/1e0"}], "error": "pathNotFound"},
      {"comment": "test replace with bad number should fail", "doc": [""],
       "patch": [{"op": "replace", "path": "/1e0", "value": false}], "error": "pathNotFound"},
      {"comment": "test copy with bad number should fail", "doc": {"baz": [1, 2, 3], "bar": 1},
       "patch": [{"op": "copy", "from": "/baz/1e0", "path": "/boo"}], "error": "pathNotFound"},
      {"comment": "test move with bad number should fail", "doc": {"foo": 1, "baz": [1, 2, 3, 4]},
       "patch": [{"op": "move", "from": "/baz/1e0", "path": "/foo"}], "error": "pathNotFound"},
      {"comment": "test add with bad number should fail", "doc": ["foo", "sil"],
       "patch": [{"op": "add", "path": "/1e0", "value": "bar"}], "error": "pathNotFound"},
      {"comment": "missing 'path' parameter", "doc": {}, "patch": [{"op": "add", "value": "bar"}],
       "error": "invalidPatch"},
      {"comment": "'path' parameter with null value", "doc": {}, "patch": [{"op": "add", "path": null, "value": "bar"}],
       "error": "invalidPatch"},
      {"comment": "invalid JSON Pointer token", "doc": {}, "patch": [{"op": "add", "path": "foo", "value": "bar"}],
       "error": "invalidPatch"},
      {"comment": "missing 'value' parameter to add", "doc": [1], "patch": [{"op": "add", "path": "/-"}],
       "error": "invalidPatch"},
      {"comment": "missing 'value' parameter to replace", "doc": [1], "patch": [{"op": "replace", "path": "/0"}],
       "error": "invalidPatch"},
      {"comment": "missing 'value' parameter to test", "doc": [null], "patch": [{"op": "test", "path": "/0"}],
       "error": "invalidPatch"},
      {"comment": "missing value parameter to test - where undef is falsy", "doc": [false],
       "patch": [{"op": "test", "path": "/0"}], "error": "invalidPatch"},
      {"comment": "missing from parameter to copy", "doc": [1], "patch": [{"op": "copy", "path": "/-"}],
       "error": "invalidPatch"},
      {"comment": "missing from location to copy", "doc": {"foo": 1},
       "patch": [{"op": "copy", "from": "/bar", "path": "/foo"}], "error": "pathNotFound"},
      {"comment": "missing from parameter to move", "doc": {"foo": 1}, "patch": [{"op": "move", "path": ""}],
       "error": "invalidPatch"},
      {"comment": "missing from location to move", "doc": {"foo": 1},
       "patch": [{"op": "move", "from": "/bar", "path": "/foo"}], "error": "pathNotFound"},
      {"comment": "unrecognized op should fail", "doc": {"foo": 1},
       "patch": [{"op": "spam", "path": "/foo", "value": 1}], "error": "invalidPatch"},
      {"comment": "test with bad array number that has leading zeros (00)", "doc": ["foo", "bar"],
       "patch": [{"op": "test", "path": "/00", "value": "foo"}], "error": "pathNotFound"},
      {"comment": "test with bad array number that has leading zeros (01)", "doc": ["foo", "bar"],
       "patch": [{"op": "test", "path": "/01", "value": "bar"}], "error": "pathNotFound"},
      {"comment": "Removing nonexistent field", "doc": {"foo": "bar"}, "patch": [{"op": "remove", "path": "/baz"}],
       "error": "pathNotFound"},
      {"comment": "Removing deep nonexistent path", "doc": {"foo": "bar"},
       "patch": [{"op": "remove", "path": "/missing1/missing2"}], "error": "pathNotFound"},
      {"comment": "Removing nonexistent index", "doc": ["foo", "bar"], "patch": [{"op": "remove", "path": "/2"}],
       "error": "pathNotFound"},
      {"comment": "Patch with different capitalisation than doc", "doc": {"foo": "bar"},
       "patch": [{"op": "add", "path": "/FOO", "value": "BAR"}], "expected": {"foo": "bar", "FOO": "BAR"}},
      {"comment": "test copy object then change destination", "doc": {"foo": {"bar": {"baz": [{"boo": "net"}]}}},
       "patch": [{"op": "copy", "from": "/foo", "path": "/bak"},
                 {"op": "replace", "path": "/bak/bar/baz/0/boo", "value": "qux"}],
       "expected": {"foo": {"bar": {"baz": [{"boo": "net"}]}}, "bak": {"bar": {"baz": [{"boo": "qux"}]}}}},
      {"comment": "test copy object then change source", "doc": {"foo": {"bar": {"baz": [{"boo": "net"}]}}},
       "patch": [{"op": "copy", "from": "/foo", "path": "/bak"},
                 {"op": "replace", "path": "/foo/bar/baz/0/boo", "value": "qux"}],
       "expected": {"foo": {"bar": {"baz": [{"boo": "qux"}]}}, "bak": {"bar": {"baz": [{"boo": "net"}]}}}}
    ]
    """#
)

/// Further cases: validation, Kubernetes' limits and behaviour the suites leave out.
let jsonPatchExtraCases = JSONPatchCase.table(
    #"""
    [
      {"comment": "patch is not an array", "doc": {}, "patch": {"op": "add", "path": "/a", "value": 1},
       "error": "invalidPatch"},
      {"comment": "operation is not an object", "doc": {}, "patch": ["add"], "error": "invalidPatch"},
      {"comment": "missing op", "doc": {}, "patch": [{"path": "/a", "value": 1}], "error": "invalidPatch"},
      {"comment": "op is not a string", "doc": {}, "patch": [{"op": 1, "path": "/a", "value": 1}],
       "error": "invalidPatch"},
      {"comment": "op is case sensitive", "doc": {}, "patch": [{"op": "ADD", "path": "/a", "value": 1}],
       "error": "invalidPatch"},
      {"comment": "path is not a string", "doc": {}, "patch": [{"op": "add", "path": 1, "value": 1}],
       "error": "invalidPatch"},
      {"comment": "from is not a string", "doc": {"a": 1}, "patch": [{"op": "copy", "from": 1, "path": "/b"}],
       "error": "invalidPatch"},
      {"comment": "from is not a pointer", "doc": {"a": 1}, "patch": [{"op": "copy", "from": "a", "path": "/b"}],
       "error": "invalidPatch"},
      {"comment": "~ followed by another character", "doc": {"a~2": 1},
       "patch": [{"op": "test", "path": "/a~2", "value": 1}], "error": "invalidPatch"},
      {"comment": "~ at the end of a token", "doc": {"a~": 1}, "patch": [{"op": "remove", "path": "/a~"}],
       "error": "invalidPatch"},
      {"comment": "move into its own child", "doc": {"a": {"b": 1}},
       "patch": [{"op": "move", "from": "/a", "path": "/a/c"}], "error": "invalidPatch"},
      {"comment": "move to a sibling sharing a prefix is fine", "doc": {"a": 1},
       "patch": [{"op": "move", "from": "/a", "path": "/ab"}], "expected": {"ab": 1}},
      {"comment": "move of the whole document into a member", "doc": {"a": 1},
       "patch": [{"op": "move", "from": "", "path": "/b"}], "error": "invalidPatch"},
      {"comment": "an invalid later operation fails before any applies", "doc": {"a": 1},
       "patch": [{"op": "remove", "path": "/missing"}, {"op": "bogus", "path": "/a"}], "error": "invalidPatch"},
      {"comment": "test compares numbers by value: 1 == 1.0", "doc": {"a": 1},
       "patch": [{"op": "test", "path": "/a", "value": 1.0}]},
      {"comment": "test compares numbers by value: 100 == 1e2", "doc": {"a": [100]},
       "patch": [{"op": "test", "path": "/a", "value": [1e2]}]},
      {"comment": "test of a missing member fails", "doc": {"a": 1},
       "patch": [{"op": "test", "path": "/b", "value": null}], "error": "pathNotFound"},
      {"comment": "test of '-' fails", "doc": [1], "patch": [{"op": "test", "path": "/-", "value": 1}],
       "error": "pathNotFound"},
      {"comment": "replace of a missing member fails (RFC 6902 4.3)", "doc": {"a": 1},
       "patch": [{"op": "replace", "path": "/b", "value": 2}], "error": "pathNotFound"},
      {"comment": "remove of '-' fails", "doc": [1], "patch": [{"op": "remove", "path": "/-"}], "error": "pathNotFound"},
      {"comment": "negative index", "doc": [1, 2], "patch": [{"op": "remove", "path": "/-1"}], "error": "pathNotFound"},
      {"comment": "add through a scalar", "doc": {"a": 1}, "patch": [{"op": "add", "path": "/a/b", "value": 1}],
       "error": "pathNotFound"},
      {"comment": "copy within an array", "doc": {"a": [1, 2]},
       "patch": [{"op": "copy", "from": "/a/0", "path": "/a/-"}], "expected": {"a": [1, 2, 1]}},
      {"comment": "move array element backwards", "doc": [1, 2, 3],
       "patch": [{"op": "move", "from": "/2", "path": "/0"}], "expected": [3, 1, 2]},
      {"comment": "operations see earlier ones", "doc": {},
       "patch": [{"op": "add", "path": "/a", "value": {}}, {"op": "add", "path": "/a/b", "value": [1]},
                 {"op": "add", "path": "/a/b/0", "value": 0}, {"op": "test", "path": "/a", "value": {"b": [0, 1]}}],
       "expected": {"a": {"b": [0, 1]}}},
      {"comment": "kubernetes-style image change", "doc": {"spec": {"containers": [{"name": "a", "image": "x:1"}]}},
       "patch": [{"op": "test", "path": "/spec/containers/0/name", "value": "a"},
                 {"op": "replace", "path": "/spec/containers/0/image", "value": "x:2"}],
       "expected": {"spec": {"containers": [{"name": "a", "image": "x:2"}]}}},
      {"comment": "kubernetes-style label with a slash", "doc": {"metadata": {"labels": {}}},
       "patch": [{"op": "add", "path": "/metadata/labels/app.kubernetes.io~1name", "value": "web"}],
       "expected": {"metadata": {"labels": {"app.kubernetes.io/name": "web"}}}}
    ]
    """#
)

@Suite("JSON Patch (RFC 6902)")
struct PatchJSONPatchTests {
    @Test("RFC 6902 Appendix A", arguments: rfc6902Examples)
    func rfcExamples(_ example: JSONPatchCase) {
        check(example)
    }

    @Test("json-patch-tests tests.json", arguments: jsonPatchSuiteCases)
    func suiteCases(_ example: JSONPatchCase) {
        check(example)
    }

    @Test("validation, limits and other cases", arguments: jsonPatchExtraCases)
    func extraCases(_ example: JSONPatchCase) {
        check(example)
    }

    func check(_ example: JSONPatchCase, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let result = try JSONPatch.apply(example.patch, to: example.document)
            if let code = example.error {
                Issue.record("expected a \(code) error, got \(result.jsonString)", sourceLocation: sourceLocation)
            } else {
                #expect(result == example.expected, sourceLocation: sourceLocation)
            }
        } catch {
            if let code = example.error {
                #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            } else {
                Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func suitesAreLargeEnough() {
        #expect(rfc6902Examples.count == 16)
        #expect(jsonPatchSuiteCases.count + rfc6902Examples.count + jsonPatchExtraCases.count >= 120)
    }

    @Test func errorNamesOperationIndexAndPath() throws {
        let patch = try JSONValue(
            parsing: #"[{"op": "test", "path": "/a", "value": 1}, {"op": "remove", "path": "/spec/missing"}]"#)
        let document: JSONValue = ["a": 1, "spec": [:]]
        #expect {
            _ = try JSONPatch.apply(patch, to: document)
        } throws: { error in
            guard let error = error as? PatchError else { return false }
            return error.code == .pathNotFound && error.operationIndex == 1 && error.path == "/spec/missing"
                && error.description.contains("operation 1") && error.description.contains("/spec/missing")
        }
    }

    @Test func validationErrorNamesOperationIndex() throws {
        let patch = try JSONValue(parsing: #"[{"op": "add", "path": "/a", "value": 1}, {"op": "add", "path": "/b"}]"#)
        do {
            _ = try JSONPatch.apply(patch, to: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidPatch)
            #expect(error.operationIndex == 1)
            #expect(error.description.contains("value"))
        }
    }

    @Test func failedTestReportsTestFailed() throws {
        let patch = try JSONValue(parsing: #"[{"op": "test", "path": "/metadata/resourceVersion", "value": "5"}]"#)
        do {
            _ = try JSONPatch.apply(patch, to: ["metadata": ["resourceVersion": "6"]])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .testFailed)
            #expect(error.path == "/metadata/resourceVersion")
            #expect(error.operationIndex == 0)
        }
    }

    @Test func nothingAppliesWhenALaterOperationFails() throws {
        let document: JSONValue = ["a": 1, "list": [1, 2]]
        let patch = try JSONValue(
            parsing: #"[{"op": "replace", "path": "/a", "value": 2}, {"op": "remove", "path": "/list/0"},"#
                + #" {"op": "test", "path": "/a", "value": 3}]"#)
        #expect(throws: PatchError.self) { try JSONPatch.apply(patch, to: document) }
        #expect(document == ["a": 1, "list": [1, 2]])
    }

    @Test func moreThanTheOperationLimitIsTooLarge() {
        let operation: JSONValue = ["op": "test", "path": "", "value": [:]]
        let atLimit = JSONValue.array(Array(repeating: operation, count: JSONPatch.maximumOperations))
        #expect((try? JSONPatch.apply(atLimit, to: [:])) == [:])
        let overLimit = JSONValue.array(Array(repeating: operation, count: JSONPatch.maximumOperations + 1))
        do {
            _ = try JSONPatch.apply(overLimit, to: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .tooLarge)
        }
    }

    @Test func copiesBeyondTheByteLimitAreTooLarge() {
        let big = JSONValue.string(String(repeating: "x", count: 1024 * 1024))
        let copy: JSONValue = ["op": "copy", "from": "/big", "path": "/copy"]
        let twoCopies = JSONValue.array([copy, copy])
        #expect((try? JSONPatch.apply(twoCopies, to: ["big": big])) != nil)
        do {
            _ = try JSONPatch.apply(.array([copy, copy, copy]), to: ["big": big])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .tooLarge)
            #expect(error.operationIndex == 2)
        }
    }

    @Test func addKeepsMemberOrderAndAppendsNewMembers() throws {
        let document = try JSONValue(parsing: #"{"b": 1, "a": 2}"#)
        let patch = try JSONValue(
            parsing: #"[{"op": "add", "path": "/b", "value": 3}, {"op": "add", "path": "/c", "value": 4}]"#)
        #expect(try JSONPatch.apply(patch, to: document).jsonString == #"{"b":3,"a":2,"c":4}"#)
    }

    @Test(
        "JSON Pointer parsing",
        arguments: [
            ("", [String]?.some([])),
            ("/", [""]),
            ("/a/b", ["a", "b"]),
            ("/a~1b/m~0n", ["a/b", "m~n"]),
            ("/~01", ["~1"]),
            ("//", ["", ""]),
            ("a", nil),
            ("/~", nil),
            ("/~2", nil),
        ])
    func pointerParsing(_ text: String, _ tokens: [String]?) {
        #expect(JSONPatch.Pointer(text)?.tokens == tokens)
    }

    @Test(
        "array indices",
        arguments: [
            ("0", Int?.some(0)), ("10", 10), ("01", nil), ("00", nil), ("-1", nil), ("-", nil), ("1e0", nil),
            ("+1", nil),
            ("", nil), (" 1", nil),
        ])
    func arrayIndices(_ token: String, _ index: Int?) {
        #expect(JSONPatch.Pointer.arrayIndex(token) == index)
    }
}
