import Raft

extension KeyValueStore {
    /// Reads keys: linearizable unless `request.serializable`.
    public func range(_ request: RangeRequest) async throws(StoreError) -> RangeResponse {
        try validator.validate(request)
        if !request.serializable { try await readBarrier() }
        var response: RangeResponse
        if request.isSingleKey {
            // Only the lookup under the lock; the response is built after releasing it.
            let (version, latest) = try machine.withState { s throws(StoreError) in try s.mvcc.lookup(request) }
            response = MVCCStore.response(to: request, version, latest: latest)
        } else {
            response = try machine.withState { s throws(StoreError) in try s.mvcc.range(request) }
        }
        response.header = header(response.header.revision)
        return response
    }

    /// The key's current value, if it exists (a linearizable read).
    public func get(_ key: String) async throws(StoreError) -> KeyValue? {
        try await range(RangeRequest(key: Array(key.utf8))).kvs.first
    }

    /// Writes one key.
    @discardableResult
    public func put(_ request: PutRequest) async throws(StoreError) -> PutResponse {
        try validator.checkStructure(TxnRequest(success: [.put(request)]))
        var reader = try await propose(.put(request))
        do throws(RaftError) {
            let revision = try reader.readSigned()
            return PutResponse(header: header(revision), prevKV: try Optional<KeyValue>(decoding: &reader))
        } catch {
            throw StoreError(corrupt: error, "put result")
        }
    }

    /// Writes `value` at `key`.
    @discardableResult
    public func put(_ key: String, _ value: String, lease: Int64 = 0) async throws(StoreError) -> PutResponse {
        try await put(PutRequest(key: Array(key.utf8), value: Array(value.utf8), lease: lease))
    }

    /// Deletes a key or a range.
    @discardableResult
    public func deleteRange(_ request: DeleteRangeRequest) async throws(StoreError) -> DeleteRangeResponse {
        try validator.checkStructure(TxnRequest(success: [.deleteRange(request)]))
        var reader = try await propose(.deleteRange(request))
        do throws(RaftError) {
            let revision = try reader.readSigned()
            let deleted = try reader.readSigned()
            return DeleteRangeResponse(header: header(revision), deleted: deleted, prevKVs: try decodeKVs(&reader))
        } catch {
            throw StoreError(corrupt: error, "delete result")
        }
    }

    /// Runs a transaction. One that only reads is served like a range (linearizable) without
    /// entering the log.
    public func txn(_ request: TxnRequest) async throws(StoreError) -> TxnResponse {
        try validator.checkStructure(request)
        if !request.writes {
            try await readBarrier()
            var copy = try machine.withState { s throws(StoreError) in try s.mvcc.readOnlyTxn(request) }
            copy.header = header(copy.header.revision)
            return copy
        }
        var reader = try await propose(.txn(request))
        do throws(RaftError) {
            var response = try TxnResponse(decoding: &reader)
            response.header = header(response.header.revision)
            return response
        } catch {
            throw StoreError(corrupt: error, "txn result")
        }
    }

    /// Drops history before `revision` on every member (through the log).
    public func compact(_ revision: Int64) async throws(StoreError) {
        _ = try await propose(.compact(revision))
    }
}

extension TxnRequest {
    /// Whether any branch could write.
    var writes: Bool {
        for op in success + failure {
            switch op {
            case .range: continue
            case .put, .deleteRange: return true
            case .txn(let nested): if nested.writes { return true }
            }
        }
        return false
    }
}

extension MVCCStore {
    /// Runs a transaction that cannot write, without changing anything.
    func readOnlyTxn(_ request: TxnRequest) throws(StoreError) -> TxnResponse {
        var scratch = self
        return try scratch.txn(request).0
    }
}
