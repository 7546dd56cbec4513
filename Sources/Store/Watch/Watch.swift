/// A watch: an async sequence of ``WatchResponse``s, each holding whole revisions in order, with no
/// gap and no duplicate. Ends (returns nil) after ``cancel()`` or when the consuming task is
/// cancelled; throws ``StoreError/Code/compacted`` (with the compact revision) when history it still
/// needs was compacted, ``StoreError/Code/shuttingDown`` when the member stops.
///
/// Memory is bounded: undelivered events wait in a buffer of at most the store's
/// `watchBufferEvents` (one revision larger than that is never split); a consumer slower than that
/// catches up from history instead.
public final class Watch: AsyncSequence, Sendable {
    public typealias Element = WatchResponse
    public typealias Failure = StoreError

    /// This watch's ID (unique within its member).
    public let id: Int64
    let machine: StoreStateMachine
    let memberID: UInt64

    init(id: Int64, machine: StoreStateMachine, memberID: UInt64) {
        self.id = id
        self.machine = machine
        self.memberID = memberID
    }

    deinit {
        cancel()
    }

    /// Stops the watch; a consumer waiting for events gets the end of the sequence.
    public func cancel() {
        let waiter = machine.state.withLock { $0.watchers.remove(id) }
        waiter?.resume()
    }

    /// Asks for a progress notification (an empty response carrying the current revision) as soon as
    /// everything up to it was delivered.
    public func requestProgress() {
        var wake: [UnsafeContinuation<Void, Never>] = []
        machine.state.withLock { $0.watchers.requestProgress(id, periodic: false, wake: &wake) }
        for waiter in wake { waiter.resume() }
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(watch: self)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let watch: Watch

        public mutating func next() async throws(StoreError) -> WatchResponse? {
            try await watch.next()
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(StoreError) -> WatchResponse? {
            try await watch.next()
        }
    }

    func next() async throws(StoreError) -> WatchResponse? {
        while true {
            if Task.isCancelled {
                cancel()
                return nil
            }
            let poll = machine.state.withLock { s in s.watchers.poll(id, mvcc: s.mvcc) }
            switch poll {
            case .events(let events, let revision):
                return WatchResponse(header: ResponseHeader(revision: revision, memberID: memberID), watchID: id, events: events)
            case .progress(let revision):
                return WatchResponse(header: ResponseHeader(revision: revision, memberID: memberID), watchID: id, events: [])
            case .ended(let error):
                if let error { throw error }
                return nil
            case .wait:
                await withTaskCancellationHandler {
                    await withUnsafeContinuation { (waiter: UnsafeContinuation<Void, Never>) in
                        // The cancellation check sits under the lock the handler takes, so a cancel
                        // lands either before it (no park) or after the park (the handler resumes it).
                        let parked = machine.state.withLock { s in !Task.isCancelled && s.watchers.park(id, waiter) }
                        if !parked { waiter.resume() }
                    }
                } onCancel: {
                    let waiter = machine.state.withLock { $0.watchers.unpark(id) }
                    waiter?.resume()
                }
            }
        }
    }
}

extension KeyValueStore {
    /// Starts a watch on this member. Events come from this member's applied state, in the log's
    /// order; a watch from a revision this member has not reached yet waits for it.
    ///
    /// - Throws: ``StoreError/Code/compacted`` when `startRevision` is at or before the compact
    ///   revision, ``StoreError/Code/emptyKey`` for an empty key, ``StoreError/Code/shuttingDown``
    ///   when the member has stopped.
    public func watch(_ request: WatchRequest) throws(StoreError) -> Watch {
        if request.key.isEmpty { throw StoreError.emptyKey }
        let id = try machine.withState { s throws(StoreError) -> Int64 in
            if let closed = s.watchers.closed { throw closed }
            if request.startRevision > 0 && request.startRevision <= s.mvcc.compactRevision {
                throw StoreError.compacted(s.mvcc.compactRevision)
            }
            return s.watchers.add(request, currentRevision: s.mvcc.revision)
        }
        return Watch(id: id, machine: machine, memberID: memberID)
    }
}
