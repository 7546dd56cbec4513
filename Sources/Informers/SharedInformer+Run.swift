import APIMachinery

extension SharedInformer {
    /// Lists, watches and notifies until the task is cancelled, then stops: handler tasks end, event
    /// sequences finish, and a pending ``waitForSync()`` returns false.
    ///
    /// - Throws: ``InformerError/Code/alreadyStarted`` when called a second time.
    public func run() async throws {
        let now = clock()
        let initial = try state.withLock { s throws(InformerError) -> [Listener] in
            guard s.phase == .idle else {
                throw InformerError(.alreadyStarted, "the informer already ran; an informer runs once")
            }
            s.phase = .running
            for id in s.resync.keys { s.resync[id]!.next = now + s.resync[id]!.period }
            defer { s.toStart = [] }
            return s.toStart
        }
        await withDiscardingTaskGroup { group in
            for listener in initial { group.addTask { await listener.run() } }
            group.addTask { await self.reflect() }
            group.addTask { await self.processDeltas() }
            group.addTask { await self.resyncLoop() }
            while !Task.isCancelled {
                await listenersAdded.wait()
                let added = state.withLock { s in
                    defer { s.toStart = [] }
                    return s.toStart
                }
                for listener in added { group.addTask { await listener.run() } }
            }
        }
        stop()
    }

    func stop() {
        state.withLock { $0.phase = .stopped }
        queue.close()
        let listeners = dispatch.withLock { $0.listeners }
        for listener in listeners { listener.buffer.close() }
        synced.resolve(false)
    }

    /// Pops deltas in batches, applies them to the cache and hands the notifications to every listener.
    func processDeltas() async {
        typealias Entry = NotificationBuffer<Object>.Entry
        var entries: [Entry] = []
        var targets: [SyncTargets?] = []
        while let batch = await queue.popBatch(max: 256) {
            entries.removeAll(keepingCapacity: true)
            targets.removeAll(keepingCapacity: true)
            var targeted = false
            var wake: [UnsafeContinuation<Void, Never>] = []
            let justSynced = dispatch.withLock { d -> Bool in
                indexer.state.withLock { s in
                    for delta in batch {
                        switch delta.type {
                        case .deleted:
                            let old = s.remove(delta.key)
                            entries.append(Entry(key: delta.key, event: .deleted(delta.object), before: old))
                            targets.append(nil)
                        case .added, .updated, .replaced, .sync:
                            let new = delta.object.object
                            if let old = s.put(delta.key, new) {
                                entries.append(Entry(key: delta.key, event: .updated(old: old, new: new)))
                            } else {
                                entries.append(Entry(key: delta.key,
                                    event: .added(new, isInInitialList: delta.isInInitialList)))
                            }
                            targets.append(delta.type == .sync ? delta.syncTargets : nil)
                            if delta.type == .sync && delta.syncTargets != nil { targeted = true }
                        }
                    }
                }
                for listener in d.listeners {
                    var mine = entries
                    if targeted {
                        mine = []
                        for (index, entry) in entries.enumerated()
                        where targets[index].map({ $0.ids.contains(listener.id) }) ?? true {
                            mine.append(entry)
                        }
                    }
                    if let waiter = listener.buffer.push(mine) { wake.append(waiter) }
                }
                let finished = queue.finishBatch()
                wake += finished.wake
                if finished.justSynced {
                    d.synced = true
                    for listener in d.listeners { listener.buffer.markInitialDistributed() }
                }
                return finished.justSynced
            }
            for waiter in wake { waiter.resume() }
            if justSynced { synced.resolve(true) }
        }
    }

    /// Queues sync deltas for the handlers whose resync period is due, sleeping on the clock in between.
    func resyncLoop() async {
        while !Task.isCancelled {
            let now = clock()
            let (due, next) = state.withLock { s -> (Set<UInt64>, Duration?) in
                var due = Set<UInt64>()
                var next: Duration?
                for (id, resync) in s.resync {
                    if resync.next <= now {
                        due.insert(id)
                        s.resync[id]!.next = now + resync.period
                    }
                    next = min(next ?? s.resync[id]!.next, s.resync[id]!.next)
                }
                return (due, next)
            }
            if !due.isEmpty && hasSynced { await queue.resync(targets: SyncTargets(due)) }
            guard let next else {
                await resyncChanged.wait()
                continue
            }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { _ = try? await self.clock.sleep(until: next) }
                group.addTask { await self.resyncChanged.wait() }
                await group.next()
                group.cancelAll()
            }
        }
    }
}
