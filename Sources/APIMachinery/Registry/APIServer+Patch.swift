extension APIServer {
    /// Patches an object (main resource or `status`): the patch is applied to the current object on every
    /// attempt, so concurrent writers do not make it fail unless it names a resourceVersion itself.
    func patch(
        _ resource: GroupResource, namespace: String, name: String, type patchType: PatchType, body: [UInt8],
        subresource: String = "", context: RequestContext
    ) async throws(APIError) -> any APIObject {
        let storage = try storage(resource)
        let namespace = storage.descriptor.isNamespaced ? namespace : ""
        try checkSubresource(storage, subresource, allowed: ["", "status"])
        try await authorize(context, verb: "patch", storage, namespace: namespace, name: name, subresource: subresource)
        let patch = try Self.parsePatch(body, type: patchType, storage: storage)
        let codec = storage.codec
        let validation = context.fieldValidation
        return try await guaranteedUpdate(
            storage, namespace: namespace, name: name, subresource: subresource, context: context, precondition: nil
        ) { current, currentTree throws(APIError) in
            let patched = try Self.applyPatch(patch, type: patchType, to: currentTree, storage: storage)
            var object = try codec.decodeRequest(patched, validation: validation)
            let version = object.metadata.resourceVersion
            if !version.isEmpty && version != current.metadata.resourceVersion {
                throw APIError.conflict(storage.descriptor.groupResource, name: name)
            }
            object.metadata.resourceVersion = current.metadata.resourceVersion
            return object
        }
    }

    static func parsePatch(_ body: [UInt8], type: PatchType, storage: ResourceStorage) throws(APIError) -> JSONValue {
        switch type {
        case .strategicMerge where storage.type.strategicMergeSchema == nil:
            throw APIError.unsupportedMediaType(type.rawValue + " is not supported for \(storage.groupResource)")
        case .apply:
            throw APIError.unsupportedMediaType(type.rawValue + " (server-side apply is not supported; use "
                + "client-side apply)")
        default: break
        }
        do {
            return try JSONValue(parsing: body)
        } catch {
            throw APIError.badRequest("error decoding patch: \(error)")
        }
    }

    static func applyPatch(
        _ patch: JSONValue, type: PatchType, to tree: JSONObject, storage: ResourceStorage
    ) throws(APIError) -> JSONValue {
        let document = JSONValue.object(tree)
        switch type {
        case .merge:
            guard case .object = patch else { throw APIError.badRequest("a merge patch must be a JSON object") }
            return JSONMergePatch.apply(patch, to: document)
        case .json:
            do {
                return try JSONPatch.apply(patch, to: document)
            } catch {
                throw APIError.patchFailed(error)
            }
        case .strategicMerge:
            guard case .object = patch else { throw APIError.badRequest("a strategic merge patch must be a JSON object") }
            do {
                return try StrategicMergePatch.apply(patch, to: document,
                    schema: storage.type.strategicMergeSchema ?? StrategicMergeSchema())
            } catch {
                throw APIError.patchFailed(error)
            }
        case .apply:
            throw APIError.unsupportedMediaType(type.rawValue)
        }
    }
}

extension APIError {
    /// A patch that could not be applied: 400 for a malformed patch, 413 for one over the limits, 422 when it
    /// does not apply to the object (a failed `test`, a missing path).
    static func patchFailed(_ error: PatchError) -> APIError {
        switch error.code {
        case .invalidPatch: return .badRequest("invalid patch: \(error)")
        case .tooLarge: return .requestEntityTooLarge("the patch is too large: \(error)")
        default:
            return APIError(code: 422, reason: .invalid, message: "the server rejected our request due to an error "
                + "in our request: \(error)")
        }
    }
}
