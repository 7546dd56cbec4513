import Testing

@testable import APIMachinery

@Suite("BuiltinTypes descriptors, field selectors and merge schemas")
struct BuiltinTypesDescriptorTests {
    typealias Support = BuiltinTypesSupport

    @Test("names, scopes, short names, subresources")
    func descriptors() {
        let table: [(any Resource.Type, String, String, String, ResourceScope, [String], Bool, Bool, Bool)] = [
            (Pod.self, "v1", "Pod", "pods", .namespaced, ["po"], true, false, true),
            (Node.self, "v1", "Node", "nodes", .cluster, ["no"], true, false, true),
            (Namespace.self, "v1", "Namespace", "namespaces", .cluster, ["ns"], true, false, true),
            (Service.self, "v1", "Service", "services", .namespaced, ["svc"], true, false, true),
            (Endpoints.self, "v1", "Endpoints", "endpoints", .namespaced, ["ep"], false, false, true),
            (ConfigMap.self, "v1", "ConfigMap", "configmaps", .namespaced, ["cm"], false, false, true),
            (Secret.self, "v1", "Secret", "secrets", .namespaced, [], false, false, true),
            (Event.self, "v1", "Event", "events", .namespaced, ["ev"], false, false, true),
            (Deployment.self, "apps/v1", "Deployment", "deployments", .namespaced, ["deploy"], true, true, true),
            (ReplicaSet.self, "apps/v1", "ReplicaSet", "replicasets", .namespaced, ["rs"], true, true, true),
            (StatefulSet.self, "apps/v1", "StatefulSet", "statefulsets", .namespaced, ["sts"], true, true, true),
            (Lease.self, "coordination.k8s.io/v1", "Lease", "leases", .namespaced, [], false, false, false),
            (
                PodDisruptionBudget.self, "policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", .namespaced,
                ["pdb"],
                true, false, false
            ),
            (
                EndpointSlice.self, "discovery.k8s.io/v1", "EndpointSlice", "endpointslices", .namespaced, [], false,
                false,
                true
            ),
        ]
        #expect(table.count == BuiltinResources.all.count)
        for (type, apiVersion, kind, plural, scope, shortNames, status, scale, unconditional) in table {
            let descriptor = type.descriptor
            #expect(descriptor.apiVersion == apiVersion)
            #expect(descriptor.kind == kind)
            #expect(descriptor.plural == plural)
            #expect(descriptor.singular == kind.lowercased())
            #expect(descriptor.scope == scope, "\(kind)")
            #expect(descriptor.shortNames == shortNames, "\(kind)")
            #expect(descriptor.hasStatus == status, "\(kind)")
            #expect((descriptor.scale == .standard) == scale, "\(kind)")
            #expect(descriptor.allowsUnconditionalUpdate == unconditional, "\(kind)")
        }
    }

    @Test("every selectable field has a value")
    func selectableFieldsAnswer() throws {
        for (type, json) in BuiltinTypesFixtures.fullyPopulated {
            try Self.checkFields(type, json)
        }
    }

    static func checkFields<T: Resource>(_ type: T.Type, _ json: String) throws {
        let value = try Support.decode(T.self, json)
        for field in T.descriptor.selectableFields {
            #expect(value.fieldValue(field) != nil, "\(T.self) \(field)")
        }
        #expect(value.fieldValue("no.such.field") == nil)
    }

    @Test("Pod field values, with Kubernetes' renderings of unset fields and booleans")
    func podFields() {
        var pod = Pod(
            metadata: .init(name: "p", namespace: "ns"), spec: .init(containers: [], nodeName: "node-1"),
            status: .init(
                phase: "Running", nominatedNodeName: "node-2", podIP: "10.0.0.9",
                podIPs: [.init(ip: "10.0.0.8"), .init(ip: "fd00::8")]))
        #expect(pod.fieldValue("spec.nodeName") == "node-1")
        #expect(pod.fieldValue("spec.hostNetwork") == "false")
        #expect(pod.fieldValue("spec.restartPolicy") == "")
        #expect(pod.fieldValue("status.phase") == "Running")
        #expect(pod.fieldValue("status.podIP") == "10.0.0.8")
        #expect(pod.fieldValue("status.nominatedNodeName") == "node-2")
        #expect(pod.fieldValue("metadata.namespace") == "ns")
        pod.spec?.hostNetwork = true
        pod.applyDefaults()
        #expect(pod.fieldValue("spec.hostNetwork") == "true")
        #expect(pod.fieldValue("spec.schedulerName") == "default-scheduler")
        #expect(pod.fieldValue("spec.serviceAccountName") == "")

        #expect(Node(spec: .init(unschedulable: true)).fieldValue("spec.unschedulable") == "true")
        #expect(Node().fieldValue("spec.unschedulable") == "false")
        #expect(Namespace(status: .init(phase: "Terminating")).fieldValue("status.phase") == "Terminating")
        #expect(Secret(type: "kubernetes.io/tls").fieldValue("type") == "kubernetes.io/tls")
        #expect(ReplicaSet(status: .init(replicas: 3)).fieldValue("status.replicas") == "3")
        #expect(ReplicaSet().fieldValue("status.replicas") == "0")
    }

    @Test("strategic merge schemas follow the Go patchMergeKey tags")
    func schemas() throws {
        for type in BuiltinResources.all {
            let found = type.strategicMergeSchema
            let schema = try #require(found, "\(type)")
            #expect(schema.listMergeKeys["metadata.ownerReferences"] == "uid")
            #expect(schema.mergedScalarLists.contains("metadata.finalizers"))
        }
        let pod = try #require(Pod.strategicMergeSchema)
        #expect(pod.listMergeKeys["spec.containers"] == "name")
        #expect(pod.listMergeKeys["spec.initContainers"] == "name")
        #expect(pod.listMergeKeys["spec.containers.ports"] == "containerPort")
        #expect(pod.listMergeKeys["spec.containers.env"] == "name")
        #expect(pod.listMergeKeys["spec.containers.volumeMounts"] == "mountPath")
        #expect(pod.listMergeKeys["spec.volumes"] == "name")
        #expect(pod.listMergeKeys["spec.imagePullSecrets"] == "name")
        #expect(pod.listMergeKeys["status.conditions"] == "type")
        #expect(pod.listMergeKeys["spec.tolerations"] == nil)
        #expect(pod.listMergeKeys["status.containerStatuses"] == nil)

        let deployment = try #require(Deployment.strategicMergeSchema)
        #expect(deployment.listMergeKeys["spec.template.spec.containers"] == "name")
        #expect(deployment.listMergeKeys["spec.template.spec.containers.ports"] == "containerPort")
        #expect(deployment.listMergeKeys["spec.template.metadata.ownerReferences"] == "uid")
        #expect(deployment.listMergeKeys["status.conditions"] == "type")
        #expect(StatefulSet.strategicMergeSchema?.listMergeKeys["spec.template.spec.volumes"] == "name")

        let node = try #require(Node.strategicMergeSchema)
        #expect(node.listMergeKeys["status.conditions"] == "type")
        #expect(node.listMergeKeys["status.addresses"] == "type")
        #expect(node.listMergeKeys["spec.taints"] == nil)
        #expect(Service.strategicMergeSchema?.listMergeKeys["spec.ports"] == "port")
        #expect(Namespace.strategicMergeSchema?.listMergeKeys["status.conditions"] == "type")
        #expect(PodDisruptionBudget.strategicMergeSchema?.listMergeKeys["status.conditions"] == "type")
    }
}
