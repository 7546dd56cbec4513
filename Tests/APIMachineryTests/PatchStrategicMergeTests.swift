import Testing

@testable import APIMachinery

private func smpJSON(_ text: String) -> JSONValue {
    do {
        return try JSONValue(parsing: text)
    } catch {
        fatalError("bad test JSON: \(error)\n\(text)")
    }
}

/// The schema the Kubernetes strategicpatch tests use for their `MergeItem` test type, by field name, plus
/// Pod-like paths.
private let smpSchema = StrategicMergeSchema.objectMeta.merging(
    StrategicMergeSchema(
        listMergeKeys: [
            "mergingList": "name",
            "mergingList.mergingList": "name",
            "spec.containers": "name",
            "spec.containers.ports": "containerPort",
            "spec.containers.env": "name",
            "spec.volumes": "name",
        ],
        mergedScalarLists: ["mergingIntList", "mergingList.mergingIntList"],
        replacedObjects: ["replacingMap", "spec.selector"]
    )
)

private let smpPod = smpJSON(
    #"""
    {"apiVersion": "v1", "kind": "Pod",
     "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}, "finalizers": ["a", "b"]},
     "spec": {
       "containers": [
         {"name": "nginx", "image": "nginx:1.0", "ports": [{"containerPort": 80, "protocol": "TCP"}],
          "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
         {"name": "sidecar", "image": "busybox:1.0", "args": ["sleep", "3600"]}
       ],
       "tolerations": [{"key": "k1", "operator": "Exists"}],
       "securityContext": {"runAsUser": 1000, "fsGroup": 2000}
     }}
    """#
)

/// An original, a patch and the expected result (or error code).
struct StrategicMergeCase: Sendable, CustomTestStringConvertible {
    var description: String
    var original: JSONValue
    var patch: JSONValue
    var result: JSONValue?
    var error: PatchError.Code?

    var testDescription: String { description }

    init(_ description: String, _ original: String, _ patch: String, _ result: String) {
        self.description = description
        self.original = smpJSON(original)
        self.patch = smpJSON(patch)
        self.result = smpJSON(result)
    }

    init(_ description: String, _ original: String, _ patch: String, error: PatchError.Code) {
        self.description = description
        self.original = smpJSON(original)
        self.patch = smpJSON(patch)
        self.error = error
    }
}

/// Modelled on the cases of k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go.
private let smpCases: [StrategicMergeCase] = [
    .init("nil original", #"{}"#, #"{"name":1,"value":1}"#, #"{"name":1,"value":1}"#),
    .init("empty patch", #"{"name":1}"#, #"{}"#, #"{"name":1}"#),
    .init("add field to map", #"{"name":1}"#, #"{"value":1}"#, #"{"name":1,"value":1}"#),
    .init("add field and delete field from map", #"{"name":1}"#, #"{"name":null,"value":1}"#, #"{"value":1}"#),
    .init(
        "delete field from nested map", #"{"simpleMap":{"key1":1,"key2":1}}"#, #"{"simpleMap":{"key2":null}}"#,
        #"{"simpleMap":{"key1":1}}"#),
    .init("null for a missing field is ignored", #"{"a":1}"#, #"{"b":null}"#, #"{"a":1}"#),
    .init(
        "delete all fields from map with $patch: replace", #"{"name":1,"value":1}"#, #"{"$patch":"replace"}"#,
        #"{}"#),
    .init(
        "add field and delete all fields from map with $patch: replace", #"{"name":1,"value":1}"#,
        #"{"other":"a","$patch":"replace"}"#, #"{"other":"a"}"#),
    .init(
        "$patch: replace on a nested map", #"{"simpleMap":{"key1":1,"key2":1},"x":1}"#,
        #"{"simpleMap":{"$patch":"replace","key3":3}}"#, #"{"simpleMap":{"key3":3},"x":1}"#),
    .init(
        "$patch: delete on a nested map leaves it empty", #"{"simpleMap":{"key1":1},"x":1}"#,
        #"{"simpleMap":{"$patch":"delete"}}"#, #"{"simpleMap":{},"x":1}"#),
    .init(
        "$patch: merge on a map is the default merge", #"{"simpleMap":{"key1":1}}"#,
        #"{"simpleMap":{"$patch":"merge","key2":2}}"#, #"{"simpleMap":{"key1":1,"key2":2}}"#),
    .init(
        "replace list of scalars (atomic)", #"{"nonMergingIntList":[1,2]}"#, #"{"nonMergingIntList":[2,3]}"#,
        #"{"nonMergingIntList":[2,3]}"#),
    .init(
        "atomic list of maps is replaced", #"{"nonMergingList":[{"name":1},{"name":2}]}"#,
        #"{"nonMergingList":[{"name":3}]}"#, #"{"nonMergingList":[{"name":3}]}"#),
    .init(
        "merge lists of scalars", #"{"mergingIntList":[1,2]}"#,
        #"{"$setElementOrder/mergingIntList":[1,2,3],"mergingIntList":[3]}"#, #"{"mergingIntList":[1,2,3]}"#),
    .init(
        "merge lists of scalars: duplicates collapse", #"{"mergingIntList":[1,2]}"#,
        #"{"mergingIntList":[2,3,2]}"#, #"{"mergingIntList":[1,2,3]}"#),
    .init(
        "delete from a list of scalars", #"{"mergingIntList":[1,2,3]}"#,
        #"{"$setElementOrder/mergingIntList":[1,3],"$deleteFromPrimitiveList/mergingIntList":[2]}"#,
        #"{"mergingIntList":[1,3]}"#),
    .init(
        "delete everything from a list of scalars", #"{"mergingIntList":[1,2]}"#,
        #"{"$deleteFromPrimitiveList/mergingIntList":[1,2]}"#, #"{"mergingIntList":[]}"#),
    .init(
        "delete from a missing list", #"{"a":1}"#, #"{"$deleteFromPrimitiveList/mergingIntList":[1]}"#,
        #"{"a":1}"#),
    .init(
        "reorder a list of scalars", #"{"mergingIntList":[1,2,3]}"#,
        #"{"$setElementOrder/mergingIntList":[3,1,2]}"#, #"{"mergingIntList":[3,1,2]}"#),
    .init(
        "merge lists of maps: add an element", #"{"mergingList":[{"name":1},{"name":2}]}"#,
        #"{"$setElementOrder/mergingList":[{"name":1},{"name":2},{"name":3}],"mergingList":[{"name":3}]}"#,
        #"{"mergingList":[{"name":1},{"name":2},{"name":3}]}"#),
    .init(
        "merge lists of maps: change an element", #"{"mergingList":[{"name":1,"value":1},{"name":2,"other":"b"}]}"#,
        #"{"$setElementOrder/mergingList":[{"name":1},{"name":2}],"mergingList":[{"name":1,"value":2}]}"#,
        #"{"mergingList":[{"name":1,"value":2},{"name":2,"other":"b"}]}"#),
    .init(
        "merge lists of maps: delete a field of an element", #"{"mergingList":[{"name":1,"value":1,"other":"a"}]}"#,
        #"{"mergingList":[{"name":1,"value":null}]}"#, #"{"mergingList":[{"name":1,"other":"a"}]}"#),
    .init(
        "delete an element from a merging list", #"{"mergingList":[{"name":1},{"name":2}]}"#,
        #"{"$setElementOrder/mergingList":[{"name":2}],"mergingList":[{"name":1,"$patch":"delete"}]}"#,
        #"{"mergingList":[{"name":2}]}"#),
    .init(
        "delete a missing element is a no-op", #"{"mergingList":[{"name":1}]}"#,
        #"{"mergingList":[{"name":9,"$patch":"delete"}]}"#, #"{"mergingList":[{"name":1}]}"#),
    .init(
        "$patch: replace in a list replaces it", #"{"mergingList":[{"name":1},{"name":2}]}"#,
        #"{"mergingList":[{"name":3,"value":3},{"$patch":"replace"}]}"#, #"{"mergingList":[{"name":3,"value":3}]}"#),
    .init(
        "$patch: replace alone empties the list", #"{"mergingList":[{"name":1},{"name":2}]}"#,
        #"{"mergingList":[{"$patch":"replace"}]}"#, #"{"mergingList":[]}"#),
    .init(
        "an empty patch list leaves a merging list alone", #"{"mergingList":[{"name":1}]}"#,
        #"{"mergingList":[]}"#, #"{"mergingList":[{"name":1}]}"#),
    .init(
        "null deletes a merging list", #"{"mergingList":[{"name":1}],"a":1}"#, #"{"mergingList":null}"#,
        #"{"a":1}"#),
    .init(
        "nested merging lists", #"{"mergingList":[{"name":1,"mergingList":[{"name":"x","v":1},{"name":"y"}]}]}"#,
        #"{"mergingList":[{"name":1,"mergingList":[{"name":"x","v":2}]}]}"#,
        #"{"mergingList":[{"name":1,"mergingList":[{"name":"x","v":2},{"name":"y"}]}]}"#),
    .init(
        "nested scalar set inside a merging list", #"{"mergingList":[{"name":1,"mergingIntList":[1]}]}"#,
        #"{"mergingList":[{"name":1,"mergingIntList":[2]}]}"#,
        #"{"mergingList":[{"name":1,"mergingIntList":[2,1]}]}"#),
    .init(
        "reorder a list of maps", #"{"mergingList":[{"name":1},{"name":2},{"name":3}]}"#,
        #"{"$setElementOrder/mergingList":[{"name":3},{"name":1},{"name":2}]}"#,
        #"{"mergingList":[{"name":3},{"name":1},{"name":2}]}"#),
    .init(
        "server-only elements keep their place", #"{"mergingList":[{"name":1},{"name":2},{"name":3},{"name":4}]}"#,
        #"{"$setElementOrder/mergingList":[{"name":4},{"name":2}],"mergingList":[{"name":2,"v":1}]}"#,
        #"{"mergingList":[{"name":1},{"name":3},{"name":4},{"name":2,"v":1}]}"#),
    .init(
        "without $setElementOrder, changed elements keep their place", #"{"mergingList":[{"name":1},{"name":2}]}"#,
        #"{"mergingList":[{"name":2,"v":1}]}"#, #"{"mergingList":[{"name":1},{"name":2,"v":1}]}"#),
    .init(
        "without $setElementOrder, patch order wins among patch elements",
        #"{"mergingList":[{"name":1},{"name":2},{"name":3}]}"#,
        #"{"mergingList":[{"name":3,"v":3},{"name":1,"v":1}]}"#,
        #"{"mergingList":[{"name":2},{"name":3,"v":3},{"name":1,"v":1}]}"#),
    .init(
        "without $setElementOrder, a new element goes before later original-only ones",
        #"{"mergingList":[{"name":1},{"name":2}]}"#, #"{"mergingList":[{"name":1,"v":1},{"name":3}]}"#,
        #"{"mergingList":[{"name":1,"v":1},{"name":3},{"name":2}]}"#),
    .init(
        "$retainKeys drops unlisted fields", #"{"retainKeysMap":{"name":"foo","value":"bar","other":"x"}}"#,
        #"{"retainKeysMap":{"$retainKeys":["name","value"],"value":"baz"}}"#,
        #"{"retainKeysMap":{"name":"foo","value":"baz"}}"#),
    .init(
        "$retainKeys with a null for a dropped field", #"{"retainKeysMap":{"name":"foo","other":"x"}}"#,
        #"{"retainKeysMap":{"$retainKeys":["name"],"other":null}}"#, #"{"retainKeysMap":{"name":"foo"}}"#),
    .init(
        "replaced object (patchStrategy replace)", #"{"replacingMap":{"a":1,"b":2}}"#,
        #"{"replacingMap":{"c":3}}"#, #"{"replacingMap":{"c":3}}"#),
    .init(
        "a value of another type replaces", #"{"simpleMap":{"a":1}}"#, #"{"simpleMap":"text"}"#,
        #"{"simpleMap":"text"}"#),
    .init(
        "directives inside a new member are processed", #"{}"#,
        #"{"mergingList":[{"name":1,"$patch":"delete"},{"name":2,"x":null}],"simpleMap":{"a":null,"b":1}}"#,
        #"{"mergingList":[{"name":2}],"simpleMap":{"b":1}}"#),
    // Errors.
    .init("unknown $patch in a map", #"{"a":1}"#, #"{"$patch":"frobnicate"}"#, error: .invalidPatch),
    .init(
        "unknown $patch in a nested map", #"{"simpleMap":{"a":1}}"#, #"{"simpleMap":{"$patch":"bogus"}}"#,
        error: .invalidPatch),
    .init(
        "unknown $patch in a list element", #"{"mergingList":[{"name":1}]}"#,
        #"{"mergingList":[{"name":1,"$patch":"bogus"}]}"#, error: .invalidPatch),
    .init("non-string $patch", #"{"a":1}"#, #"{"$patch":true}"#, error: .invalidPatch),
    .init(
        "$patch: merge in a list element", #"{"mergingList":[{"name":1}]}"#,
        #"{"mergingList":[{"name":1,"$patch":"merge"}]}"#, error: .invalidPatch),
    .init(
        "$patch: delete without the merge key", #"{"mergingList":[{"name":1}]}"#,
        #"{"mergingList":[{"$patch":"delete"}]}"#, error: .invalidPatch),
    .init(
        "patch element without the merge key", #"{"mergingList":[{"name":1}]}"#,
        #"{"mergingList":[{"value":1}]}"#, error: .invalidPatch),
    .init(
        "$setElementOrder not matching the patch list", #"{"mergingList":[{"name":1},{"name":2}]}"#,
        #"{"$setElementOrder/mergingList":[{"name":1},{"name":2}],"mergingList":[{"name":2},{"name":1}]}"#,
        error: .invalidPatch),
    .init(
        "$setElementOrder naming an element missing from it", #"{"mergingList":[{"name":1}]}"#,
        #"{"$setElementOrder/mergingList":[{"name":1}],"mergingList":[{"name":3}]}"#, error: .invalidPatch),
    .init(
        "$setElementOrder that is not a list", #"{"mergingIntList":[1]}"#,
        #"{"$setElementOrder/mergingIntList":1}"#, error: .invalidPatch),
    .init(
        "$setElementOrder without a field", #"{"mergingIntList":[1]}"#, #"{"$setElementOrder":[1]}"#,
        error: .invalidPatch),
    .init(
        "$deleteFromPrimitiveList that is not a list", #"{"mergingIntList":[1]}"#,
        #"{"$deleteFromPrimitiveList/mergingIntList":1}"#, error: .invalidPatch),
    .init("$retainKeys that is not a list", #"{"m":{"a":1}}"#, #"{"m":{"$retainKeys":"a"}}"#, error: .invalidPatch),
    .init(
        "$retainKeys not listing a field the patch sets", #"{"m":{"a":1}}"#,
        #"{"m":{"$retainKeys":["a"],"b":2}}"#, error: .invalidPatch),
    .init("list of lists", #"{"mergingIntList":[[1]]}"#, #"{"mergingIntList":[[2]]}"#, error: .invalidDocument),
    .init(
        "list elements of mixed types", #"{"mergingIntList":[1]}"#, #"{"mergingIntList":["a"]}"#,
        error: .invalidDocument),
    .init(
        "maps in a list merged as scalars", #"{"mergingIntList":[{"a":1}]}"#, #"{"mergingIntList":[{"a":2}]}"#,
        error: .invalidDocument),
]

@Suite("Strategic merge patch")
struct PatchStrategicMergeTests {
    @Test("strategicpatch-style cases", arguments: smpCases)
    func mergeItem(_ example: StrategicMergeCase) {
        do {
            let result = try StrategicMergePatch.apply(example.patch, to: example.original, schema: smpSchema)
            if let code = example.error {
                Issue.record("expected a \(code) error, got \(result.jsonString)")
            } else {
                #expect(result == example.result)
                // Lists are order-sensitive under ==; objects are not: check the JSON order of lists too.
                #expect(result.jsonString == applyOrder(example.result!, like: result).jsonString)
            }
        } catch {
            if let code = example.error {
                #expect(error.code == code, "\(error)")
            } else {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    /// `value` with its object members in the order `reference` has them (to compare JSON text).
    func applyOrder(_ value: JSONValue, like reference: JSONValue) -> JSONValue {
        switch (value, reference) {
        case (.object(let object), .object(let order)):
            var result = JSONObject()
            for key in order.keys where object[key] != nil { result[key] = applyOrder(object[key]!, like: order[key]!) }
            for (key, member) in object where result[key] == nil { result[key] = member }
            return .object(result)
        case (.array(let array), .array(let order)) where array.count == order.count:
            return .array(zip(array, order).map { applyOrder($0, like: $1) })
        default:
            return value
        }
    }

    func apply(_ patch: String, to original: JSONValue = smpPod) throws(PatchError) -> JSONValue {
        try StrategicMergePatch.apply(smpJSON(patch), to: original, schema: smpSchema)
    }

    @Test func containerImageChangeKeepsTheOtherContainers() throws {
        let result = try apply(#"{"spec":{"containers":[{"name":"nginx","image":"nginx:1.1"}]}}"#)
        let containers = try #require(result.value(atPath: "spec.containers")?.arrayValue)
        #expect(containers.count == 2)
        #expect(containers[0]["name"] == "nginx")
        #expect(containers[0]["image"] == "nginx:1.1")
        #expect(containers[0]["ports"] == [["containerPort": 80, "protocol": "TCP"]])
        #expect(containers[0]["env"]?.arrayValue?.count == 2)
        #expect(containers[1] == smpPod.value(atPath: "spec.containers")?.arrayValue?[1])
        // Nothing else changed.
        var expected = smpPod
        var spec = expected["spec"]!
        var list = containers
        list[0]["image"] = "nginx:1.0"
        spec["containers"] = .array(list)
        expected["spec"] = spec
        #expect(expected == smpPod)
    }

    @Test func nestedListsMergeByTheirOwnKey() throws {
        let result = try apply(
            #"""
            {"spec":{"containers":[{"name":"nginx",
              "ports":[{"containerPort":443},{"containerPort":80,"protocol":"UDP"}],
              "env":[{"name":"B","value":null},{"name":"A","$patch":"delete"},{"name":"C","value":"3"}]}]}}
            """#)
        let nginx = try #require(result.value(atPath: "spec.containers")?.arrayValue?.first)
        #expect(nginx["ports"] == [["containerPort": 443], ["containerPort": 80, "protocol": "UDP"]])
        #expect(nginx["env"] == [["name": "B"], ["name": "C", "value": "3"]])
    }

    @Test func deleteAContainer() throws {
        let result = try apply(#"{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}"#)
        let names = result.value(atPath: "spec.containers")?.arrayValue?.map { $0["name"] }
        #expect(names == ["nginx"])
    }

    @Test func replaceTheContainerList() throws {
        let result = try apply(
            #"{"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"alpine"}]}}"#)
        #expect(result.value(atPath: "spec.containers") == [["name": "only", "image": "alpine"]])
        #expect(result.value(atPath: "spec.tolerations") == smpPod.value(atPath: "spec.tolerations"))
    }

    @Test func replaceAMap() throws {
        let result = try apply(#"{"metadata":{"labels":{"$patch":"replace","app":"api"}}}"#)
        #expect(result.value(atPath: "metadata.labels") == ["app": "api"])
        #expect(result.value(atPath: "metadata.name") == "web")
        let context = try apply(#"{"spec":{"securityContext":{"$patch":"replace","runAsNonRoot":true}}}"#)
        #expect(context.value(atPath: "spec.securityContext") == ["runAsNonRoot": true])
    }

    @Test func setElementOrderReordersContainers() throws {
        let result = try apply(
            #"""
            {"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"nginx"}],
                     "containers":[{"name":"sidecar","image":"busybox:1.1"}]}}
            """#)
        let containers = try #require(result.value(atPath: "spec.containers")?.arrayValue)
        #expect(containers.map { $0["name"] } == ["sidecar", "nginx"])
        #expect(containers[0]["image"] == "busybox:1.1")
        #expect(containers[0]["args"] == ["sleep", "3600"])
    }

    @Test func setElementOrderAddsAContainerAtItsPlace() throws {
        let result = try apply(
            #"""
            {"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"new"},{"name":"sidecar"}],
                     "containers":[{"name":"new","image":"redis"}]}}
            """#)
        let names = result.value(atPath: "spec.containers")?.arrayValue?.map { $0["name"] }
        #expect(names == ["nginx", "new", "sidecar"])
    }

    @Test func finalizersMergeAsASet() throws {
        let result = try apply(#"{"metadata":{"finalizers":["c","a"]}}"#)
        let finalizers = try #require(result.value(atPath: "metadata.finalizers")?.arrayValue)
        #expect(Set(finalizers) == ["a", "b", "c"])
        #expect(finalizers.count == 3)
        // Kubernetes' order: the patch's elements in patch order, the original-only "b" after the "a" it
        // follows in the original.
        #expect(finalizers == ["c", "a", "b"])
        let ordered = try apply(#"{"metadata":{"$setElementOrder/finalizers":["a","b","c"],"finalizers":["c"]}}"#)
        #expect(ordered.value(atPath: "metadata.finalizers") == ["a", "b", "c"])
    }

    @Test func deleteFromPrimitiveListRemovesFinalizers() throws {
        let result = try apply(#"{"metadata":{"$deleteFromPrimitiveList/finalizers":["a","missing"]}}"#)
        #expect(result.value(atPath: "metadata.finalizers") == ["b"])
        let both = try apply(
            #"{"metadata":{"$setElementOrder/finalizers":["b","c"],"$deleteFromPrimitiveList/finalizers":["a"],"finalizers":["c"]}}"#
        )
        #expect(both.value(atPath: "metadata.finalizers") == ["b", "c"])
    }

    @Test func retainKeysSwitchesAUnionMember() throws {
        let deployment = smpJSON(
            #"{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}"#)
        let result = try StrategicMergePatch.apply(
            smpJSON(#"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"#), to: deployment,
            schema: smpSchema)
        #expect(result == smpJSON(#"{"spec":{"strategy":{"type":"Recreate"}}}"#))
    }

    @Test func nullDeletesAKey() throws {
        let result = try apply(#"{"metadata":{"labels":{"tier":null}},"spec":{"securityContext":null}}"#)
        #expect(result.value(atPath: "metadata.labels") == ["app": "web"])
        #expect(result.value(atPath: "spec.securityContext") == nil)
        #expect(result.value(atPath: "spec.containers") == smpPod.value(atPath: "spec.containers"))
    }

    @Test func atomicListIsReplaced() throws {
        let result = try apply(#"{"spec":{"tolerations":[{"key":"k2","operator":"Equal","value":"v"}]}}"#)
        #expect(result.value(atPath: "spec.tolerations") == [["key": "k2", "operator": "Equal", "value": "v"]])
        let args = try apply(#"{"spec":{"containers":[{"name":"sidecar","args":["sleep"]}]}}"#)
        #expect(args.value(atPath: "spec.containers")?.arrayValue?[1]["args"] == ["sleep"])
    }

    @Test func replacedObjectIsReplaced() throws {
        let original = smpJSON(#"{"spec":{"selector":{"app":"a","tier":"b"}}}"#)
        let result = try StrategicMergePatch.apply(
            smpJSON(#"{"spec":{"selector":{"app":"c"}}}"#), to: original, schema: smpSchema)
        #expect(result == smpJSON(#"{"spec":{"selector":{"app":"c"}}}"#))
    }

    @Test func unknownDirectiveIsAnError() {
        do {
            _ = try apply(#"{"spec":{"containers":[{"name":"nginx","$patch":"remove"}]}}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidPatch)
            #expect(error.path == "spec.containers")
            #expect(error.description.contains("remove"))
        }
        do {
            _ = try apply(#"{"metadata":{"labels":{"$patch":"remove"}}}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidPatch)
            #expect(error.path == "metadata.labels")
        }
    }

    @Test func patchAndOriginalMustBeObjects() {
        #expect(throws: PatchError.self) { try StrategicMergePatch.apply([1], to: smpPod, schema: smpSchema) }
        do {
            _ = try StrategicMergePatch.apply([:], to: "text", schema: smpSchema)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidDocument)
        }
        #expect((try? StrategicMergePatch.apply(["a": 1], to: nil, schema: smpSchema)) == ["a": 1])
    }

    // MARK: - create

    @Test func createMatchesKubectlShape() throws {
        var modified = smpPod
        var spec = modified["spec"]!
        var containers = spec["containers"]!.arrayValue!
        containers[0]["image"] = "nginx:1.1"
        spec["containers"] = .array(containers)
        modified["spec"] = spec
        let patch = StrategicMergePatch.create(from: smpPod, to: modified, schema: smpSchema)
        #expect(
            patch
                == smpJSON(
                    #"""
                    {"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],
                             "containers":[{"name":"nginx","image":"nginx:1.1"}]}}
                    """#))
        #expect(StrategicMergePatch.create(from: smpPod, to: smpPod, schema: smpSchema) == [:])
    }

    @Test func createDeletesWithDirectives() throws {
        let original = smpJSON(#"{"mergingList":[{"name":1},{"name":2}],"mergingIntList":[1,2,3],"x":1}"#)
        let modified = smpJSON(#"{"mergingList":[{"name":2}],"mergingIntList":[1,3]}"#)
        let patch = StrategicMergePatch.create(from: original, to: modified, schema: smpSchema)
        #expect(
            patch
                == smpJSON(
                    #"""
                    {"$setElementOrder/mergingList":[{"name":2}],"mergingList":[{"name":1,"$patch":"delete"}],
                     "$setElementOrder/mergingIntList":[1,3],"$deleteFromPrimitiveList/mergingIntList":[2],"x":null}
                    """#))
    }

    static let roundTripPairs: [(String, String)] = [
        (#"{}"#, #"{"a":1,"mergingList":[{"name":1}]}"#),
        (#"{"a":1,"b":{"c":2}}"#, #"{"a":2,"b":{"d":3}}"#),
        (#"{"mergingList":[{"name":1,"v":1},{"name":2}]}"#, #"{"mergingList":[{"name":1,"v":2},{"name":2}]}"#),
        (#"{"mergingList":[{"name":1},{"name":2}]}"#, #"{"mergingList":[{"name":2},{"name":1}]}"#),
        (#"{"mergingList":[{"name":1},{"name":2}]}"#, #"{"mergingList":[{"name":3},{"name":2}]}"#),
        (#"{"mergingList":[{"name":1},{"name":2}]}"#, #"{"mergingList":[]}"#),
        (#"{"mergingList":[{"name":1}]}"#, #"{"mergingList":[{"name":0},{"name":1},{"name":2}]}"#),
        (
            #"{"mergingList":[{"name":1,"mergingList":[{"name":"a"},{"name":"b","v":1}]}]}"#,
            #"{"mergingList":[{"name":1,"mergingList":[{"name":"b","v":2},{"name":"c"}]}]}"#
        ),
        (#"{"mergingIntList":[1,2,3]}"#, #"{"mergingIntList":[3,4,1]}"#),
        (#"{"mergingIntList":[1,2,3]}"#, #"{"mergingIntList":[]}"#),
        (#"{"mergingIntList":[1]}"#, #"{"mergingIntList":[1,2]}"#),
        (#"{"nonMergingList":[{"name":1}]}"#, #"{"nonMergingList":[{"name":2},{"name":1}]}"#),
        (#"{"replacingMap":{"a":1,"b":2}}"#, #"{"replacingMap":{"b":3}}"#),
        (#"{"simpleMap":{"a":1}}"#, #"{"simpleMap":[1]}"#),
        (#"{"mergingList":[{"v":1}]}"#, #"{"mergingList":[{"v":2}]}"#),
        (#"{}"#, #"{"mergingList":[{"v":1}],"mergingIntList":[1,"a"]}"#),
    ]

    @Test("create round trips", arguments: roundTripPairs)
    func createRoundTrip(_ original: String, _ modified: String) throws {
        let a = smpJSON(original)
        let b = smpJSON(modified)
        let forward = StrategicMergePatch.create(from: a, to: b, schema: smpSchema)
        #expect(try StrategicMergePatch.apply(forward, to: a, schema: smpSchema) == b, "patch \(forward.jsonString)")
        let backward = StrategicMergePatch.create(from: b, to: a, schema: smpSchema)
        #expect(try StrategicMergePatch.apply(backward, to: b, schema: smpSchema) == a, "patch \(backward.jsonString)")
    }

    @Test func createRoundTripsPodEdits() throws {
        var modified = smpPod
        modified["metadata"] = smpJSON(
            #"{"name":"web","labels":{"app":"web","env":"prod"},"finalizers":["b","c"],"annotations":{"x":"y"}}"#)
        modified["spec"] = smpJSON(
            #"""
            {"containers":[
               {"name":"sidecar","image":"busybox:1.1","args":["sleep","60"]},
               {"name":"nginx","image":"nginx:1.0","ports":[{"containerPort":443,"protocol":"TCP"}],
                "env":[{"name":"B","value":"2"},{"name":"C","value":"3"}]},
               {"name":"log","image":"fluentd"}],
             "tolerations":[{"key":"k1","operator":"Exists"},{"key":"k2","operator":"Exists"}],
             "securityContext":{"runAsUser":1000}}
            """#)
        for (from, to) in [(smpPod, modified), (modified, smpPod)] {
            let patch = StrategicMergePatch.create(from: from, to: to, schema: smpSchema)
            let result = try StrategicMergePatch.apply(patch, to: from, schema: smpSchema)
            #expect(result == to, "patch \(patch.jsonString)")
        }
    }
}
