/// Every built-in resource type this module defines (RBAC types are registered separately).
public enum BuiltinResources {
    public static let all: [any Resource.Type] = [
        Namespace.self, Pod.self, Node.self, Service.self, Endpoints.self, ConfigMap.self, Secret.self, Event.self,
        Deployment.self, ReplicaSet.self, StatefulSet.self, Lease.self, PodDisruptionBudget.self, EndpointSlice.self,
    ]
}
