import Store

/// A list's items and list metadata.
struct ObjectListResult: Sendable {
    var items: [any APIObject]
    var resourceVersion: String
    var `continue`: String?
    var remainingItemCount: Int64?

    var listMeta: ListMeta {
        ListMeta(resourceVersion: resourceVersion, continue: `continue`, remainingItemCount: remainingItemCount)
    }
}

extension APIServer {
    /// Lists objects (all namespaces when `namespace` is nil) with selectors, pagination and the
    /// resourceVersion rules of Kubernetes.
    func list(
        _ resource: GroupResource, namespace: String?, options: ListOptions, context: RequestContext
    ) async throws(APIError) -> ObjectListResult {
        let storage = try storage(resource)
        let namespace = storage.descriptor.isNamespaced ? namespace.flatMap { $0.isEmpty ? nil : $0 } : nil
        try await authorize(context, verb: "list", storage, namespace: namespace ?? "")
        return try await listAuthorized(storage, namespace: namespace, options: options)
    }

    func listAuthorized(
        _ storage: ResourceStorage, namespace: String?, options: ListOptions
    ) async throws(APIError) -> ObjectListResult {
        let selection = try Selection(labelSelector: options.labelSelector, fieldSelector: options.fieldSelector,
            type: storage.type)
        guard options.limit >= 0 else { throw APIError.badRequest("limit must not be negative") }
        let requested = try Self.parseResourceVersion(options.resourceVersion)
        if !options.continue.isEmpty {
            if !options.resourceVersion.isEmpty && options.resourceVersion != "0" {
                throw APIError.badRequest("specifying resource version is not allowed when using continue")
            }
            let token = try ContinueToken(decoding: options.continue)
            return try await listFromStore(storage, namespace: namespace, selection: selection, limit: options.limit,
                revision: token.revision, start: storage.keys.prefix + Array(token.start.utf8), isContinuation: true)
        }
        switch options.resourceVersionMatch {
        case .exact?:
            guard let requested, requested > 0 else {
                throw APIError.badRequest(options.resourceVersion.isEmpty
                    ? "resourceVersionMatch is forbidden unless resourceVersion is provided"
                    : "resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"0\"")
            }
            return try await listFromStore(storage, namespace: namespace, selection: selection, limit: options.limit,
                revision: requested, start: nil, isContinuation: false)
        case .notOlderThan?:
            guard requested != nil else {
                throw APIError.badRequest("resourceVersionMatch is forbidden unless resourceVersion is provided")
            }
        case nil:
            // Without a match rule, a resourceVersion with a limit asks for that exact snapshot (legacy rule).
            if let requested, requested > 0, options.limit > 0 {
                return try await listFromStore(storage, namespace: namespace, selection: selection,
                    limit: options.limit, revision: requested, start: nil, isContinuation: false)
            }
        }
        let cache = storage.cache
        switch requested {
        case nil:
            try await cache.waitUntilFresh(try await storage.currentRevision())
        case 0?:
            try await cache.waitUntilFresh(0)
        case let minimum?:
            let current = try await storage.currentRevision()
            if minimum > current {
                var failure = APIError.timeout("Too large resource version: \(minimum), current: \(current)")
                failure.status.details?.causes = [
                    StatusCause(reason: "ResourceVersionTooLarge", message: "Too large resource version")
                ]
                throw failure
            }
            try await cache.waitUntilFresh(minimum)
        }
        return listFromCache(storage, namespace: namespace, selection: selection, limit: options.limit)
    }

    /// `""` → nil (latest), `"0"` → 0 (any), a positive integer → it; anything else is 400.
    static func parseResourceVersion(_ text: String) throws(APIError) -> Int64? {
        if text.isEmpty { return nil }
        guard let value = Int64(text), value >= 0 else {
            throw APIError.badRequest("invalid resource version \"\(text)\"")
        }
        return value
    }

    func listFromCache(
        _ storage: ResourceStorage, namespace: String?, selection: Selection, limit: Int
    ) -> ObjectListResult {
        let cache = storage.cache
        var revision: Int64
        var entries: [ObjectCache.Entry]
        if let name = selection.exactName, let namespace = namespace ?? (storage.descriptor.isNamespaced ? nil : "") {
            let (cacheRevision, entry) = cache.get(namespace: namespace, name: name)
            revision = cacheRevision
            entries = entry.map { selection.matches($0) ? [$0] : [] } ?? []
        } else if selection.isEverything {
            (revision, entries) = cache.select(namespace: namespace) { _ in true }
        } else {
            (revision, entries) = cache.select(namespace: namespace) { selection.matches($0) }
        }
        var result = ObjectListResult(items: [], resourceVersion: String(revision))
        if limit > 0 && entries.count > limit {
            let last = entries[limit - 1].key
            result.continue = ContinueToken(revision: revision,
                start: String(decoding: last.dropFirst(storage.keys.prefix.count), as: UTF8.self) + "\u{0}").encoded()
            if selection.isEverything { result.remainingItemCount = Int64(entries.count - limit) }
            entries.removeSubrange(limit...)
        }
        result.items = entries.map(\.object)
        return result
    }

    /// Reads a (page of a) list from the store at a revision, filtering as it goes.
    func listFromStore(
        _ storage: ResourceStorage, namespace: String?, selection: Selection, limit: Int, revision: Int64,
        start: [UInt8]?, isContinuation: Bool
    ) async throws(APIError) -> ObjectListResult {
        let prefix = storage.keys.prefix(namespace: namespace)
        if let start, !start.starts(with: prefix) {
            throw APIError.badRequest("continue key is not valid: the key is outside the listed range")
        }
        var items: [any APIObject] = []
        var next = start
        var readRevision = revision
        var more = false
        var lastKey: [UInt8] = []
        var remaining: Int64?
        repeat {
            let chunk = limit > 0 ? max(limit, 64) : 0
            let response: RangeResponse
            do throws(APIError) {
                response = try await storage.range(prefix: prefix, start: next, limit: chunk, revision: readRevision)
            } catch where error.reason == .expired && isContinuation {
                // The snapshot the pages were read at is compacted: Kubernetes answers 410 with a token that
                // continues, inconsistently, at the latest revision.
                var failure = APIError.expired(
                    "The provided continue parameter is too old to display a consistent list result. You can start "
                        + "a new list without the continue parameter, or use the continue token in this response to "
                        + "retrieve the remainder of the results. Continuing with the provided token results in an "
                        + "inconsistent list - objects that were created, modified, or deleted between the time the "
                        + "first chunk was returned and now may show up in the list.")
                let startKey = String(decoding: (next ?? prefix).dropFirst(storage.keys.prefix.count), as: UTF8.self)
                failure.status.metadata.continue = ContinueToken(revision: 0, start: startKey).encoded()
                throw failure
            }
            if readRevision <= 0 { readRevision = response.header.revision }
            var consumed = 0
            for kv in response.kvs {
                lastKey = kv.key
                consumed += 1
                let object = try storage.codec.decodeStored(kv)
                if selection.matches(object) {
                    items.append(object)
                    if limit > 0 && items.count == limit { break }
                }
            }
            more = response.more || consumed < response.kvs.count
            if limit > 0 && items.count == limit {
                if selection.isEverything { remaining = response.count - Int64(consumed) }
                break
            }
            next = lastKey + [0]
        } while more && limit > 0
        var result = ObjectListResult(items: items, resourceVersion: String(readRevision))
        if more && limit > 0 {
            result.continue = ContinueToken(revision: readRevision,
                start: String(decoding: lastKey.dropFirst(storage.keys.prefix.count), as: UTF8.self) + "\u{0}").encoded()
            result.remainingItemCount = remaining.flatMap { $0 > 0 ? $0 : nil }
        }
        return result
    }
}
