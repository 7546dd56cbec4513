import Testing

@testable import APIMachinery

@Suite("BuiltinTypes defaulting")
struct BuiltinTypesDefaultingTests {
    typealias Support = BuiltinTypesSupport

    @Test("Pod: spec, container, port, probe, volume and status defaults")
    func pod() {
        var pod = Pod(
            metadata: .init(name: "x"),
            spec: .init(
                volumes: [.init(name: "scratch"), .init(name: "config", configMap: .init(name: "settings"))],
                containers: [
                    .init(
                        name: "c", image: "nginx", ports: [.init(containerPort: 80)],
                        env: [.init(name: "POD", valueFrom: .init(fieldRef: .init(fieldPath: "metadata.name")))],
                        resources: .init(limits: Support.resources(["cpu": "1", "memory": "1Gi"])),
                        readinessProbe: .init(httpGet: .init(port: 80)))
                ],
                serviceAccountName: "builder"))
        pod.applyDefaults()
        let spec = pod.spec!
        #expect(spec.restartPolicy == "Always")
        #expect(spec.dnsPolicy == "ClusterFirst")
        #expect(spec.schedulerName == "default-scheduler")
        #expect(spec.terminationGracePeriodSeconds == 30)
        #expect(spec.securityContext == PodSecurityContext())
        #expect(spec.enableServiceLinks == true)
        #expect(spec.serviceAccount == "builder")
        let container = spec.containers![0]
        #expect(container.imagePullPolicy == "Always")
        #expect(container.terminationMessagePath == "/dev/termination-log")
        #expect(container.terminationMessagePolicy == "File")
        #expect(container.ports?[0].protocol == "TCP")
        #expect(container.ports?[0].hostPort == nil)
        #expect(container.env?[0].valueFrom?.fieldRef?.apiVersion == "v1")
        #expect(container.resources?.requests == Support.resources(["cpu": "1", "memory": "1Gi"]))
        #expect(
            container.readinessProbe
                == Probe(
                    httpGet: .init(path: "/", port: 80, scheme: "HTTP"),
                    timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3))
        #expect(spec.volumes?[0].emptyDir == EmptyDirVolumeSource())
        #expect(spec.volumes?[1].configMap?.defaultMode == 420)
        #expect(pod.status == PodStatus(phase: "Pending", qosClass: "Guaranteed"))
    }

    @Test(
        "image pull policy follows the tag",
        arguments: [
            ("nginx", "Always"), ("nginx:latest", "Always"), ("nginx:1.25", "IfNotPresent"),
            ("registry:5000/team/app", "Always"), ("registry:5000/team/app:v2", "IfNotPresent"),
            ("nginx@sha256:abcd", "IfNotPresent"),
        ])
    func pullPolicy(image: String, policy: String) {
        #expect(Container.defaultImagePullPolicy(image: image) == policy)
    }

    @Test("host-network pods publish container ports on the host")
    func hostNetwork() {
        var pod = Pod(
            spec: .init(
                containers: [.init(name: "c", image: "x:1", ports: [.init(containerPort: 8080)])],
                hostNetwork: true))
        pod.applyDefaults()
        #expect(pod.spec?.containers?[0].ports?[0].hostPort == 8080)
    }

    @Test("QoS classes")
    func qos() {
        func spec(_ requests: [String: String]?, _ limits: [String: String]?) -> PodSpec {
            PodSpec(containers: [
                .init(
                    name: "c",
                    resources: .init(
                        limits: limits.map(Support.resources),
                        requests: requests.map(Support.resources)))
            ])
        }
        #expect(spec(nil, nil).qosClass == "BestEffort")
        #expect(spec(["cpu": "100m"], nil).qosClass == "Burstable")
        #expect(spec(["cpu": "1", "memory": "1Gi"], ["cpu": "1000m", "memory": "1Gi"]).qosClass == "Guaranteed")
        #expect(spec(["cpu": "500m", "memory": "1Gi"], ["cpu": "1", "memory": "1Gi"]).qosClass == "Burstable")
    }

    @Test("Deployment: replicas, strategy, history, deadline and template")
    func deployment() {
        var deployment = Deployment(
            spec: .init(template: .init(spec: .init(containers: [.init(name: "c", image: "x:1")]))))
        deployment.applyDefaults()
        let spec = deployment.spec!
        #expect(spec.replicas == 1)
        #expect(
            spec.strategy
                == DeploymentStrategy(
                    type: "RollingUpdate",
                    rollingUpdate: .init(maxUnavailable: "25%", maxSurge: "25%")))
        #expect(spec.revisionHistoryLimit == 10)
        #expect(spec.progressDeadlineSeconds == 600)
        #expect(spec.template?.spec?.restartPolicy == "Always")
        #expect(spec.template?.spec?.containers?[0].imagePullPolicy == "IfNotPresent")
        #expect(spec.template?.spec?.enableServiceLinks == nil)
        #expect(deployment.status == DeploymentStatus())

        var recreate = Deployment(spec: .init(strategy: .init(type: "Recreate")))
        recreate.applyDefaults()
        #expect(recreate.spec?.strategy == DeploymentStrategy(type: "Recreate"))
    }

    @Test("ReplicaSet and StatefulSet")
    func replicaSetAndStatefulSet() {
        var replicaSet = ReplicaSet()
        replicaSet.applyDefaults()
        #expect(replicaSet.spec?.replicas == 1)
        #expect(replicaSet.status == ReplicaSetStatus(replicas: 0))

        var statefulSet = StatefulSet(spec: .init(volumeClaimTemplates: [.init(metadata: .init(name: "data"))]))
        statefulSet.applyDefaults()
        let spec = statefulSet.spec!
        #expect(spec.replicas == 1)
        #expect(spec.podManagementPolicy == "OrderedReady")
        #expect(
            spec.updateStrategy == StatefulSetUpdateStrategy(type: "RollingUpdate", rollingUpdate: .init(partition: 0)))
        #expect(spec.revisionHistoryLimit == 10)
        #expect(spec.persistentVolumeClaimRetentionPolicy == .init(whenDeleted: "Retain", whenScaled: "Retain"))
        #expect(spec.volumeClaimTemplates?[0].spec?.volumeMode == "Filesystem")
        #expect(spec.volumeClaimTemplates?[0].status?.phase == "Pending")
    }

    @Test("Service: type, affinity, protocol, target port and traffic policies")
    func service() {
        var service = Service(spec: .init(ports: [.init(port: 80), .init(port: 443, targetPort: "https")]))
        service.applyDefaults()
        let spec = service.spec!
        #expect(spec.type == "ClusterIP")
        #expect(spec.sessionAffinity == "None")
        #expect(spec.internalTrafficPolicy == "Cluster")
        #expect(spec.externalTrafficPolicy == nil)
        #expect(spec.ports?[0] == ServicePort(protocol: "TCP", port: 80, targetPort: 80))
        #expect(spec.ports?[1].targetPort == "https")
        #expect(service.status == ServiceStatus(loadBalancer: LoadBalancerStatus()))

        var balancer = Service(spec: .init(type: "LoadBalancer", sessionAffinity: "ClientIP"))
        balancer.applyDefaults()
        #expect(balancer.spec?.externalTrafficPolicy == "Cluster")
        #expect(balancer.spec?.allocateLoadBalancerNodePorts == true)
        #expect(balancer.spec?.sessionAffinityConfig?.clientIP?.timeoutSeconds == 10800)
    }

    @Test("Namespace, Secret, Node, Endpoints, EndpointSlice, PDB; Lease and ConfigMap unchanged")
    func others() {
        var namespace = Namespace(metadata: .init(name: "team-a"))
        namespace.applyDefaults()
        #expect(namespace.metadata.labels == ["kubernetes.io/metadata.name": "team-a"])
        #expect(namespace.spec?.finalizers == ["kubernetes"])
        #expect(namespace.status?.phase == "Active")

        var secret = Secret(data: ["a": "eA=="], stringData: ["b": "hello"])
        secret.applyDefaults()
        #expect(secret.type == "Opaque")
        #expect(secret.data == ["a": "eA==", "b": "aGVsbG8="])
        #expect(secret.stringData == nil)

        var node = Node(status: .init(capacity: Support.resources(["cpu": "4"])))
        node.applyDefaults()
        #expect(node.status?.allocatable == Support.resources(["cpu": "4"]))

        var endpoints = Endpoints(subsets: [.init(addresses: [.init(ip: "10.0.0.1")], ports: [.init(port: 80)])])
        endpoints.applyDefaults()
        #expect(endpoints.subsets?[0].ports?[0].protocol == "TCP")

        var slice = EndpointSlice(addressType: "IPv4", ports: [.init(port: 80)])
        slice.applyDefaults()
        #expect(slice.ports?[0] == EndpointSlice.EndpointPort(name: "", protocol: "TCP", port: 80))

        var budget = PodDisruptionBudget()
        budget.applyDefaults()
        #expect(budget.status == .init(disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0))

        var lease = Lease(spec: .init(holderIdentity: "a"))
        lease.applyDefaults()
        #expect(lease == Lease(spec: .init(holderIdentity: "a")))
        var configMap = ConfigMap(data: ["k": "v"])
        configMap.applyDefaults()
        #expect(configMap == ConfigMap(data: ["k": "v"]))
    }
}
