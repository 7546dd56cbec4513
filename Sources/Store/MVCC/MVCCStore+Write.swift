extension MVCCStore {
    /// What a write changed: every event at its single new revision, in the order applied.
    package typealias Events = [Event]

    /// One write in progress: all of it lands at `writeRevision`, or (on an error) none of it does.
    struct WriteContext {
        let writeRevision: Int64
        var events: [Event] = []
        /// Keys that got a new version, for undoing.
        var touched: [[UInt8]] = []
        /// Lease attachments changed, for undoing: (lease, key, attached).
        var leaseChanges: [(Int64, [UInt8], Bool)] = []

        /// The newest revision reads should see: the pending one once something was written.
        func latest(committed: Int64) -> Int64 { events.isEmpty ? committed : writeRevision }
    }

    /// A put: the same checks and outcome as a transaction holding only it, without building one.
    package mutating func put(_ request: PutRequest) throws(StoreError) -> (PutResponse, Events) {
        try checkStructure(TxnRequest(success: [.put(request)]))
        var context = WriteContext(writeRevision: revision + 1)
        var response: PutResponse
        do {
            response = try apply(request, &context)
        } catch {
            undo(context)
            throw error
        }
        revision = context.writeRevision
        response.header = ResponseHeader(revision: revision)
        return (response, context.events)
    }

    package mutating func deleteRange(_ request: DeleteRangeRequest) throws(StoreError) -> (DeleteRangeResponse, Events) {
        let (response, events) = try txn(TxnRequest(success: [.deleteRange(request)]))
        guard case .deleteRange(var delete) = response.responses[0] else { preconditionFailure("a delete answers a delete") }
        delete.header = response.header
        return (delete, events)
    }

    /// Runs a transaction: compares against the current state, then the chosen branch; all writes
    /// share one new revision (none if nothing changed). Refused as a whole, or applied as a whole.
    package mutating func txn(_ request: TxnRequest) throws(StoreError) -> (TxnResponse, Events) {
        try checkStructure(request)
        var context = WriteContext(writeRevision: revision + 1)
        let response: TxnResponse
        do {
            response = try execute(request, &context)
        } catch {
            undo(context)
            throw error
        }
        if !context.events.isEmpty { revision = context.writeRevision }
        var final = response
        final.header = ResponseHeader(revision: revision)
        return (final, context.events)
    }

    // MARK: Checks that need no state

    func checkStructure(_ request: TxnRequest) throws(StoreError) {
        var size = 0
        try checkOperations(request, limit: limits.maxTxnOperations, size: &size)
        if size > limits.maxRequestBytes {
            throw StoreError(.requestTooLarge, "etcdserver: request is too large (\(size) bytes, limit \(limits.maxRequestBytes))")
        }
        try checkDuplicates(request.success)
        try checkDuplicates(request.failure)
    }

    /// etcd's `checkTxnRequest`: a nested transaction may use only the operations its parent left
    /// (`limit` minus the parent's largest of compares, success and failure).
    private func checkOperations(_ request: TxnRequest, limit: Int, size: inout Int) throws(StoreError) {
        let operations = max(request.compare.count, request.success.count, request.failure.count)
        if operations > limit {
            throw StoreError(.tooManyOperations, "etcdserver: too many operations in txn request (limit \(limits.maxTxnOperations))")
        }
        for compare in request.compare {
            try checkKey(compare.key)
            size += compare.key.count + compare.rangeEnd.count + 16
            if case .value(let value) = compare.target { size += value.count }
        }
        for op in request.success { try checkOperation(op, remaining: limit - operations, size: &size) }
        for op in request.failure { try checkOperation(op, remaining: limit - operations, size: &size) }
    }

    private func checkOperation(_ op: RequestOp, remaining: Int, size: inout Int) throws(StoreError) {
        switch op {
        case .range(let range):
            try validate(range)
            size += range.key.count + range.rangeEnd.count + 16
        case .put(let put):
            try checkKey(put.key)
            if put.ignoreValue && !put.value.isEmpty {
                throw StoreError(.invalidArgument, "etcdserver: value is provided")
            }
            if put.ignoreLease && put.lease != 0 {
                throw StoreError(.invalidArgument, "etcdserver: lease is provided")
            }
            size += put.key.count + put.value.count + 16
        case .deleteRange(let delete):
            try checkKey(delete.key)
            size += delete.key.count + delete.rangeEnd.count + 16
        case .txn(let nested):
            try checkOperations(nested, limit: remaining, size: &size)
        }
    }

    private func checkKey(_ key: [UInt8]) throws(StoreError) {
        if key.isEmpty { throw StoreError.emptyKey }
        if key.count > limits.maxKeyBytes {
            throw StoreError(.keyTooLarge, "etcdserver: key of \(key.count) bytes exceeds \(limits.maxKeyBytes)")
        }
    }

    /// A branch may not write a key twice: two puts of one key, or a put inside a deleted range.
    /// Nested transactions count with their enclosing branch (each of their branches separately).
    private func checkDuplicates(_ ops: [RequestOp]) throws(StoreError) {
        // One operation writes each key at most once, unless it is a transaction.
        if ops.count < 2 {
            guard case .txn = ops.first else { return }
        }
        var puts: Set<[UInt8]> = []
        var deletes: [(key: [UInt8], rangeEnd: [UInt8])] = []
        try collectWrites(ops, puts: &puts, deletes: &deletes)
    }

    private func collectWrites(
        _ ops: [RequestOp], puts: inout Set<[UInt8]>, deletes: inout [(key: [UInt8], rangeEnd: [UInt8])]
    ) throws(StoreError) {
        let duplicate = StoreError(.duplicateKey, "etcdserver: duplicate key given in txn request")
        var nested: [TxnRequest] = []
        for op in ops {
            switch op {
            case .put(let put):
                if !puts.insert(put.key).inserted { throw duplicate }
            case .deleteRange(let delete):
                deletes.append((delete.key, delete.rangeEnd))
            case .txn(let txn):
                nested.append(txn)
            case .range:
                break
            }
        }
        for key in puts where deletes.contains(where: { Self.contains($0.key, $0.rangeEnd, key) }) { throw duplicate }
        for txn in nested {
            var successPuts = puts
            var successDeletes = deletes
            try collectWrites(txn.success, puts: &successPuts, deletes: &successDeletes)
            var failurePuts = puts
            var failureDeletes = deletes
            try collectWrites(txn.failure, puts: &failurePuts, deletes: &failureDeletes)
            puts = successPuts.union(failurePuts)
            deletes = successDeletes + failureDeletes
        }
    }

    /// Whether the etcd-style range `[key, rangeEnd)` contains `candidate`.
    static func contains(_ key: [UInt8], _ rangeEnd: [UInt8], _ candidate: [UInt8]) -> Bool {
        if rangeEnd.isEmpty { return key == candidate }
        if compareBytes(candidate, key) < 0 { return false }
        guard let upper = KeyRange.upperBound(rangeEnd) else { return true }
        return compareBytes(candidate, upper) < 0
    }

    // MARK: Execution

    private mutating func execute(_ request: TxnRequest, _ context: inout WriteContext) throws(StoreError) -> TxnResponse {
        // etcd chooses the whole path before writing anything: nested compares, too, see the state
        // before the transaction, not its earlier writes.
        let succeeded = request.compare.allSatisfy { evaluate($0, at: revision) }
        var responses: [ResponseOp] = []
        for op in succeeded ? request.success : request.failure {
            switch op {
            case .range(let range):
                // etcd checks a transaction's ranges against the state before it (checkRange): the
                // transaction's own pending revision is still a future one.
                if range.revision > revision { throw StoreError.futureRevision }
                responses.append(.range(try self.range(range, latest: context.latest(committed: revision))))
            case .put(let put):
                responses.append(.put(try apply(put, &context)))
            case .deleteRange(let delete):
                responses.append(.deleteRange(apply(delete, &context)))
            case .txn(let nested):
                responses.append(.txn(try execute(nested, &context)))
            }
        }
        return TxnResponse(header: ResponseHeader(revision: context.latest(committed: revision)), succeeded: succeeded, responses: responses)
    }

    /// etcd's compare: every key in the range must satisfy it; over no key, a value compare fails and
    /// the others compare against zero.
    func evaluate(_ compare: Compare, at revision: Int64) -> Bool {
        var sawAny = false
        var allHold = true
        forEachVisible(key: compare.key, rangeEnd: compare.rangeEnd, at: revision) { kv in
            sawAny = true
            allHold = Self.holds(compare, kv)
            return allHold
        }
        if sawAny { return allHold }
        if case .value = compare.target { return false }
        return Self.holds(compare, KeyValue(key: compare.key))
    }

    static func holds(_ compare: Compare, _ kv: KeyValue) -> Bool {
        let order: Int
        switch compare.target {
        case .version(let v): order = kv.version < v ? -1 : (kv.version > v ? 1 : 0)
        case .createRevision(let r): order = kv.createRevision < r ? -1 : (kv.createRevision > r ? 1 : 0)
        case .modRevision(let r): order = kv.modRevision < r ? -1 : (kv.modRevision > r ? 1 : 0)
        case .lease(let l): order = kv.lease < l ? -1 : (kv.lease > l ? 1 : 0)
        case .value(let v): order = compareBytes(kv.value, v).signum()
        }
        switch compare.result {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .greater: return order > 0
        case .less: return order < 0
        }
    }

    private mutating func apply(_ put: PutRequest, _ context: inout WriteContext) throws(StoreError) -> PutResponse {
        let latest = context.latest(committed: revision)
        let writeRevision = context.writeRevision
        let subRevision = Int32(truncatingIfNeeded: context.events.count)
        let previous: KeyValue?
        let kv: KeyValue
        if !put.ignoreValue && !put.ignoreLease && (put.lease == 0 || leases[put.lease] != nil) {
            // Nothing can refuse this put: find the previous version and add the new one in one search.
            (previous, kv) = index.update(put.key, default: { .empty }) { versions in
                let previous = Self.visible(versions, at: latest)?.keyValue(put.key)
                let kv = Self.version(of: put, after: previous, lease: put.lease, at: writeRevision, subRevision)
                versions.append(StoredVersion(kv))
                return (previous, kv)
            }
        } else {
            previous = index[put.key].flatMap { Self.visible($0, at: latest) }?.keyValue(put.key)
            if (put.ignoreValue || put.ignoreLease) && previous == nil {
                throw StoreError(.keyNotFound, "etcdserver: key not found")
            }
            let lease = put.ignoreLease ? previous!.lease : put.lease
            if lease != 0 && leases[lease] == nil {
                throw StoreError(.leaseNotFound, "etcdserver: requested lease not found")
            }
            kv = Self.version(of: put, after: previous, lease: lease, at: writeRevision, subRevision)
            index.update(put.key, default: { .empty }) { $0.append(StoredVersion(kv)) }
        }
        context.touched.append(put.key)
        if let old = previous?.lease, old != 0, old != kv.lease { detach(put.key, from: old, &context) }
        if kv.lease != 0 && previous?.lease != kv.lease { attach(put.key, to: kv.lease, &context) }
        context.events.append(Event(kind: .put, kv: kv, prevKV: previous))
        return PutResponse(header: ResponseHeader(revision: writeRevision), prevKV: put.prevKV ? previous : nil)
    }

    /// The key's new state after `put`, given its state before.
    private static func version(
        of put: PutRequest, after previous: KeyValue?, lease: Int64, at writeRevision: Int64, _ subRevision: Int32
    ) -> KeyValue {
        var kv = KeyValue(
            key: put.key,
            createRevision: previous?.createRevision ?? writeRevision,
            modRevision: writeRevision,
            version: (previous?.version ?? 0) + 1,
            value: put.ignoreValue ? previous!.value : put.value,
            lease: lease
        )
        kv.subRevision = subRevision
        return kv
    }

    mutating func apply(_ delete: DeleteRangeRequest, _ context: inout WriteContext) -> DeleteRangeResponse {
        var doomed: [KeyValue] = []
        forEachVisible(key: delete.key, rangeEnd: delete.rangeEnd, at: context.latest(committed: revision)) { kv in
            doomed.append(kv)
            return true
        }
        for previous in doomed {
            var tombstone = KeyValue(key: previous.key, modRevision: context.writeRevision)
            tombstone.subRevision = Int32(truncatingIfNeeded: context.events.count)
            index.update(previous.key, default: { .empty }) { $0.append(StoredVersion(tombstone)) }
            context.touched.append(previous.key)
            if previous.lease != 0 { detach(previous.key, from: previous.lease, &context) }
            context.events.append(Event(kind: .delete, kv: tombstone, prevKV: previous))
        }
        return DeleteRangeResponse(
            header: ResponseHeader(revision: context.writeRevision),
            deleted: Int64(doomed.count),
            prevKVs: delete.prevKV ? doomed : []
        )
    }

    private mutating func attach(_ key: [UInt8], to lease: Int64, _ context: inout WriteContext) {
        leases[lease]?.keys.insert(key)
        context.leaseChanges.append((lease, key, true))
    }

    private mutating func detach(_ key: [UInt8], from lease: Int64, _ context: inout WriteContext) {
        leases[lease]?.keys.remove(key)
        context.leaseChanges.append((lease, key, false))
    }

    /// Takes back everything a failed write did.
    private mutating func undo(_ context: WriteContext) {
        for key in context.touched.reversed() {
            index.update(key, default: { .empty }) { if !$0.isEmpty { $0.removeLast() } }
            if index[key]?.isEmpty == true { index.remove(key) }
        }
        for (lease, key, attached) in context.leaseChanges.reversed() {
            if attached { leases[lease]?.keys.remove(key) } else { leases[lease]?.keys.insert(key) }
        }
    }
}
