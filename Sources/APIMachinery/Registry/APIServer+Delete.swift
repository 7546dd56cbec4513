extension APIServer {
    /// The outcome of a delete: the object is gone, or it stays marked for deletion (finalizers, a grace period).
    struct DeleteOutcome: Sendable {
        var object: any APIObject
        /// True when the object was removed from the store now.
        var deleted: Bool
    }

    /// Deletes an object: preconditions, then either an immediate removal or, when finalizers remain (those the
    /// propagation policy adds included) or a grace period applies, `deletionTimestamp` and an update.
    func delete(
        _ resource: GroupResource, namespace: String, name: String, options deleteOptions: DeleteOptions = DeleteOptions(),
        context: RequestContext
    ) async throws(APIError) -> DeleteOutcome {
        let storage = try storage(resource)
        let namespace = storage.descriptor.isNamespaced ? namespace : ""
        try await authorize(context, verb: "delete", storage, namespace: namespace, name: name)
        return try await deleteAuthorized(storage, namespace: namespace, name: name, options: deleteOptions,
            context: context)
    }

    func deleteAuthorized(
        _ storage: ResourceStorage, namespace: String, name: String, options deleteOptions: DeleteOptions,
        context: RequestContext
    ) async throws(APIError) -> DeleteOutcome {
        let descriptor = storage.descriptor
        if let grace = deleteOptions.gracePeriodSeconds, grace < 0 {
            throw APIError.invalid(kind: "DeleteOptions", group: "meta.k8s.io", name: "",
                errors: [.invalid("gracePeriodSeconds", value: "\(grace)", "must be greater than or equal to 0")])
        }
        if deleteOptions.propagationPolicy != nil && deleteOptions.orphanDependents != nil {
            throw APIError.invalid(kind: "DeleteOptions", group: "meta.k8s.io", name: "",
                errors: [.invalid("propagationPolicy", value: "\"\(deleteOptions.propagationPolicy!.rawValue)\"",
                    "orphanDependents and deletionPropagation cannot be both set")])
        }
        let dryRun = context.dryRun || deleteOptions.dryRun?.contains("All") == true
        for _ in 0..<64 {
            guard let (current, currentRevision) = try await storage.current(namespace: namespace, name: name) else {
                throw APIError.notFound(descriptor.groupResource, name: name)
            }
            if let uid = deleteOptions.preconditions?.uid, uid != current.metadata.uid {
                throw APIError.conflict(descriptor.groupResource, name: name,
                    detail: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.metadata.uid)")
            }
            if let version = deleteOptions.preconditions?.resourceVersion, version != String(currentRevision) {
                throw APIError.conflict(descriptor.groupResource, name: name,
                    detail: "Precondition failed: ResourceVersion in precondition: \(version), ResourceVersion in "
                        + "meta: \(currentRevision)")
            }
            let request = AdmissionRequest(
                operation: .delete, descriptor: descriptor, subresource: "", namespace: namespace, name: name,
                user: context.user, dryRun: dryRun, object: nil, oldObject: current)
            try await admission.validate(request)

            var finalizers = current.metadata.finalizers
            let policy = deleteOptions.propagationPolicy ?? (deleteOptions.orphanDependents == false ? nil
                : deleteOptions.orphanDependents == true ? .orphan : nil)
            switch policy {
            case .orphan?:
                finalizers.removeAll { $0 == "foregroundDeletion" }
                if !finalizers.contains("orphan") { finalizers.append("orphan") }
            case .foreground?:
                finalizers.removeAll { $0 == "orphan" }
                if !finalizers.contains("foregroundDeletion") { finalizers.append("foregroundDeletion") }
            case .background?:
                finalizers.removeAll { $0 == "orphan" || $0 == "foregroundDeletion" }
            case nil:
                break
            }
            let grace = storage.type.deletionGracePeriod(current, deleteOptions.gracePeriodSeconds) ?? 0
            // Only namespaces need the object's JSON to decide (their `spec.finalizers`).
            var pendingNamespace = false
            if storage.descriptor.isNamespaceType {
                pendingNamespace = Self.namespacePendingFinalization(storage, try storage.codec.tree(current))
            }

            let outcome: ResourceStorage.WriteOutcome
            var result = current
            if finalizers.isEmpty && grace == 0 && !pendingNamespace {
                if dryRun { return DeleteOutcome(object: current, deleted: true) }
                outcome = try await storage.delete(namespace: namespace, name: name, expected: currentRevision)
                if case .written(let revision) = outcome {
                    try await awaitDecisionCache(storage, revision: revision)
                    return DeleteOutcome(object: current, deleted: true)
                }
            } else {
                var meta = result.metadata
                let now = options.now()
                if meta.deletionTimestamp == nil {
                    meta.deletionTimestamp = now.adding(seconds: grace)
                    meta.deletionGracePeriodSeconds = grace
                    meta.generation += 1
                } else if let existing = meta.deletionGracePeriodSeconds, grace < existing {
                    // A shorter grace period brings the deadline forward; a longer one is ignored.
                    meta.deletionTimestamp = now.adding(seconds: grace)
                    meta.deletionGracePeriodSeconds = grace
                }
                meta.finalizers = finalizers
                result.metadata = meta
                var tree = try storage.codec.tree(result)
                if pendingNamespace {
                    var status = tree["status"]?.objectValue ?? JSONObject()
                    status["phase"] = .string("Terminating")
                    tree["status"] = .object(status)
                    result = try storage.codec.decodeTree(tree)
                }
                if tree == (try storage.codec.tree(current)) { return DeleteOutcome(object: current, deleted: false) }
                if dryRun { return DeleteOutcome(object: result, deleted: false) }
                outcome = try await storage.update(namespace: namespace, name: name,
                    bytes: storage.codec.storedBytes(tree), expected: currentRevision)
                if case .written(let revision) = outcome {
                    try await awaitDecisionCache(storage, revision: revision)
                    result.metadata.resourceVersion = String(revision)
                    return DeleteOutcome(object: result, deleted: false)
                }
            }
            if deleteOptions.preconditions?.resourceVersion != nil {
                throw APIError.conflict(descriptor.groupResource, name: name)
            }
        }
        throw APIError.conflict(descriptor.groupResource, name: name, detail: "too many concurrent updates; retry")
    }

    /// Deletes every object a list selects (verb `deletecollection`). Returns the objects deleted or marked.
    func deleteCollection(
        _ resource: GroupResource, namespace: String, listOptions: ListOptions,
        options deleteOptions: DeleteOptions = DeleteOptions(), context: RequestContext
    ) async throws(APIError) -> [any APIObject] {
        let storage = try storage(resource)
        let namespace = storage.descriptor.isNamespaced ? namespace : ""
        try await authorize(context, verb: "deletecollection", storage, namespace: namespace)
        var options = listOptions
        options.limit = 0
        options.continue = ""
        let listed = try await listAuthorized(storage, namespace: namespace.isEmpty ? nil : namespace, options: options)
        var results: [any APIObject] = []
        for object in listed.items {
            do throws(APIError) {
                let outcome = try await deleteAuthorized(storage, namespace: object.metadata.namespace,
                    name: object.metadata.name, options: deleteOptions, context: context)
                results.append(outcome.object)
            } catch let error where error.reason == .notFound {
                continue  // deleted meanwhile
            }
        }
        return results
    }
}

extension ResourceType {
    /// The grace period a delete should observe for this object.
    func deletionGracePeriod(_ object: any APIObject, _ requested: Int64?) -> Int64? {
        guard let typed = object as? any Resource else { return nil }
        return typed.deletionGracePeriod(requested: requested)
    }
}
