/// Kubernetes strategic merge patch (`application/strategic-merge-patch+json`, k8s.io/apimachinery
/// `pkg/util/strategicpatch`), driven by a ``StrategicMergeSchema`` instead of Go struct tags.
///
/// Objects merge recursively and `null` deletes a member, as in a JSON merge patch. Lists depend on the
/// schema entry for their dotted path (list levels left out: a container's ports are `spec.containers.ports`):
/// lists of objects with a merge key merge element by element, lists named in
/// ``StrategicMergeSchema/mergedScalarLists`` merge as sets, every other list is replaced. Directives:
///
/// - `$patch: replace` in an object replaces that object; in a list element, it replaces the whole list with
///   the patch's other elements.
/// - `$patch: delete` in a list element deletes the elements with the same merge key; in an object, it
///   empties the object (Kubernetes leaves `{}`).
/// - `$patch: merge` in an object is the default, merging (Kubernetes refuses it there; here it is accepted);
///   in a list element it is refused, as in Kubernetes.
/// - `$deleteFromPrimitiveList/<field>: [...]` removes those values from a list of scalars.
/// - `$setElementOrder/<field>: [...]` gives the final order of the merged list's elements named in the
///   patch (lists of objects by merge key: `[{"name": "a"}, {"name": "b"}]`); elements only the original
///   has keep their place relative to them.
/// - `$retainKeys: [...]` drops the original's members not listed (every member the patch sets must be
///   listed).
///
/// Without `$setElementOrder`, merged lists are ordered as Kubernetes orders them: the patch's elements in
/// patch order, interleaved with the original-only elements in original order; an element new to the list
/// goes before the original-only elements that follow it.
///
/// Where Kubernetes copies a patch value verbatim into the result because the original lacks that member (or
/// holds another type), the value is instead merged into an empty object or list, so that directives and
/// `null`s inside it are processed rather than left in the result.
public enum StrategicMergePatch {
    /// Applies a strategic merge patch.
    ///
    /// - Parameters:
    ///   - patch: The patch; must be an object.
    ///   - original: The document patched; must be an object (`null` counts as `{}`).
    ///   - schema: How the document's lists and objects merge.
    /// - Returns: The patched document.
    /// - Throws: ``PatchError`` with ``PatchError/Code/invalidPatch`` for an unknown `$patch` value or a
    ///   malformed directive, ``PatchError/Code/invalidDocument`` when the document or the lists cannot be
    ///   merged; the error's path is the dotted field path.
    public static func apply(_ patch: JSONValue, to original: JSONValue, schema: StrategicMergeSchema)
        throws(PatchError) -> JSONValue
    {
        guard case .object(let patchObject) = patch else {
            throw .invalidPatch("a strategic merge patch must be an object, not a \(patch.typeName)")
        }
        let originalObject: JSONObject
        switch original {
        case .object(let object): originalObject = object
        case .null: originalObject = JSONObject()
        default: throw .invalidDocument("a strategic merge patch applies to an object, not a \(original.typeName)")
        }
        return .object(try Merger(schema: schema).mergeObject(originalObject, patchObject, path: ""))
    }

    /// The two-way strategic merge patch that turns `original` into `modified` (Kubernetes'
    /// `CreateTwoWayMergePatch`): changed members, `null` for removed ones, merge lists as changed and added
    /// elements plus `$patch: delete` elements, scalar set lists as additions plus
    /// `$deleteFromPrimitiveList`, each with a `$setElementOrder` list, and other lists whole.
    ///
    /// `apply(create(from: a, to: b, schema: s), to: a, schema: s) == b` for objects without `null` members or
    /// duplicate values in set lists.
    ///
    /// - Returns: The patch; `{}` when the two are equal. A non-object `modified` is returned unchanged.
    public static func create(from original: JSONValue, to modified: JSONValue, schema: StrategicMergeSchema)
        -> JSONValue
    {
        guard case .object(let modifiedObject) = modified else { return modified }
        return .object(
            Merger(schema: schema).diffObjects(original.objectValue ?? JSONObject(), modifiedObject, path: ""))
    }
}

extension StrategicMergePatch {
    static let directiveMarker = "$patch"
    static let retainKeysDirective = "$retainKeys"
    static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList"
    static let setElementOrderPrefix = "$setElementOrder"

    /// How a list merges.
    enum ListStrategy: Equatable {
        /// The patch's list replaces the original's.
        case replace
        /// Elements merge: objects matched on the key, scalars as a set (no key).
        case merge(key: String?)
    }

    /// The merge and diff algorithms for one schema.
    struct Merger {
        let schema: StrategicMergeSchema

        func childPath(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        func listStrategy(_ path: String) -> ListStrategy {
            if let key = schema.listMergeKeys[path] { return .merge(key: key) }
            if schema.mergedScalarLists.contains(path) { return .merge(key: nil) }
            return .replace
        }

        /// The field a prefixed directive key (`$setElementOrder/containers`) applies to.
        func directiveField(_ key: String, prefix: String, path: String) throws(PatchError) -> String {
            guard let slash = key.firstIndex(of: "/"), key[..<slash] == prefix else {
                throw .invalidPatch("invalid directive \"\(key)\": expected \(prefix)/<field>", path: path)
            }
            return String(key[key.index(after: slash)...])
        }
    }
}
