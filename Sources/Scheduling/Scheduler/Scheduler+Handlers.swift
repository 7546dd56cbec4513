import APIMachinery

extension Scheduler {
    // MARK: Pods

    /// Terminated pods hold no resources: the cache leaves them out.
    static func isTerminated(_ pod: Pod) -> Bool {
        let phase = pod.status?.phase
        return phase == "Succeeded" || phase == "Failed"
    }

    static func isAssigned(_ pod: Pod) -> Bool { !(pod.spec?.nodeName ?? "").isEmpty }

    func podAdded(_ pod: Pod) {
        if Self.isAssigned(pod) {
            guard !Self.isTerminated(pod) else { return }
            cache.addPod(PodInfo(pod))
            queue.moveAllToActiveOrBackoff(ClusterEvent(.pod, .add, label: "AssignedPodAdd"))
        } else if isResponsible(for: pod) && pod.metadata.deletionTimestamp == nil {
            queue.add(PodInfo(pod))
        }
    }

    func podUpdated(_ old: Pod, _ new: Pod) {
        let wasAssigned = Self.isAssigned(old)
        let isAssigned = Self.isAssigned(new)
        if isAssigned {
            if !wasAssigned { queue.delete(uid: new.metadata.uid) }
            if Self.isTerminated(new) {
                cache.removePod(uid: new.metadata.uid)
                queue.moveAllToActiveOrBackoff(ClusterEvent(.pod, .delete, label: "AssignedPodDelete"))
                return
            }
            cache.updatePod(PodInfo(new))
            if wasAssigned {
                var actions: ClusterEvent.Action = []
                if old.metadata.labels != new.metadata.labels { actions.insert(.updatePodLabel) }
                if Resource.podRequests(new.spec) != Resource.podRequests(old.spec) { actions.insert(.updatePodScaleDown) }
                if !actions.isEmpty {
                    queue.moveAllToActiveOrBackoff(ClusterEvent(.pod, actions, label: "AssignedPodUpdate"))
                }
            } else {
                queue.moveAllToActiveOrBackoff(ClusterEvent(.pod, .add, label: "AssignedPodAdd"))
            }
        } else if isResponsible(for: new) {
            // The scheduler's own assumed pods are updated by the binding; other changes go to the queue.
            guard !cache.isAssumed(uid: new.metadata.uid) else { return }
            if new.metadata.deletionTimestamp != nil {
                queue.delete(uid: new.metadata.uid)
            } else {
                let specChanged = old.spec != new.spec || old.metadata.labels != new.metadata.labels
                    || old.metadata.annotations != new.metadata.annotations
                queue.update(PodInfo(new), specChanged: specChanged)
            }
        }
    }

    func podDeleted(_ pod: Pod) {
        let uid = pod.metadata.uid
        if Self.isAssigned(pod) {
            cache.removePod(uid: uid)
            queue.moveAllToActiveOrBackoff(ClusterEvent(.pod, .delete, label: "AssignedPodDelete"))
        } else {
            queue.delete(uid: uid)
            for handle in handles.values {
                handle.waitingPod(uid: uid)?.reject("", "pod \(pod.metadata.name) was deleted")
            }
        }
    }

    // MARK: Nodes

    func nodeAdded(_ node: Node) {
        cache.addNode(node)
        queue.moveAllToActiveOrBackoff(ClusterEvent(.node, .add, label: "NodeAdd"))
    }

    func nodeUpdated(_ old: Node, _ new: Node) {
        cache.updateNode(new)
        var actions: ClusterEvent.Action = []
        if old.status?.allocatable != new.status?.allocatable { actions.insert(.updateNodeAllocatable) }
        if old.metadata.labels != new.metadata.labels { actions.insert(.updateNodeLabel) }
        if old.spec?.taints != new.spec?.taints || old.spec?.unschedulable != new.spec?.unschedulable {
            actions.insert(.updateNodeTaint)
        }
        if old.status?.conditions != new.status?.conditions { actions.insert(.updateNodeCondition) }
        if old.metadata.annotations != new.metadata.annotations { actions.insert(.updateNodeAnnotation) }
        if !actions.isEmpty { queue.moveAllToActiveOrBackoff(ClusterEvent(.node, actions, label: "NodeUpdate")) }
    }

    func nodeDeleted(_ name: String) {
        cache.removeNode(name)
    }

    // MARK: Disruption budgets

    func budgetChanged(_ budget: PodDisruptionBudget, deleted: Bool) {
        let key = budget.metadata.namespace + "/" + budget.metadata.name
        disruptionBudgets.set(key, deleted ? nil : budget)
    }
}
