/// JSON merge patch (RFC 7386), `application/merge-patch+json`: the patch mirrors the document; objects merge
/// member by member, `null` removes a member, anything else (arrays included) replaces.
public enum JSONMergePatch {
    /// Applies a merge patch (RFC 7386 section 2, `MergePatch(Target, Patch)`).
    ///
    /// - Parameters:
    ///   - patch: The merge patch. A non-object patch replaces the target whole.
    ///   - target: The document patched.
    /// - Returns: The patched document. Members set to `null` by the patch are absent from it.
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result: JSONObject
        if case .object(let object) = target { result = object } else { result = JSONObject() }
        for (key, value) in patchObject {
            if value.isNull {
                result[key] = nil
            } else {
                result[key] = apply(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }

    /// The merge patch that turns `original` into `modified`: changed and added members, `null` for removed
    /// ones, recursing into objects present in both.
    ///
    /// A merge patch cannot set a member to `null` (that means "remove"), so a `modified` holding `null`
    /// members does not round-trip; everything else does: `apply(create(from: a, to: b), to: a) == b`.
    ///
    /// - Returns: The patch; `{}` when the two are equal.
    public static func create(from original: JSONValue, to modified: JSONValue) -> JSONValue {
        guard case .object(let modifiedObject) = modified, case .object(let originalObject) = original else {
            return modified
        }
        var patch = JSONObject()
        for (key, value) in modifiedObject {
            guard let old = originalObject[key] else {
                patch[key] = value
                continue
            }
            if old == value { continue }
            if case .object = value, case .object = old {
                patch[key] = create(from: old, to: value)
            } else {
                patch[key] = value
            }
        }
        for (key, _) in originalObject where modifiedObject[key] == nil {
            patch[key] = .null
        }
        return .object(patch)
    }
}
