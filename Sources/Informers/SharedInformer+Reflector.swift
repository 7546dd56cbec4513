import APIMachinery

extension SharedInformer {
    /// client-go's reflector: list, then watch from the list's resourceVersion, re-watching when a watch
    /// ends normally and relisting (after a backoff) when it fails.
    ///
    /// - The first list asks for resourceVersion "0" (any recent state, served from the server's cache);
    ///   later lists ask for the last resourceVersion seen; after a 410 Expired (of a watch or a list) or a
    ///   "too large resource version" the next list asks for the latest state (resourceVersion "").
    /// - Watches ask for bookmarks and a random timeout in ``InformerOptions/watchTimeout``.
    /// - Every relist and failed watch waits ``InformerOptions/backoff`` on the injected clock.
    func reflect() async {
        var backoff = BackoffState(options.backoff)
        var relistFromLatest = false
        while !Task.isCancelled {
            let last = lastSyncResourceVersion
            let resourceVersion = relistFromLatest ? "" : (last.isEmpty ? "0" : last)
            let listVersion: String
            do {
                listVersion = try await listAndReplace(resourceVersion)
            } catch {
                if Task.isCancelled { return }
                if Self.needsLatest(error) { relistFromLatest = true }
                guard await clock.sleepUnlessCancelled(for: backoff.next(now: clock())) else { return }
                continue
            }
            relistFromLatest = false
            if Task.isCancelled { return }
            syncEmptyInitialList()
            setLastSyncResourceVersion(listVersion)

            watching: while !Task.isCancelled {
                let started = clock()
                let watchOptions = WatchOptions(labelSelector: options.labelSelector,
                    fieldSelector: options.fieldSelector, resourceVersion: lastSyncResourceVersion,
                    allowWatchBookmarks: true, timeoutSeconds: backoff.timeoutSeconds(in: options.watchTimeout))
                do {
                    let watch = try await listWatch.watch(watchOptions)
                    let received = try await consume(watch)
                    if Task.isCancelled { return }
                    // A watch that ends at once without events would spin: back off before the next one.
                    if received == 0 && clock() - started < .seconds(1) {
                        guard await clock.sleepUnlessCancelled(for: backoff.next(now: clock())) else { return }
                    }
                } catch {
                    if Task.isCancelled { return }
                    if Self.needsLatest(error) { relistFromLatest = true }
                    break watching
                }
            }
            guard await clock.sleepUnlessCancelled(for: backoff.next(now: clock())) else { return }
        }
    }

    /// Lists and queues the list as a replace; returns its resourceVersion. (A function of its own so the
    /// list's items are released before the watch starts.)
    func listAndReplace(_ resourceVersion: String) async throws(APIError) -> String {
        let list = try await listWatch.list(ListOptions(labelSelector: options.labelSelector,
            fieldSelector: options.fieldSelector, resourceVersion: resourceVersion))
        let version = list.metadata.resourceVersion ?? ""
        await queue.replace(list.items, resourceVersion: version)
        return version
    }

    /// An empty first list syncs the queue without a delta to process: mark the informer synced here.
    func syncEmptyInitialList() {
        let justSynced = dispatch.withLock { d -> Bool in
            guard !d.synced, queue.hasSynced else { return false }
            d.synced = true
            for listener in d.listeners { listener.buffer.markInitialDistributed() }
            return true
        }
        if justSynced { synced.resolve(true) }
    }

    /// 410 Gone/Expired, or a resourceVersion the server has not reached: list the latest state next.
    static func needsLatest(_ error: APIError) -> Bool {
        if error.code == 410 { return true }
        return error.status.details?.causes?.contains { $0.reason == "ResourceVersionTooLarge" } ?? false
    }

    func setLastSyncResourceVersion(_ version: String) {
        state.withLock { $0.lastSyncResourceVersion = version }
    }

    /// Queues a watch's events until it ends; returns how many arrived.
    func consume<Events: AsyncSequence<WatchEvent<Object>, APIError>>(_ watch: Events) async throws(APIError) -> Int {
        var received = 0
        var iterator = watch.makeAsyncIterator()
        while let event = try await iterator.next(isolation: nil) {
            if Task.isCancelled { break }
            received += 1
            switch event.type {
            case .added: if let object = event.object { await queue.add(object) }
            case .modified: if let object = event.object { await queue.update(object) }
            case .deleted: if let object = event.object { await queue.delete(object) }
            case .bookmark: if let revision = UInt64(event.resourceVersion) { queue.noteProgress(revision) }
            case .error: throw APIError(status: event.status ?? APIError.internalError("watch failed").status)
            }
            if !event.resourceVersion.isEmpty { setLastSyncResourceVersion(event.resourceVersion) }
        }
        return received
    }
}
