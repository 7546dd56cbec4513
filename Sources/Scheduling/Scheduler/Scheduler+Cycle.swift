import APIMachinery

extension Scheduler {
    typealias BindingJob = @Sendable () async -> Void

    /// One scheduling cycle for a popped pod: filter, score, assume, reserve and permit. Returns the binding
    /// cycle to run on its own task, or nil when the pod went back to the queue (or was skipped).
    func scheduleCycle(_ queued: QueuedPodInfo) async -> BindingJob? {
        let pod = queued.podInfo
        let name = Self.schedulerName(of: pod.pod)
        guard let framework = frameworks[name], let handle = handles[name] else {
            queue.done(uid: pod.uid)
            return nil
        }
        if pod.isTerminating || cache.isAssumed(uid: pod.uid) {
            queue.done(uid: pod.uid)
            return nil
        }
        statistics.withLock { $0.attempts += 1 }
        let current = snapshot.withLock { snapshot in
            cache.updateSnapshot(&snapshot)
            return snapshot
        }
        handle.snapshot = current
        let state = CycleState(handle: handle)
        let result: ScheduleResult
        do {
            let nominations = queue.nominations
            result = try algorithm.schedule(pod, framework: framework, state: state, snapshot: current,
                nominated: nominations, nominatedNode: queue.nominatedNode(of: pod.uid))
        } catch let fitError as FitError {
            var failure = fitError
            var nominated: String?
            // A PreFilter rejection rules out every node: preemption may help only if it is resolvable.
            let preFilterCode = fitError.preFilterStatus?.code
            if framework.hasPostFilterPlugins, preFilterCode != .unschedulableAndUnresolvable {
                statistics.withLock { $0.preemptionAttempts += 1 }
                var statuses = fitError.statuses
                if let preFilterStatus = fitError.preFilterStatus, statuses.isEmpty {
                    for node in current.nodes { statuses[node.name] = preFilterStatus }
                }
                let outcome = await framework.runPostFilter(state, pod, statuses, handle)
                nominated = outcome.nominatedNodeName
                if !outcome.status.isSuccess, !outcome.status.reasons.isEmpty {
                    failure.postFilterMessage = outcome.status.message
                }
            }
            statistics.withLock { $0.unschedulable += 1 }
            if let nominated { queue.nominate(pod, nodeName: nominated) }
            failed(queued, rejectedBy: failure.unschedulablePlugins, reason: "Unschedulable",
                message: failure.description, nominatedNode: nominated)
            return nil
        } catch {
            statistics.withLock { $0.errors += 1 }
            failed(queued, rejectedBy: [], reason: "SchedulerError", message: "\(error)", error: true)
            return nil
        }
        let host = result.suggestedHost
        let assumed = pod.assumed(on: host)
        do {
            try cache.assume(assumed)
        } catch {
            failed(queued, rejectedBy: [], reason: "SchedulerError", message: "\(error)", error: true)
            return nil
        }
        let reserve = framework.runReserve(state, assumed, nodeName: host)
        guard reserve.isSuccess else {
            cache.forget(uid: pod.uid)
            failed(queued, rejectedBy: reserve.isRejected ? [reserve.plugin] : [], reason: "Unschedulable",
                message: reserve.message, error: !reserve.isRejected)
            return nil
        }
        let (permit, waits) = framework.runPermit(state, assumed, nodeName: host, handle)
        let waiting: WaitingPod?
        switch permit.code {
        case .success: waiting = nil
        case .wait:
            let pending = WaitingPod(pod: assumed, nodeName: host, plugins: Set(waits.keys))
            handle.addWaiting(pending)
            waiting = pending
        default:
            cache.forget(uid: pod.uid)
            framework.runUnreserve(state, assumed, nodeName: host)
            failed(queued, rejectedBy: permit.isRejected ? [permit.plugin] : [], reason: "Unschedulable",
                message: permit.message, error: !permit.isRejected)
            return nil
        }
        return { [self] in
            await bindingCycle(queued, assumed, host, state, framework, handle, waiting: waiting, waits: waits)
        }
    }

    /// Waits for Permit, then pre-binds, binds and post-binds. Any failure unreserves, forgets the assumed pod,
    /// requeues the pod and lets other pods retry (the room it held is free again).
    func bindingCycle(
        _ queued: QueuedPodInfo, _ assumed: PodInfo, _ host: String, _ state: CycleState, _ framework: Framework,
        _ handle: SchedulingHandle, waiting: WaitingPod?, waits: [String: Duration]
    ) async {
        if let waiting {
            let status = await withTaskGroup(of: PluginStatus?.self) { group in
                // A scheduler that stops rejects its waiting pods (their room is forgotten), so it can return.
                group.addTask {
                    await withTaskCancellationHandler {
                        await waiting.wait()
                    } onCancel: {
                        waiting.reject("", "the scheduler stopped")
                    }
                }
                if let (plugin, timeout) = waits.min(by: { $0.value < $1.value }) {
                    group.addTask { [clock] in
                        guard await clock.sleepUnlessCancelled(for: timeout) else { return nil }
                        waiting.reject(plugin, "rejected due to timeout after waiting \(timeout) at plugin \(plugin)")
                        return nil
                    }
                }
                var outcome: PluginStatus = .success
                for await status in group {
                    if let status {
                        outcome = status
                        break
                    }
                }
                group.cancelAll()
                return outcome
            }
            handle.removeWaiting(uid: assumed.uid)
            guard status.isSuccess else {
                bindingFailed(queued, assumed, host, state, framework, status: status)
                return
            }
        }
        let preBind = await framework.runPreBind(state, assumed, nodeName: host, handle)
        guard preBind.isSuccess else {
            bindingFailed(queued, assumed, host, state, framework, status: preBind)
            return
        }
        let bind = await framework.runBind(state, assumed, nodeName: host, handle)
        guard bind.isSuccess else {
            bindingFailed(queued, assumed, host, state, framework, status: bind)
            return
        }
        cache.finishBinding(uid: assumed.uid)
        queue.done(uid: assumed.uid)
        queue.nominate(assumed, nodeName: nil)
        statistics.withLock { $0.scheduled += 1 }
        await framework.runPostBind(state, assumed, nodeName: host)
        recordEvent(assumed.pod, type: "Normal", reason: "Scheduled",
            message: "Successfully assigned \(assumed.namespace)/\(assumed.key.name) to \(host)")
    }

    func bindingFailed(
        _ queued: QueuedPodInfo, _ assumed: PodInfo, _ host: String, _ state: CycleState, _ framework: Framework,
        status: PluginStatus
    ) {
        // Forget before unreserving: pods a plugin moves back to the queue from Unreserve (gang members held
        // back while this pod's group was being placed) then find its room free.
        cache.forget(uid: assumed.uid)
        framework.runUnreserve(state, assumed, nodeName: host)
        statistics.withLock { $0.bindingFailures += 1 }
        queue.moveAllToActiveOrBackoff(ClusterEvent(.pod, .delete, label: "AssignedPodDelete"))
        let rejected = status.isRejected
        failed(queued, rejectedBy: rejected ? [status.plugin] : [], reason: rejected ? "Unschedulable" : "SchedulerError",
            message: status.message, error: !rejected)
    }

    /// Requeues a pod that failed, records a `FailedScheduling` Event, and sets `PodScheduled=False` with the
    /// reason and message (and the nominated node) unless the pod already says so.
    func failed(
        _ queued: QueuedPodInfo, rejectedBy plugins: Set<String>, reason: String, message: String,
        nominatedNode: String? = nil, error: Bool = false
    ) {
        queue.addUnschedulable(queued, rejectedBy: plugins, error: error)
        let pod = queued.podInfo.pod
        recordEvent(pod, type: "Warning", reason: "FailedScheduling", message: message)
        let condition = pod.status?.conditions?.first { $0.type == "PodScheduled" }
        let nominationChanged = nominatedNode != nil && nominatedNode != pod.status?.nominatedNodeName
        guard nominationChanged || condition?.status != "False" || condition?.reason != reason
            || condition?.message != message
        else { return }
        let client = self.client
        writer.submit {
            var condition = JSONObject()
            condition["type"] = .string("PodScheduled")
            condition["status"] = .string("False")
            condition["reason"] = .string(reason)
            condition["message"] = .string(message)
            condition["lastProbeTime"] = .null
            var status = JSONObject()
            status["conditions"] = .array([.object(condition)])
            if let nominatedNode { status["nominatedNodeName"] = .string(nominatedNode) }
            var patch = JSONObject()
            patch["status"] = .object(status)
            _ = try? await client.resource(Pod.self, namespace: pod.metadata.namespace)
                .patch(pod.metadata.name, type: .strategicMerge, .object(patch), subresource: "status")
        }
    }

    /// Queues a core/v1 Event about `pod` (dropped when the writer's buffer is full).
    func recordEvent(_ pod: Pod, type: String, reason: String, message: String) {
        guard options.recordEvents else { return }
        let client = self.client
        let component = options.componentName
        writer.submit {
            let now = Time.now()
            var event = APIMachinery.Event()
            event.metadata = ObjectMeta(namespace: pod.metadata.namespace)
            event.metadata.generateName = pod.metadata.name + "."
            event.involvedObject = ObjectReference(kind: "Pod", namespace: pod.metadata.namespace,
                name: pod.metadata.name, uid: pod.metadata.uid, apiVersion: "v1")
            event.reason = reason
            event.message = message
            event.type = type
            event.source = EventSource(component: component)
            event.firstTimestamp = now
            event.lastTimestamp = now
            event.count = 1
            event.reportingComponent = component
            _ = try? await client.resource(APIMachinery.Event.self, namespace: pod.metadata.namespace).create(event)
        }
    }
}
