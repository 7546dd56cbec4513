import APIMachinery
@testable import Scheduling

/// A node with allocatable `cpu` (e.g. "4", "500m"), `memory` (e.g. "8Gi"), 110 pods, and optional labels,
/// taints, images and extra allocatable resources. `kubernetes.io/hostname` is set to the name.
func makeNode(
    _ name: String, cpu: String = "4", memory: String = "8Gi", pods: Int64 = 110, labels: [String: String] = [:],
    taints: [Taint] = [], images: [ContainerImage] = [], extra: [String: String] = [:], unschedulable: Bool = false
) -> Node {
    var allocatable: [String: Quantity] = ["cpu": Quantity(cpu)!, "memory": Quantity(memory)!, "pods": Quantity(integer: pods)]
    for (key, value) in extra { allocatable[key] = Quantity(value)! }
    var allLabels = labels
    allLabels["kubernetes.io/hostname"] = allLabels["kubernetes.io/hostname"] ?? name
    return Node(
        metadata: ObjectMeta(name: name, labels: allLabels),
        spec: NodeSpec(unschedulable: unschedulable ? true : nil, taints: taints.isEmpty ? nil : taints),
        status: NodeStatus(capacity: allocatable, allocatable: allocatable, images: images.isEmpty ? nil : images))
}

/// A pod with one container per entry of `containers` (each `(cpu, memory)` request; nil leaves it out),
/// in `namespace`, with optional labels, node name, priority and a spec edit for anything else.
func makePod(
    _ name: String, namespace: String = "default", uid: String? = nil, containers: [(cpu: String?, memory: String?)] = [(nil, nil)],
    labels: [String: String] = [:], nodeName: String? = nil, priority: Int32? = nil,
    edit: (inout PodSpec) -> Void = { _ in }
) -> Pod {
    var spec = PodSpec()
    spec.containers = containers.enumerated().map { index, request in
        var requests: [String: Quantity] = [:]
        if let cpu = request.cpu { requests["cpu"] = Quantity(cpu)! }
        if let memory = request.memory { requests["memory"] = Quantity(memory)! }
        var container = Container()
        container.name = "c\(index)"
        container.image = "registry.example/app:1"
        if !requests.isEmpty { container.resources = ResourceRequirements(requests: requests) }
        return container
    }
    spec.nodeName = nodeName
    spec.priority = priority
    edit(&spec)
    var metadata = ObjectMeta(name: name, namespace: namespace, labels: labels)
    metadata.uid = uid ?? "uid-\(namespace)-\(name)"
    return Pod(metadata: metadata, spec: spec)
}

/// A pod with one container requesting `cpu`, `memory` (nil: no request) and `extra` resources.
func requesting(_ name: String, cpu: String?, memory: String?, extra: [String: String] = [:]) -> Pod {
    makePod(name, containers: [(cpu, memory)]) { spec in
        guard !extra.isEmpty else { return }
        var requests = spec.containers![0].resources?.requests ?? [:]
        for (resource, amount) in extra { requests[resource] = Quantity(amount)! }
        spec.containers![0].resources = ResourceRequirements(requests: requests)
    }
}

/// A node info of `node` holding `pods`.
func makeNodeInfo(_ node: Node, pods: [Pod] = []) -> NodeInfo {
    var info = NodeInfo(node)
    for pod in pods { info.add(PodInfo(pod)) }
    return info
}

/// `nodes` with generation 0, as a plugin that has never seen them finds them: it counts everything afresh
/// instead of reusing tallies it kept for unchanged generations.
func withGenerationsReset(_ nodes: [NodeInfo]) -> [NodeInfo] {
    nodes.map { node in
        var copy = node
        copy.generation = 0
        return copy
    }
}
