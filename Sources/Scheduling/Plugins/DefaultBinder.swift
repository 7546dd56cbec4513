import APIMachinery

/// Binds a pod through the API's `pods/binding` subresource (kube-scheduler's DefaultBinder). Without a
/// client (in-memory use) it answers success and the cache keeps the assumed pod.
public struct DefaultBinder: BindPlugin {
    public let name = "DefaultBinder"

    public init() {}

    public func bind(_ state: CycleState, _ pod: PodInfo, nodeName: String, _ handle: SchedulingHandle) async -> PluginStatus {
        guard let client = handle.client else { return .success }
        do {
            try await client.resource(Pod.self, namespace: pod.namespace).bind(pod.key.name, to: nodeName)
            return .success
        } catch {
            return PluginStatus(.error, "binding rejected: \(error.status.message ?? "\(error)")")
        }
    }
}
