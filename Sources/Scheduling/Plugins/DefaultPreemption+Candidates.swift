import APIMachinery
import Synchronization

/// A node where evicting `victims` lets the preemptor fit.
public struct PreemptionCandidate: Sendable {
    public var nodeName: String
    /// Most important first (priority high to low, then earliest start).
    public var victims: [PodInfo]
    /// How many victims' eviction breaks a PodDisruptionBudget.
    public var disruptionBudgetViolations: Int
}

/// A PodDisruptionBudget reduced to what victim selection reads.
struct DisruptionBudgetCheck: Sendable {
    var namespace: String
    var selector: LabelQuery
    var allowed: Int32
    /// Pods the budget already counts as disrupted (evicting them again costs nothing).
    var disrupted: Set<String>

    /// The budgets that select anything (an empty or invalid selector selects no pod, as in kube-scheduler).
    static func prepare(_ budgets: [PodDisruptionBudget]) -> [DisruptionBudgetCheck] {
        budgets.compactMap { budget in
            guard let selector = budget.spec?.selector,
                !(selector.matchLabels ?? [:]).isEmpty || !(selector.matchExpressions ?? []).isEmpty,
                let query = try? selector.query()
            else { return nil }
            return DisruptionBudgetCheck(namespace: budget.metadata.namespace, selector: query,
                allowed: budget.status?.disruptionsAllowed ?? 0,
                disrupted: Set((budget.status?.disruptedPods ?? [:]).keys))
        }
    }

    func selects(_ pod: PodInfo) -> Bool {
        pod.namespace == namespace && !disrupted.contains(pod.key.name) && selector.matches(pod.labels)
    }
}

/// One node's dry run: the victims that make room, or why none do.
enum VictimSelection {
    case candidate(PreemptionCandidate)
    case rejected(PluginStatus)
}

/// What a candidate search found, and why other nodes were no use.
struct CandidateSearch {
    var candidates: [PreemptionCandidate] = []
    /// Reasons per node that was tried or ruled out.
    var reasons: [String: Int] = [:]

    /// `preemption: 0/5 nodes are available: 2 No preemption victims found for incoming pod, 3 Preemption is
    /// not helpful for scheduling.`
    func message(allNodes: Int) -> String {
        let parts = reasons.map { "\($0.value) \($0.key)" }.sorted()
        return "preemption: 0/\(allNodes) nodes are available: \(parts.joined(separator: ", "))."
    }
}

extension DefaultPreemption {
    static let noVictims = "No preemption victims found for incoming pod"
    static let notHelpful = "Preemption is not helpful for scheduling"

    /// How many candidates a search collects before it stops: `max(n·percentage/100, absolute)`, at most n.
    func numberOfCandidates(potentialNodes n: Int) -> Int {
        min(n, max(n * minCandidateNodesPercentage / 100, minCandidateNodesAbsolute))
    }

    /// Dry-runs preemption on the nodes where it might help, in parallel from a random offset, until enough
    /// candidates are found (at least one of them without budget violations).
    func findCandidates(
        _ state: CycleState, _ pod: PodInfo, _ statuses: [String: PluginStatus], _ handle: SchedulingHandle
    ) -> CandidateSearch {
        let snapshot = handle.snapshot
        var search = CandidateSearch()
        var potential: [NodeInfo] = []
        for node in snapshot.nodes {
            // Nodes no filter looked at were ruled out by PreFilter: as good as unresolvable.
            if let status = statuses[node.name], status.code == .unschedulable {
                potential.append(node)
            } else {
                search.reasons[Self.notHelpful, default: 0] += 1
            }
        }
        guard !potential.isEmpty else { return search }
        let wanted = numberOfCandidates(potentialNodes: potential.count)
        let offset = random.next(below: potential.count)
        let budgets = DisruptionBudgetCheck.prepare(handle.disruptionBudgets())
        let framework = handle.framework
        let found = Mutex((candidates: [(Int, PreemptionCandidate)](), reasons: [String: Int](), violating: 0, clean: 0))
        let count = potential.count
        let nodes = potential
        framework.parallelizer.forEachChunk(count: count, chunkSize: 16) { range in
            var candidates: [(Int, PreemptionCandidate)] = []
            var reasons: [String: Int] = [:]
            for index in range {
                let node = nodes[(offset + index) % count]
                switch selectVictims(state, pod, on: node, framework: framework,
                    nominated: handle.nominatedPods(on: node.name), budgets: budgets)
                {
                case .candidate(let candidate): candidates.append((index, candidate))
                case .rejected(let status): for reason in status.reasons { reasons[reason, default: 0] += 1 }
                }
            }
            return found.withLock { f in
                for (_, candidate) in candidates {
                    if candidate.disruptionBudgetViolations > 0 { f.violating += 1 } else { f.clean += 1 }
                }
                f.candidates += candidates
                f.reasons.merge(reasons, uniquingKeysWith: +)
                return !(f.clean > 0 && f.clean + f.violating >= wanted)
            }
        }
        let result = found.withLock { $0 }
        // In walk order, so the choice among equals does not depend on thread timing.
        search.candidates = result.candidates.sorted { $0.0 < $1.0 }.map(\.1)
        search.reasons.merge(result.reasons, uniquingKeysWith: +)
        return search
    }

    /// The dry run on one node: remove every lower-priority pod; if the preemptor then fits, put victims
    /// back, budget-protected ones first, most important first, while it still fits.
    func selectVictims(
        _ state: CycleState, _ pod: PodInfo, on node: NodeInfo, framework: Framework, nominated: [PodInfo],
        budgets: [DisruptionBudgetCheck]
    ) -> VictimSelection {
        let lower = node.pods.filter { $0.priority < pod.priority }
        guard !lower.isEmpty else { return .rejected(PluginStatus(.unschedulableAndUnresolvable, Self.noVictims)) }
        var trial = node
        let trialState = framework.podTrackingPlugins(state).isEmpty ? state : state.clone()
        for victim in lower {
            trial.remove(uid: victim.uid)
            let status = framework.runPreFilterRemovePod(trialState, pod, removing: victim, from: trial)
            if !status.isSuccess { return .rejected(status) }
        }
        let fits = framework.runFilterWithNominatedPods(trialState, pod, trial, nominated: nominated)
        guard fits.isSuccess else { return .rejected(fits) }
        let ordered = lower.sorted(by: Self.moreImportant)
        let (violating, clean) = Self.splitByBudgetViolation(ordered, budgets)
        var victims: [PodInfo] = []
        var violations = 0
        // Puts `candidate` back; false when the preemptor no longer fits (it stays evicted).
        func reprieve(_ candidate: PodInfo) -> Bool {
            trial.add(candidate)
            if framework.runPreFilterAddPod(trialState, pod, adding: candidate, to: trial).isSuccess,
                framework.runFilterWithNominatedPods(trialState, pod, trial, nominated: nominated).isSuccess
            {
                return true
            }
            trial.remove(uid: candidate.uid)
            _ = framework.runPreFilterRemovePod(trialState, pod, removing: candidate, from: trial)
            victims.append(candidate)
            return false
        }
        for candidate in violating where !reprieve(candidate) { violations += 1 }
        for candidate in clean { _ = reprieve(candidate) }
        victims.sort(by: Self.moreImportant)
        return .candidate(PreemptionCandidate(nodeName: node.name, victims: victims, disruptionBudgetViolations: violations))
    }

    /// Higher priority first; among equals, the one that started earlier (it has run longer).
    static func moreImportant(_ lhs: PodInfo, _ rhs: PodInfo) -> Bool {
        if lhs.priority != rhs.priority { return lhs.priority > rhs.priority }
        return lhs.startTime < rhs.startTime
    }

    /// Splits `pods` (in order) into those whose eviction would take a budget below its allowed disruptions
    /// and the rest, counting each budget down as pods are taken.
    static func splitByBudgetViolation(_ pods: [PodInfo], _ budgets: [DisruptionBudgetCheck])
        -> (violating: [PodInfo], clean: [PodInfo])
    {
        guard !budgets.isEmpty else { return ([], pods) }
        var allowed = budgets.map(\.allowed)
        var violating: [PodInfo] = []
        var clean: [PodInfo] = []
        for pod in pods {
            var breaks = false
            for index in budgets.indices where budgets[index].selects(pod) {
                allowed[index] -= 1
                if allowed[index] < 0 { breaks = true }
            }
            if breaks { violating.append(pod) } else { clean.append(pod) }
        }
        return (violating, clean)
    }

    /// kube-scheduler's `pickOneNodeForPreemption`: a node needing no eviction at once; else fewest budget
    /// violations, lowest highest-victim priority, lowest priority sum, fewest victims, then the latest
    /// earliest-start among the highest-priority victims; the first of any remaining tie.
    func selectCandidate(_ candidates: [PreemptionCandidate]) -> PreemptionCandidate? {
        guard !candidates.isEmpty else { return nil }
        if let free = candidates.first(where: { $0.victims.isEmpty }) { return free }
        var remaining = candidates
        func keepMinimum(_ key: (PreemptionCandidate) -> Int64) {
            guard remaining.count > 1 else { return }
            let keys = remaining.map(key)
            let best = keys.min()!
            remaining = zip(remaining, keys).filter { $0.1 == best }.map(\.0)
        }
        keepMinimum { Int64($0.disruptionBudgetViolations) }
        keepMinimum { Int64($0.victims[0].priority) }
        // Offset by Int32.max + 1 so negative priorities still add up to more for more victims.
        keepMinimum { $0.victims.reduce(0) { $0 + Int64($1.priority) + Int64(Int32.max) + 1 } }
        keepMinimum { Int64($0.victims.count) }
        keepMinimum { candidate in
            let top = candidate.victims[0].priority
            let earliest = candidate.victims.lazy.filter { $0.priority == top }.map(\.startTime).min() ?? .max
            return -earliest
        }
        return remaining[0]
    }
}
