import APIMachinery

extension LeaderElector {
    /// One acquire-or-renew attempt (client-go's `tryAcquireOrRenew`): true when this elector holds the Lease
    /// afterwards. Errors count as failures; the callers retry on their schedule.
    func tryAcquireOrRenew() async -> Bool {
        let timestamp = now()
        var record = LeaseSpec(
            holderIdentity: config.identity, leaseDurationSeconds: config.leaseDurationSeconds,
            acquireTime: timestamp, renewTime: timestamp, leaseTransitions: 0
        )

        // 1. The leader's fast path: update the Lease as last seen, without reading it first. A 409 means the
        // view was stale; the slow path below reads the Lease and decides again.
        let fastPath = state.withLock { s -> Lease? in
            guard isHolder(s.observedRecord), s.observedTime + config.leaseDuration > clock() else { return nil }
            return s.lease
        }
        if var lease = fastPath {
            keepTerm(of: lease.spec, in: &record)
            lease.spec = record
            if let updated = try? await leases.update(lease) {
                observe(updated)
                return true
            }
        }

        // 2. Read the Lease, or create it held by us.
        let current: Lease
        do {
            current = try await leases.get(config.leaseName)
        } catch {
            guard error.code == 404 else { return false }
            let lease = Lease(
                metadata: ObjectMeta(name: config.leaseName, namespace: config.leaseNamespace), spec: record
            )
            // AlreadyExists: another candidate created it first.
            guard let created = try? await leases.create(lease) else { return false }
            observe(created)
            return true
        }

        // 3. Whose is it, and has it expired? Expiry counts from when this elector saw the record change, on its
        // own clock: the holder's timestamps come from another machine's clock and are not trusted.
        observe(current)
        let (mayTake, holdsIt) = state.withLock { s -> (Bool, Bool) in
            let holder = s.observedRecord?.holderIdentity ?? ""
            let seconds = s.observedRecord?.leaseDurationSeconds ?? config.leaseDurationSeconds
            let expired = s.observedTime + .seconds(Int64(seconds)) <= clock()
            return (holder.isEmpty || expired || isHolder(s.observedRecord), isHolder(s.observedRecord))
        }
        guard mayTake else { return false }

        // 4. Take or renew it. A new holder counts a transition and starts its acquire time afresh.
        if holdsIt {
            keepTerm(of: current.spec, in: &record)
        } else {
            record.leaseTransitions = (current.spec?.leaseTransitions ?? 0) + 1
            record.strategy = current.spec?.strategy
            record.preferredHolder = current.spec?.preferredHolder
        }
        var lease = current
        lease.spec = record
        // 409: another candidate wrote first; it won this round.
        guard let updated = try? await leases.update(lease) else { return false }
        observe(updated)
        return true
    }

    /// Gives the Lease up by writing an empty holder with a one-second duration, so candidates take over at
    /// their next attempt; only if the last observed record is ours, and guarded by its resourceVersion so a
    /// newer holder is never overwritten.
    func release() async {
        let held = state.withLock { s -> Lease? in isHolder(s.observedRecord) ? s.lease : nil }
        guard var lease = held else { return }
        let timestamp = now()
        lease.spec = LeaseSpec(
            holderIdentity: "", leaseDurationSeconds: 1, acquireTime: timestamp, renewTime: timestamp,
            leaseTransitions: lease.spec?.leaseTransitions ?? 0, strategy: lease.spec?.strategy,
            preferredHolder: lease.spec?.preferredHolder
        )
        if let updated = try? await leases.update(lease) { observe(updated) }
    }

    /// Records the Lease as last seen; the observed time moves only when its record changed.
    func observe(_ lease: Lease) {
        let elapsed = clock()
        let record = lease.spec ?? LeaseSpec()
        state.withLock { s in
            s.lease = lease
            if s.observedRecord != record {
                s.observedRecord = record
                s.observedTime = elapsed
            }
        }
    }

    /// Whether the observed record names this elector.
    func isHolder(_ record: LeaseSpec?) -> Bool { record?.holderIdentity == config.identity }

    /// A renewal keeps the term's acquire time and transition count (and the coordinated-election fields).
    func keepTerm(of spec: LeaseSpec?, in record: inout LeaseSpec) {
        record.acquireTime = spec?.acquireTime ?? record.acquireTime
        record.leaseTransitions = spec?.leaseTransitions ?? 0
        record.strategy = spec?.strategy
        record.preferredHolder = spec?.preferredHolder
    }
}
