import Store

/// One resource type's persistence: optimistic writes on the store and the type's object cache.
final class ResourceStorage: Sendable {
    let store: KeyValueStore
    let type: ResourceType
    let codec: ObjectCodec
    let keys: StorageKeys
    let cache: ObjectCache

    init(store: KeyValueStore, type: ResourceType) {
        self.store = store
        self.type = type
        codec = ObjectCodec(type: type)
        keys = StorageKeys(type.descriptor)
        cache = ObjectCache(store: store, codec: codec, keys: keys)
    }

    var descriptor: ResourceDescriptor { type.descriptor }
    var groupResource: GroupResource { type.descriptor.groupResource }

    /// The current stored object (a linearizable read), or nil.
    func current(namespace: String, name: String) async throws(APIError) -> (object: any APIObject, modRevision: Int64)? {
        let kv: KeyValue?
        do {
            kv = try await store.get(String(decoding: keys.key(namespace: namespace, name: name), as: UTF8.self))
        } catch {
            throw Self.translate(error)
        }
        guard let kv else { return nil }
        return (try codec.decodeStored(kv), kv.modRevision)
    }

    /// The store's current revision, by a linearizable read of one key (the type's prefix, which holds no
    /// object), so its cost does not grow with the number of objects.
    func currentRevision() async throws(APIError) -> Int64 {
        do {
            return try await store.range(RangeRequest(key: keys.prefix)).header.revision
        } catch {
            throw Self.translate(error)
        }
    }

    /// Writes a new object if its key is free. Returns the new revision.
    func create(namespace: String, name: String, bytes: [UInt8]) async throws(APIError) -> Int64 {
        let key = keys.key(namespace: namespace, name: name)
        let request = TxnRequest(
            compare: [Compare(key: key, .createRevision(0), .equal)],
            success: [.put(PutRequest(key: key, value: bytes))]
        )
        let response: TxnResponse
        do {
            response = try await store.txn(request)
        } catch {
            throw Self.translate(error)
        }
        guard response.succeeded else { throw APIError.alreadyExists(groupResource, name: name) }
        return response.header.revision
    }

    enum WriteOutcome {
        case written(revision: Int64)
        /// The key changed since `expected`: its current state (nil when gone).
        case conflict(current: KeyValue?)
    }

    /// Replaces an object if it is still at `expected` modification revision.
    func update(namespace: String, name: String, bytes: [UInt8], expected: Int64) async throws(APIError) -> WriteOutcome {
        let key = keys.key(namespace: namespace, name: name)
        return try await conditional(key: key, expected: expected, write: .put(PutRequest(key: key, value: bytes)))
    }

    /// Deletes an object if it is still at `expected` modification revision.
    func delete(namespace: String, name: String, expected: Int64) async throws(APIError) -> WriteOutcome {
        let key = keys.key(namespace: namespace, name: name)
        return try await conditional(key: key, expected: expected, write: .deleteRange(DeleteRangeRequest(key: key)))
    }

    private func conditional(key: [UInt8], expected: Int64, write: RequestOp) async throws(APIError) -> WriteOutcome {
        let request = TxnRequest(
            compare: [Compare(key: key, .modRevision(expected), .equal)],
            success: [write],
            failure: [.range(RangeRequest(key: key))]
        )
        let response: TxnResponse
        do {
            response = try await store.txn(request)
        } catch {
            throw Self.translate(error)
        }
        if response.succeeded { return .written(revision: response.header.revision) }
        if case .range(let range)? = response.responses.first { return .conflict(current: range.kvs.first) }
        return .conflict(current: nil)
    }

    /// A page of stored objects at a revision (0 = latest), from `start` (inclusive) within `prefix`.
    func range(prefix: [UInt8], start: [UInt8]?, limit: Int, revision: Int64) async throws(APIError) -> RangeResponse {
        var request = RangeRequest.prefix(prefix, limit: Int64(limit), revision: revision)
        if let start { request.key = start }
        do {
            return try await store.range(request)
        } catch {
            throw Self.translate(error, requested: revision)
        }
    }

    /// Store errors as API errors: compaction is 410 Expired, a future revision 504, the rest 5xx.
    static func translate(_ error: StoreError, requested: Int64 = 0) -> APIError {
        switch error.code {
        case .compacted:
            return .expired("too old resource version: \(requested) (\(error.compactRevision))")
        case .futureRevision:
            var failure = APIError.timeout("Too large resource version: \(requested), current: unknown")
            failure.status.details?.causes = [
                StatusCause(reason: "ResourceVersionTooLarge", message: "Too large resource version")
            ]
            return failure
        case .requestTooLarge:
            return .requestEntityTooLarge("the object is too large: \(error.message)")
        case .timeout:
            return .timeout("storage: \(error.message)")
        case .notLeader, .unavailable, .shuttingDown:
            return .serviceUnavailable("storage: \(error.message)")
        default:
            return .internalError("storage: \(error)")
        }
    }
}
