import Testing

@testable import APIMachinery

@Suite("BuiltinTypes validation")
struct BuiltinTypesValidationTests {
    typealias Support = BuiltinTypesSupport

    static func validPod() -> Pod {
        var pod = Pod(
            metadata: .init(name: "p", namespace: "default"),
            spec: .init(containers: [.init(name: "web", image: "nginx:1.25", ports: [.init(containerPort: 80)])]))
        pod.applyDefaults()
        return pod
    }

    static func validDeployment() -> Deployment {
        var deployment = Deployment(
            metadata: .init(name: "d", namespace: "default"),
            spec: .init(
                selector: Support.selector(["app": "web"]),
                template: .init(
                    metadata: .init(labels: ["app": "web"]),
                    spec: .init(containers: [.init(name: "web", image: "nginx:1.25")]))))
        deployment.applyDefaults()
        return deployment
    }

    @Test("a defaulted pod is valid")
    func validPodPasses() {
        #expect(Self.validPod().validate() == [])
    }

    @Test("Pod: containers required")
    func podNeedsContainers() {
        var pod = Self.validPod()
        pod.spec?.containers = []
        #expect(pod.validate() == [.required("spec.containers")])
        #expect(Pod().validate() == [.required("spec")])
    }

    @Test("Pod: container names, images, ports, protocols")
    func podContainers() {
        var pod = Self.validPod()
        pod.spec?.containers = [
            .init(
                name: "Web", image: "a", ports: [.init(containerPort: 0, protocol: "TCP")], imagePullPolicy: "Always"),
            .init(name: "side", image: " ", ports: [.init(containerPort: 70000, protocol: "HTTP")]),
            .init(name: "side", image: "b", ports: [.init(hostPort: 99999, containerPort: 80, protocol: "UDP")]),
        ]
        let errors = pod.validate()
        #expect(
            Support.fields(errors) == [
                "spec.containers[0].name", "spec.containers[0].ports[0].containerPort", "spec.containers[1].image",
                "spec.containers[1].ports[0].containerPort", "spec.containers[1].ports[0].protocol",
                "spec.containers[2].name", "spec.containers[2].ports[0].hostPort",
            ])
        #expect(
            errors[0].description.hasPrefix(
                #"spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label"#))
        #expect(
            errors[1].description
                == "spec.containers[0].ports[0].containerPort: Invalid value: 0: must be between 1 and 65535, inclusive"
        )
        #expect(errors[2] == .required("spec.containers[1].image"))
        #expect(
            errors[4].description
                == #"spec.containers[1].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP""#
        )
        #expect(errors[5] == .duplicate("spec.containers[2].name", value: #""side""#))
    }

    @Test("Pod: init and regular container names share one namespace")
    func podInitContainerNames() {
        var pod = Self.validPod()
        pod.spec?.initContainers = [.init(name: "web", image: "busybox:1", terminationMessagePolicy: "File")]
        #expect(Support.fields(pod.validate()) == ["spec.containers[0].name"])
    }

    @Test("Pod: requests may not exceed limits")
    func podResources() {
        var pod = Self.validPod()
        pod.spec?.containers?[0].resources = .init(
            limits: Support.resources(["cpu": "1"]),
            requests: Support.resources(["cpu": "1500m", "memory": "1Gi"]))
        let errors = pod.validate()
        #expect(errors.count == 1)
        #expect(
            errors.first?.description
                == #"spec.containers[0].resources.requests[cpu]: Invalid value: "1500m": must be less than or equal to cpu limit of 1"#
        )
    }

    @Test("Pod: restart policy, DNS policy, tolerations, volumes, spread constraints")
    func podSpecRules() {
        var pod = Self.validPod()
        pod.spec?.restartPolicy = "Sometimes"
        pod.spec?.dnsPolicy = "Magic"
        pod.spec?.tolerations = [.init(key: "k", operator: "Exists", value: "v"), .init(effect: "NoExecute")]
        pod.spec?.volumes = [.init(name: "data", emptyDir: .init()), .init(name: "data", emptyDir: .init())]
        pod.spec?.topologySpreadConstraints = [.init(maxSkew: 0, whenUnsatisfiable: "DoNotSchedule")]
        let errors = pod.validate()
        #expect(
            Support.fields(errors) == [
                "spec.volumes[1].name", "spec.restartPolicy", "spec.dnsPolicy", "spec.tolerations[0].operator",
                "spec.tolerations[1].operator", "spec.topologySpreadConstraints[0].maxSkew",
                "spec.topologySpreadConstraints[0].topologyKey",
            ])
        #expect(
            errors[1]
                == .notSupported(
                    "spec.restartPolicy", value: #""Sometimes""#,
                    supported: ["Always", "Never", "OnFailure"]))
    }

    @Test("Pod updates: images may change, other spec fields may not; nodeName only once")
    func podUpdate() {
        let old = Self.validPod()
        var new = old
        new.spec?.containers?[0].image = "nginx:1.26"
        new.spec?.activeDeadlineSeconds = 60
        new.spec?.tolerations = [.init(key: "k", operator: "Exists")]
        new.spec?.nodeName = "node-1"
        #expect(new.validateUpdate(from: old) == [])

        var changed = old
        changed.spec?.containers?[0].ports = []
        #expect(Support.fields(changed.validateUpdate(from: old)) == ["spec"])
        #expect(changed.validateUpdate(from: old).first?.kind == .forbidden)

        var moved = new
        moved.spec?.nodeName = "node-2"
        #expect(Support.fields(moved.validateUpdate(from: new)) == ["spec.nodeName"])

        var ungated = old
        ungated.spec?.schedulingGates = [.init(name: "example.com/gate")]
        var released = ungated
        released.spec?.schedulingGates = []
        #expect(released.validateUpdate(from: ungated) == [])
        #expect(Support.fields(ungated.validateUpdate(from: released)) == ["spec"])
    }

    @Test("Deployment: selector required, non-empty and matching the template")
    func deploymentSelector() {
        #expect(Self.validDeployment().validate() == [])

        var missing = Self.validDeployment()
        missing.spec?.selector = nil
        #expect(Support.fields(missing.validate()) == ["spec.selector"])

        var empty = Self.validDeployment()
        empty.spec?.selector = LabelSelector()
        #expect(empty.validate().map(\.detail) == ["empty selector is invalid for deployment"])

        var mismatch = Self.validDeployment()
        mismatch.spec?.selector = Support.selector(["app": "api"])
        let errors = mismatch.validate()
        #expect(errors.count == 1)
        #expect(
            errors.first?.description
                == #"spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`"#
        )

        var expressions = Self.validDeployment()
        expressions.spec?.selector = Support.selector(
            json: #"{"matchExpressions":[{"key":"app","operator":"In","values":["web","api"]}]}"#)
        #expect(expressions.validate() == [])
    }

    @Test("Deployment: replicas, template restart policy, rolling update bounds, deadline")
    func deploymentSpec() {
        var deployment = Self.validDeployment()
        deployment.spec?.replicas = -1
        deployment.spec?.template?.spec?.restartPolicy = "Never"
        deployment.spec?.strategy?.rollingUpdate = .init(maxUnavailable: 0, maxSurge: "0%")
        deployment.spec?.minReadySeconds = 700
        let errors = deployment.validate()
        #expect(
            Support.fields(errors) == [
                "spec.replicas", "spec.template.spec.restartPolicy", "spec.strategy.rollingUpdate.maxUnavailable",
                "spec.progressDeadlineSeconds",
            ])
        #expect(errors[0].description == "spec.replicas: Invalid value: -1: must be greater than or equal to 0")
        #expect(
            errors[1] == .notSupported("spec.template.spec.restartPolicy", value: #""Never""#, supported: ["Always"]))
        #expect(errors[2].detail == "may not be 0 when `maxSurge` is 0")

        var percent = Self.validDeployment()
        percent.spec?.strategy?.rollingUpdate = .init(maxUnavailable: "150%", maxSurge: "x")
        #expect(
            percent.validate().map(\.detail) == [
                "must not be greater than 100%",
                "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', "
                    + "regex used for validation is '[0-9]+%')",
            ])
    }

    @Test("Workload selectors are immutable")
    func immutableSelectors() {
        let old = Self.validDeployment()
        var new = old
        new.spec?.selector = Support.selector(["app": "web", "tier": "x"])
        new.spec?.template?.metadata.labels["tier"] = "x"
        #expect(new.validateUpdate(from: old).map(\.description).first?.hasSuffix("field is immutable") == true)
        var scaled = old
        scaled.spec?.replicas = 5
        #expect(scaled.validateUpdate(from: old) == [])

        var replicaSet = ReplicaSet(spec: .init(selector: old.spec?.selector, template: old.spec?.template))
        replicaSet.applyDefaults()
        #expect(replicaSet.validate() == [])
        var relabelled = replicaSet
        relabelled.spec?.selector = new.spec?.selector
        relabelled.spec?.template = new.spec?.template
        #expect(Support.fields(relabelled.validateUpdate(from: replicaSet)) == ["spec.selector"])
    }

    @Test("StatefulSet: policies, partition and forbidden spec updates")
    func statefulSet() {
        var statefulSet = StatefulSet(
            spec: .init(
                selector: Support.selector(["app": "db"]),
                template: .init(
                    metadata: .init(labels: ["app": "db"]), spec: .init(containers: [.init(name: "db", image: "pg:16")])
                ),
                serviceName: "db"))
        statefulSet.applyDefaults()
        #expect(statefulSet.validate() == [])

        var invalid = statefulSet
        invalid.spec?.podManagementPolicy = "Random"
        invalid.spec?.updateStrategy = .init(type: "RollingUpdate", rollingUpdate: .init(partition: -1))
        #expect(
            Support.fields(invalid.validate()) == [
                "spec.podManagementPolicy", "spec.updateStrategy.rollingUpdate.partition",
            ])

        var scaled = statefulSet
        scaled.spec?.replicas = 3
        scaled.spec?.template?.spec?.containers?[0].image = "pg:17"
        #expect(scaled.validateUpdate(from: statefulSet) == [])
        var renamed = statefulSet
        renamed.spec?.serviceName = "other"
        #expect(
            renamed.validateUpdate(from: statefulSet).first?.detail.hasPrefix("updates to statefulset spec") == true)
    }

    @Test("Service: ports, names, types, target ports, cluster IP immutability")
    func service() {
        var service = Service(
            metadata: .init(name: "s"),
            spec: .init(
                ports: [.init(port: 80), .init(name: "b", port: 0, targetPort: "Not_A_Name")], selector: ["app": "web"])
        )
        service.applyDefaults()
        #expect(
            Support.fields(service.validate()) == [
                "spec.ports[0].name", "spec.ports[1].port", "spec.ports[1].targetPort",
            ])

        var duplicate = Service(spec: .init(ports: [.init(name: "http", port: 80), .init(name: "http", port: 81)]))
        duplicate.applyDefaults()
        #expect(duplicate.validate() == [.duplicate("spec.ports[1].name", value: #""http""#)])

        var bad = Service(spec: .init(ports: [.init(port: 80)], type: "Magic"))
        bad.applyDefaults()
        #expect(Support.fields(bad.validate()) == ["spec.type"])
        #expect(Support.fields(Service(spec: .init(type: "ClusterIP")).validate()) == ["spec.ports"])

        var allocated = Service(spec: .init(ports: [.init(port: 80)]))
        allocated.applyDefaults()
        allocated.spec?.clusterIP = "10.96.0.10"
        var moved = allocated
        moved.spec?.clusterIP = "10.96.0.11"
        #expect(Support.fields(moved.validateUpdate(from: allocated)) == ["spec.clusterIPs[0]"])
    }

    @Test("ConfigMap and Secret keys; immutable data")
    func configData() {
        let configMap = ConfigMap(
            data: ["good.key_1-A": "x", "bad key": "y", "..hidden": "z"], binaryData: ["good.key_1-A": "AA=="])
        let errors = configMap.validate()
        #expect(Support.fields(errors) == ["data[..hidden]", "data[bad key]", "binaryData[good.key_1-A]"])
        #expect(
            errors[1].description == #"data[bad key]: Invalid value: "bad key": "# + BuiltinValidation.configKeyMessage)

        let frozen = ConfigMap(immutable: true, data: ["a": "1"])
        var thawed = frozen
        thawed.immutable = false
        thawed.data = ["a": "2"]
        #expect(Support.fields(thawed.validateUpdate(from: frozen)) == ["immutable", "data"])

        let secret = Secret(
            data: ["tls.crt": "AAAA", "bad/key": "AAAA", "x": "not base64!"], type: "kubernetes.io/tls")
        #expect(Support.fields(secret.validate()) == ["data[bad/key]", "data[x]", "data[tls.key]"])
        var retyped = Secret(data: ["a": "AAAA"], type: "Opaque")
        let original = retyped
        retyped.type = "example.com/other"
        #expect(Support.fields(retyped.validateUpdate(from: original)) == ["type"])
    }

    @Test("Lease durations; PDB budgets; Node taints; EndpointSlice; Endpoints; Event namespace")
    func others() {
        let lease = Lease(spec: .init(leaseDurationSeconds: 0, leaseTransitions: -1))
        #expect(
            lease.validate().map(\.description) == [
                "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
                "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0",
            ])

        let budget = PodDisruptionBudget(
            spec: .init(
                minAvailable: 1, selector: Support.selector(["app": "web"]),
                maxUnavailable: "10%"))
        #expect(budget.validate().map(\.detail) == ["minAvailable and maxUnavailable cannot be both set"])
        #expect(PodDisruptionBudget(spec: .init(minAvailable: -1)).validate().map(\.field) == ["spec.minAvailable"])

        let node = Node(
            spec: .init(taints: [
                .init(key: "a", effect: "NoSchedule"), .init(key: "a", effect: "NoSchedule"),
                .init(effect: "Sometimes"),
            ]))
        #expect(Support.fields(node.validate()) == ["spec.taints[1]", "spec.taints[2].key", "spec.taints[2].effect"])

        let slice = EndpointSlice(addressType: "IPv5", endpoints: [.init(addresses: [])], ports: [.init(port: 0)])
        #expect(Support.fields(slice.validate()) == ["addressType", "endpoints[0].addresses", "ports[0].port"])

        let endpoints = Endpoints(subsets: [.init(addresses: [.init()], ports: [.init(port: 70000)])])
        #expect(Support.fields(endpoints.validate()) == ["subsets[0].addresses[0].ip", "subsets[0].ports[0].port"])

        let event = Event(
            metadata: .init(name: "e", namespace: "a"), involvedObject: .init(kind: "Pod", namespace: "b"))
        #expect(Support.fields(event.validate()) == ["involvedObject.namespace"])
    }
}
