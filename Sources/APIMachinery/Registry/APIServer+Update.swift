extension APIServer {
    /// Replaces an object (main resource, `status` or `finalize`). A resourceVersion is required unless the
    /// type allows unconditional updates; a stale one is 409 Conflict.
    func update(
        _ resource: GroupResource, namespace: String, name: String, object: any APIObject, subresource: String = "",
        context: RequestContext
    ) async throws(APIError) -> any APIObject {
        let storage = try storage(resource)
        let descriptor = storage.descriptor
        let namespace = descriptor.isNamespaced ? namespace : ""
        try checkSubresource(storage, subresource, allowed: ["", "status", "finalize"])
        try await authorize(context, verb: "update", storage, namespace: namespace, name: name, subresource: subresource)
        let meta = object.metadata
        if !meta.name.isEmpty && meta.name != name {
            throw APIError.badRequest("the name of the object (\(meta.name)) does not match the name on the URL (\(name))")
        }
        if descriptor.isNamespaced && !meta.namespace.isEmpty && meta.namespace != namespace {
            throw APIError.badRequest(
                "the namespace of the provided object does not match the namespace sent on the request")
        }
        if meta.resourceVersion.isEmpty && !(descriptor.allowsUnconditionalUpdate && subresource.isEmpty) {
            throw APIError.invalid(kind: descriptor.kind, group: descriptor.group, name: name,
                errors: [.invalid("metadata.resourceVersion", value: "0x0", "must be specified for an update")])
        }
        let incoming = object
        return try await guaranteedUpdate(
            storage, namespace: namespace, name: name, subresource: subresource, context: context,
            precondition: meta.resourceVersion.isEmpty ? nil : meta.resourceVersion
        ) { _, _ throws(APIError) in incoming }
    }

    func checkSubresource(_ storage: ResourceStorage, _ subresource: String, allowed: Set<String>) throws(APIError) {
        let descriptor = storage.descriptor
        guard subresource.isEmpty || descriptor.hasSubresource(subresource), allowed.contains(subresource) else {
            throw APIError.notFound(message: "the server could not find the requested resource "
                + "(\(descriptor.groupResource)/\(subresource))")
        }
    }

    /// The read-transform-write loop every update shares (update, patch, status, scale, finalizers). With a
    /// precondition resourceVersion a conflict is final; without one it retries on the fresh object.
    func guaranteedUpdate(
        _ storage: ResourceStorage, namespace: String, name: String, subresource: String, context: RequestContext,
        precondition: String?,
        transform: (any APIObject, JSONObject) throws(APIError) -> any APIObject
    ) async throws(APIError) -> any APIObject {
        let descriptor = storage.descriptor
        for _ in 0..<64 {
            guard let (current, currentRevision) = try await storage.current(namespace: namespace, name: name) else {
                throw APIError.notFound(descriptor.groupResource, name: name)
            }
            if let precondition, precondition != String(currentRevision) {
                throw APIError.conflict(descriptor.groupResource, name: name)
            }
            let currentTree = try storage.codec.tree(current)
            let incoming = try transform(current, currentTree)
            var updated = try applyUpdateStrategy(storage, subresource: subresource, incoming: incoming,
                current: current, currentTree: currentTree)

            var request = AdmissionRequest(
                operation: .update, descriptor: descriptor, subresource: subresource, namespace: namespace,
                name: name, user: context.user, dryRun: context.dryRun, object: updated, oldObject: current)
            try await admission.admit(&request)
            updated = request.object ?? updated
            updated.metadata.name = name
            updated.metadata.namespace = namespace
            updated.metadata.uid = current.metadata.uid
            updated.metadata.creationTimestamp = current.metadata.creationTimestamp
            request.object = updated

            var errors = NameValidation.validate(updated.metadata, descriptor: descriptor)
            if current.metadata.deletionTimestamp != nil {
                let added = updated.metadata.finalizers.filter { !current.metadata.finalizers.contains($0) }
                if !added.isEmpty {
                    errors.append(.forbidden("metadata.finalizers",
                        "no new finalizers can be added if the object is being deleted, found new finalizers "
                            + "[\(added.joined(separator: " "))]"))
                }
            }
            errors += storage.type.validateUpdate(updated, current)
            if !errors.isEmpty {
                throw APIError.invalid(kind: descriptor.kind, group: descriptor.group, name: name, errors: errors)
            }
            try await admission.validate(request)

            var tree = try storage.codec.tree(updated)
            if subresource.isEmpty, Self.desiredStateChanged(tree, currentTree) {
                updated.metadata.generation = current.metadata.generation + 1
                if tree["metadata"]?["generation"] != nil {
                    tree["metadata"]?["generation"] = .int(updated.metadata.generation)  // in place: same order
                } else {
                    tree = try storage.codec.tree(updated)
                }
            }
            if tree == currentTree { return current }  // nothing changed: no write, same resourceVersion
            if context.dryRun { return updated }

            let finished = updated.metadata.deletionTimestamp != nil && updated.metadata.finalizers.isEmpty
                && (updated.metadata.deletionGracePeriodSeconds ?? 0) == 0 && !Self.namespacePendingFinalization(storage, tree)
            let outcome: ResourceStorage.WriteOutcome
            if finished {
                outcome = try await storage.delete(namespace: namespace, name: name, expected: currentRevision)
            } else {
                let bytes = storage.codec.storedBytes(tree)
                if bytes.count > options.maxRequestBytes {
                    throw APIError.requestEntityTooLarge("the object is \(bytes.count) bytes, over the limit")
                }
                outcome = try await storage.update(namespace: namespace, name: name, bytes: bytes,
                    expected: currentRevision)
            }
            switch outcome {
            case .written(let revision):
                try await awaitDecisionCache(storage, revision: revision)
                updated.metadata.resourceVersion = String(revision)
                return updated
            case .conflict:
                if precondition != nil { throw APIError.conflict(descriptor.groupResource, name: name) }
                continue
            }
        }
        throw APIError.conflict(descriptor.groupResource, name: name, detail: "too many concurrent updates; retry")
    }

    /// What an update may change: the main resource keeps server-owned metadata and (with a status
    /// subresource) the stored status; `status` changes only status; `finalize` only `spec.finalizers`.
    func applyUpdateStrategy(
        _ storage: ResourceStorage, subresource: String, incoming: any APIObject, current: any APIObject,
        currentTree: JSONObject
    ) throws(APIError) -> any APIObject {
        let descriptor = storage.descriptor
        switch subresource {
        case "binding":
            // The binding transform edits the current object itself (spec.nodeName and the PodScheduled
            // condition), so there is nothing to keep from it.
            return incoming
        case "status", "finalize":
            let incomingTree = try storage.codec.tree(incoming)
            var tree = currentTree
            if subresource == "status" {
                tree["status"] = incomingTree["status"]
            } else {
                var spec = tree["spec"]?.objectValue ?? JSONObject()
                spec["finalizers"] = incomingTree["spec"]?["finalizers"]
                tree["spec"] = .object(spec)
            }
            var result = try storage.codec.decodeTree(tree)
            result.metadata.managedFields = incoming.metadata.managedFields.isEmpty
                ? current.metadata.managedFields : incoming.metadata.managedFields
            return result
        default:
            var result = incoming
            result.metadata.uid = current.metadata.uid
            result.metadata.creationTimestamp = current.metadata.creationTimestamp
            result.metadata.generation = current.metadata.generation
            result.metadata.deletionTimestamp = current.metadata.deletionTimestamp
            result.metadata.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds
            result.metadata.selfLink = ""
            if result.metadata.managedFields.isEmpty { result.metadata.managedFields = current.metadata.managedFields }
            if descriptor.hasStatus {
                var tree = try storage.codec.tree(result)
                if tree["status"] != currentTree["status"] {
                    tree["status"] = currentTree["status"]
                    result = try storage.codec.decodeTree(tree)
                }
            }
            return result
        }
    }

    /// Whether anything outside `metadata` and `status` differs.
    static func desiredStateChanged(_ new: JSONObject, _ old: JSONObject) -> Bool {
        var new = new
        var old = old
        new["metadata"] = nil
        new["status"] = nil
        old["metadata"] = nil
        old["status"] = nil
        return new != old
    }

    /// A namespace whose `spec.finalizers` still lists finalizers (the namespace controller empties it).
    static func namespacePendingFinalization(_ storage: ResourceStorage, _ tree: JSONObject) -> Bool {
        guard storage.descriptor.isNamespaceType else { return false }
        return !(tree["spec"]?["finalizers"]?.arrayValue ?? []).isEmpty
    }
}
