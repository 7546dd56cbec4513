extension RangeRequest {
    /// One key and no revision filters: ``MVCCStore/lookup(_:)`` and
    /// ``MVCCStore/response(to:_:latest:)`` answer it as ``MVCCStore/range(_:)`` would.
    var isSingleKey: Bool {
        rangeEnd.isEmpty && minModRevision == 0 && maxModRevision == 0 && minCreateRevision == 0 && maxCreateRevision == 0
    }
}

extension MVCCStore {
    /// What a single-key range needs from the state (so a caller holding a lock can release it
    /// before building the response): the key's version visible at the requested revision and the
    /// latest revision. Throws what ``range(_:)`` throws.
    func lookup(_ request: RangeRequest) throws(StoreError) -> (StoredVersion?, latest: Int64) {
        try validate(request)
        let at = try readableRevision(request.revision, latest: revision)
        return (index[request.key].flatMap { Self.visible($0, at: at) }, revision)
    }

    /// ``range(_:)``'s response to a single-key request, from ``lookup(_:)``'s result. On one key a
    /// limit, a sort or `more` change nothing.
    static func response(to request: RangeRequest, _ version: StoredVersion?, latest: Int64) -> RangeResponse {
        guard let version else { return RangeResponse(header: ResponseHeader(revision: latest)) }
        var kvs: [KeyValue] = []
        if !request.countOnly {
            var kv = version.keyValue(request.key)
            if request.keysOnly { kv.value = [] }
            kvs = [kv]
        }
        return RangeResponse(header: ResponseHeader(revision: latest), kvs: kvs, more: false, count: 1)
    }
}
