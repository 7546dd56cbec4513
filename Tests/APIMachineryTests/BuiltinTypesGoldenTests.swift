import Testing

@testable import APIMachinery

/// Objects compared byte for byte with the compact JSON a Kubernetes API server writes for them (Go's
/// encoding: fields in struct order, map keys sorted, empty fields omitted, unset struct times as `null`),
/// except that `apiVersion` comes before `kind`, as our registry writes them.
@Suite("BuiltinTypes golden JSON")
struct BuiltinTypesGoldenTests {
    typealias Support = BuiltinTypesSupport

    /// Checks the encoding of `value` against `golden`, and that decoding `golden` gives `value` back.
    static func check<T: Resource & Equatable>(_ value: T, _ golden: String) throws {
        #expect(try Support.wireJSON(value) == golden)
        #expect(try Support.decode(T.self, golden) == value)
    }

    /// The stored metadata a server adds on create.
    static func created(_ metadata: ObjectMeta, uid: String, resourceVersion: String, at time: String) -> ObjectMeta {
        var metadata = metadata
        if metadata.namespace.isEmpty { metadata.namespace = "default" }
        metadata.uid = uid
        metadata.resourceVersion = resourceVersion
        metadata.generation = 1
        metadata.creationTimestamp = Support.time(time)
        return metadata
    }

    // The Deployment from the Kubernetes documentation (concepts/workloads/controllers/deployment), as the
    // server returns it on create with every default filled in.
    static let nginxDeploymentManifest = #"""
        {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"nginx-deployment","labels":{"app":"nginx"}},\#
        "spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"template":{"metadata":{"labels":\#
        {"app":"nginx"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.14.2","ports":[{"containerPort":80}]}]}}}}
        """#

    static let nginxDeploymentGolden = #"""
        {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"nginx-deployment","namespace":"default",\#
        "uid":"d9607e19-f88f-11e6-a518-42010a800195","resourceVersion":"1001","generation":1,\#
        "creationTimestamp":"2024-05-01T10:00:00Z","labels":{"app":"nginx"}},"spec":{"replicas":3,"selector":\#
        {"matchLabels":{"app":"nginx"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"nginx"}},\#
        "spec":{"containers":[{"name":"nginx","image":"nginx:1.14.2","ports":[{"containerPort":80,"protocol":"TCP"}],\#
        "resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",\#
        "imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,\#
        "dnsPolicy":"ClusterFirst","securityContext":{},"schedulerName":"default-scheduler"}},"strategy":\#
        {"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},"revisionHistoryLimit":10,\#
        "progressDeadlineSeconds":600},"status":{}}
        """#

    @Test("Deployment: the documentation's nginx Deployment, defaulted")
    func deployment() throws {
        var deployment = try Support.decode(Deployment.self, Self.nginxDeploymentManifest)
        #expect(deployment.spec?.selector == LabelSelector(matchLabels: ["app": "nginx"]))
        deployment.applyDefaults()
        deployment.metadata = Self.created(
            deployment.metadata, uid: "d9607e19-f88f-11e6-a518-42010a800195",
            resourceVersion: "1001", at: "2024-05-01T10:00:00Z")
        #expect(deployment.validate() == [])
        try Self.check(deployment, Self.nginxDeploymentGolden)
    }

    static let podGolden = #"""
        {"kind":"Pod","apiVersion":"v1","metadata":{"name":"nginx-deployment-86dcfdf4c6-2xq7v",\#
        "generateName":"nginx-deployment-86dcfdf4c6-","namespace":"default","uid":"3f5c2a1e-7b9d-4e8f-a1b2-c3d4e5f6a7b8",\#
        "resourceVersion":"1045","creationTimestamp":"2024-05-01T10:00:01Z","labels":{"app":"nginx",\#
        "pod-template-hash":"86dcfdf4c6"},"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet",\#
        "name":"nginx-deployment-86dcfdf4c6","uid":"8a1b2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c2d","controller":true,\#
        "blockOwnerDeletion":true}]},"spec":{"volumes":[{"name":"kube-api-access-x7k2p","projected":{"sources":\#
        [{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt",\#
        "items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":\#
        {"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}}],"containers":[{"name":"nginx",\#
        "image":"nginx:1.14.2","ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{},"volumeMounts":\#
        [{"name":"kube-api-access-x7k2p","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],\#
        "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",\#
        "imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,\#
        "dnsPolicy":"ClusterFirst","serviceAccountName":"default","serviceAccount":"default","nodeName":"node-1",\#
        "securityContext":{},"schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/not-ready",\#
        "operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable",\#
        "operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],"priority":0,"enableServiceLinks":true,\#
        "preemptionPolicy":"PreemptLowerPriority"},"status":{"phase":"Running","conditions":[{"type":"Initialized",\#
        "status":"True","lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:01Z"},{"type":"Ready",\#
        "status":"True","lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:05Z"},{"type":"ContainersReady",\#
        "status":"True","lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:05Z"},{"type":"PodScheduled",\#
        "status":"True","lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:01Z"}],"hostIP":"172.18.0.2",\#
        "hostIPs":[{"ip":"172.18.0.2"}],"podIP":"10.244.1.7","podIPs":[{"ip":"10.244.1.7"}],\#
        "startTime":"2024-05-01T10:00:01Z","containerStatuses":[{"name":"nginx","state":{"running":\#
        {"startedAt":"2024-05-01T10:00:04Z"}},"lastState":{},"ready":true,"restartCount":0,\#
        "image":"docker.io/library/nginx:1.14.2","imageID":"docker.io/library/nginx@sha256:\#
        f7988fb6c02e0ce69257d9bd9cf37ae20a60f1df7563c3a2a6abe24160306b8d","containerID":"containerd://4b6f0c2e1d3a",\#
        "started":true}],"qosClass":"BestEffort"}}
        """#

    @Test("Pod: a running Deployment pod as the server returns it")
    func pod() throws {
        let volume = "kube-api-access-x7k2p"
        let conditions = [("Initialized", "01"), ("Ready", "05"), ("ContainersReady", "05"), ("PodScheduled", "01")]
            .map {
                PodCondition(type: $0.0, status: "True", lastTransitionTime: Support.time("2024-05-01T10:00:\($0.1)Z"))
            }
        let pod = Pod(
            metadata: ObjectMeta(
                name: "nginx-deployment-86dcfdf4c6-2xq7v", generateName: "nginx-deployment-86dcfdf4c6-",
                namespace: "default", uid: "3f5c2a1e-7b9d-4e8f-a1b2-c3d4e5f6a7b8", resourceVersion: "1045",
                creationTimestamp: Support.time("2024-05-01T10:00:01Z"),
                labels: ["app": "nginx", "pod-template-hash": "86dcfdf4c6"],
                ownerReferences: [
                    OwnerReference(
                        apiVersion: "apps/v1", kind: "ReplicaSet", name: "nginx-deployment-86dcfdf4c6",
                        uid: "8a1b2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c2d", controller: true, blockOwnerDeletion: true)
                ]
            ),
            spec: PodSpec(
                volumes: [
                    Volume(
                        name: volume,
                        projected: ProjectedVolumeSource(
                            sources: [
                                VolumeProjection(
                                    serviceAccountToken: ServiceAccountTokenProjection(
                                        expirationSeconds: 3607, path: "token")),
                                VolumeProjection(
                                    configMap: ConfigMapProjection(
                                        name: "kube-root-ca.crt",
                                        items: [KeyToPath(key: "ca.crt", path: "ca.crt")])),
                                VolumeProjection(
                                    downwardAPI: DownwardAPIProjection(items: [
                                        DownwardAPIVolumeFile(
                                            path: "namespace",
                                            fieldRef: ObjectFieldSelector(
                                                apiVersion: "v1", fieldPath: "metadata.namespace"))
                                    ])),
                            ], defaultMode: 420))
                ],
                containers: [
                    Container(
                        name: "nginx", image: "nginx:1.14.2",
                        ports: [ContainerPort(containerPort: 80, protocol: "TCP")],
                        resources: ResourceRequirements(),
                        volumeMounts: [
                            VolumeMount(
                                name: volume, readOnly: true, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount"
                            )
                        ],
                        terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File",
                        imagePullPolicy: "IfNotPresent")
                ],
                restartPolicy: "Always", terminationGracePeriodSeconds: 30, dnsPolicy: "ClusterFirst",
                serviceAccountName: "default", serviceAccount: "default", nodeName: "node-1",
                securityContext: PodSecurityContext(), schedulerName: "default-scheduler",
                tolerations: ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"].map {
                    Toleration(key: $0, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300)
                },
                priority: 0, enableServiceLinks: true, preemptionPolicy: "PreemptLowerPriority"
            ),
            status: PodStatus(
                phase: "Running", conditions: conditions, hostIP: "172.18.0.2", hostIPs: [HostIP(ip: "172.18.0.2")],
                podIP: "10.244.1.7", podIPs: [PodIP(ip: "10.244.1.7")], startTime: Support.time("2024-05-01T10:00:01Z"),
                containerStatuses: [
                    ContainerStatus(
                        name: "nginx",
                        state: ContainerState(
                            running: ContainerStateRunning(startedAt: Support.time("2024-05-01T10:00:04Z"))),
                        lastState: ContainerState(), ready: true, restartCount: 0,
                        image: "docker.io/library/nginx:1.14.2",
                        imageID:
                            "docker.io/library/nginx@sha256:f7988fb6c02e0ce69257d9bd9cf37ae20a60f1df7563c3a2a6abe24160306b8d",
                        containerID: "containerd://4b6f0c2e1d3a", started: true)
                ],
                qosClass: "BestEffort"
            )
        )
        try Self.check(pod, Self.podGolden)
        #expect(pod.validate() == [])
        // Defaulting a server-shaped pod changes nothing.
        var defaulted = pod
        defaulted.applyDefaults()
        #expect(defaulted == pod)
    }

    // The Service from the Kubernetes documentation (concepts/services-networking/service), with the cluster IP
    // and IP families the allocator adds.
    static let serviceGolden = #"""
        {"kind":"Service","apiVersion":"v1","metadata":{"name":"my-service","namespace":"default",\#
        "uid":"6a1f4c2e-9d3b-4b8a-8e7f-1c2d3e4f5a6b","resourceVersion":"2001","generation":1,\#
        "creationTimestamp":"2024-05-01T10:00:00Z"},"spec":{"ports":[{"protocol":"TCP","port":80,"targetPort":9376}],\#
        "selector":{"app.kubernetes.io/name":"MyApp"},"clusterIP":"10.96.120.15","clusterIPs":["10.96.120.15"],\#
        "type":"ClusterIP","sessionAffinity":"None","ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack",\#
        "internalTrafficPolicy":"Cluster"},"status":{"loadBalancer":{}}}
        """#

    @Test("Service: the documentation's my-service, defaulted and allocated")
    func service() throws {
        var service = try Support.decode(
            Service.self,
            #"""
            {"kind":"Service","apiVersion":"v1","metadata":{"name":"my-service"},"spec":{"selector":\#
            {"app.kubernetes.io/name":"MyApp"},"ports":[{"protocol":"TCP","port":80,"targetPort":9376}]}}
            """#)
        service.applyDefaults()
        service.metadata = Self.created(
            service.metadata, uid: "6a1f4c2e-9d3b-4b8a-8e7f-1c2d3e4f5a6b",
            resourceVersion: "2001", at: "2024-05-01T10:00:00Z")
        service.spec?.clusterIP = "10.96.120.15"
        service.spec?.clusterIPs = ["10.96.120.15"]
        service.spec?.ipFamilies = ["IPv4"]
        service.spec?.ipFamilyPolicy = "SingleStack"
        #expect(service.validate() == [])
        try Self.check(service, Self.serviceGolden)
    }

    static let nodeGolden = #"""
        {"kind":"Node","apiVersion":"v1","metadata":{"name":"node-1","uid":"0d5e7c1a-2b3c-4d5e-8f9a-0b1c2d3e4f5a",\#
        "resourceVersion":"3001","creationTimestamp":"2024-05-01T09:00:00Z","labels":{"beta.kubernetes.io/arch":"amd64",\#
        "beta.kubernetes.io/os":"linux","kubernetes.io/arch":"amd64","kubernetes.io/hostname":"node-1",\#
        "kubernetes.io/os":"linux"},"annotations":{"node.alpha.kubernetes.io/ttl":"0",\#
        "volumes.kubernetes.io/controller-managed-attach-detach":"true"}},"spec":{"podCIDR":"10.244.1.0/24",\#
        "podCIDRs":["10.244.1.0/24"],"providerID":"kind://docker/kind/node-1","taints":\#
        [{"key":"node.kubernetes.io/unreachable","effect":"NoExecute","timeAdded":"2024-05-01T10:00:00Z"}]},\#
        "status":{"capacity":{"cpu":"8","ephemeral-storage":"102625208Ki","hugepages-1Gi":"0","hugepages-2Mi":"0",\#
        "memory":"16314752Ki","pods":"110"},"allocatable":{"cpu":"7800m","ephemeral-storage":"102625208Ki",\#
        "hugepages-1Gi":"0","hugepages-2Mi":"0","memory":"15790464Ki","pods":"110"},"conditions":\#
        [{"type":"MemoryPressure","status":"False","lastHeartbeatTime":"2024-05-01T10:00:00Z",\#
        "lastTransitionTime":"2024-05-01T09:00:00Z","reason":"KubeletHasSufficientMemory",\#
        "message":"kubelet has sufficient memory available"},{"type":"Ready","status":"True",\#
        "lastHeartbeatTime":"2024-05-01T10:00:00Z","lastTransitionTime":"2024-05-01T09:00:30Z","reason":"KubeletReady",\#
        "message":"kubelet is posting ready status"}],"addresses":[{"type":"InternalIP","address":"172.18.0.2"},\#
        {"type":"Hostname","address":"node-1"}],"daemonEndpoints":{"kubeletEndpoint":{"Port":10250}},"nodeInfo":\#
        {"machineID":"4c4c4544004e3510804cb7c04f575931","systemUUID":"a1b2c3d4-0000-0000-0000-000000000001",\#
        "bootID":"e5f6a7b8-0000-0000-0000-000000000002","kernelVersion":"6.5.0-1020-azure",\#
        "osImage":"Debian GNU/Linux 12 (bookworm)","containerRuntimeVersion":"containerd://1.7.18",\#
        "kubeletVersion":"v1.32.0","kubeProxyVersion":"v1.32.0","operatingSystem":"linux","architecture":"amd64"},\#
        "images":[{"names":["docker.io/library/nginx@sha256:\#
        f7988fb6c02e0ce69257d9bd9cf37ae20a60f1df7563c3a2a6abe24160306b8d","docker.io/library/nginx:1.14.2"],\#
        "sizeBytes":44708492}]}}
        """#

    @Test("Node: a kind worker node with a taint and heartbeats")
    func node() throws {
        let hugepages = ["hugepages-1Gi": "0", "hugepages-2Mi": "0", "ephemeral-storage": "102625208Ki", "pods": "110"]
        let node = Node(
            metadata: ObjectMeta(
                name: "node-1", uid: "0d5e7c1a-2b3c-4d5e-8f9a-0b1c2d3e4f5a", resourceVersion: "3001",
                creationTimestamp: Support.time("2024-05-01T09:00:00Z"),
                labels: [
                    "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                    "kubernetes.io/hostname": "node-1", "kubernetes.io/os": "linux",
                ],
                annotations: [
                    "node.alpha.kubernetes.io/ttl": "0",
                    "volumes.kubernetes.io/controller-managed-attach-detach": "true",
                ]
            ),
            spec: NodeSpec(
                podCIDR: "10.244.1.0/24", podCIDRs: ["10.244.1.0/24"], providerID: "kind://docker/kind/node-1",
                taints: [
                    Taint(
                        key: "node.kubernetes.io/unreachable", effect: "NoExecute",
                        timeAdded: Support.time("2024-05-01T10:00:00Z"))
                ]
            ),
            status: NodeStatus(
                capacity: Support.resources(hugepages.merging(["cpu": "8", "memory": "16314752Ki"]) { $1 }),
                allocatable: Support.resources(hugepages.merging(["cpu": "7800m", "memory": "15790464Ki"]) { $1 }),
                conditions: [
                    NodeCondition(
                        type: "MemoryPressure", status: "False",
                        lastHeartbeatTime: Support.time("2024-05-01T10:00:00Z"),
                        lastTransitionTime: Support.time("2024-05-01T09:00:00Z"), reason: "KubeletHasSufficientMemory",
                        message: "kubelet has sufficient memory available"),
                    NodeCondition(
                        type: "Ready", status: "True", lastHeartbeatTime: Support.time("2024-05-01T10:00:00Z"),
                        lastTransitionTime: Support.time("2024-05-01T09:00:30Z"), reason: "KubeletReady",
                        message: "kubelet is posting ready status"),
                ],
                addresses: [
                    NodeAddress(type: "InternalIP", address: "172.18.0.2"),
                    NodeAddress(type: "Hostname", address: "node-1"),
                ],
                daemonEndpoints: NodeDaemonEndpoints(kubeletEndpoint: DaemonEndpoint(port: 10250)),
                nodeInfo: NodeSystemInfo(
                    machineID: "4c4c4544004e3510804cb7c04f575931", systemUUID: "a1b2c3d4-0000-0000-0000-000000000001",
                    bootID: "e5f6a7b8-0000-0000-0000-000000000002", kernelVersion: "6.5.0-1020-azure",
                    osImage: "Debian GNU/Linux 12 (bookworm)", containerRuntimeVersion: "containerd://1.7.18",
                    kubeletVersion: "v1.32.0", kubeProxyVersion: "v1.32.0", operatingSystem: "linux",
                    architecture: "amd64"),
                images: [
                    ContainerImage(
                        names: [
                            "docker.io/library/nginx@sha256:f7988fb6c02e0ce69257d9bd9cf37ae20a60f1df7563c3a2a6abe24160306b8d",
                            "docker.io/library/nginx:1.14.2",
                        ], sizeBytes: 44_708_492)
                ]
            )
        )
        try Self.check(node, Self.nodeGolden)
        #expect(node.validate() == [])
    }

    // The ConfigMap from the Kubernetes documentation (concepts/configuration/configmap).
    static let configMapGolden = #"""
        {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"game-demo","namespace":"default",\#
        "uid":"b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e","resourceVersion":"2101","creationTimestamp":"2024-05-01T10:00:00Z"},\#
        "data":{"game.properties":"enemy.types=aliens,monsters\nplayer.maximum-lives=5\n","player_initial_lives":"3",\#
        "ui_properties_file_name":"user-interface.properties",\#
        "user-interface.properties":"color.good=purple\ncolor.bad=yellow\nallow.textmode=true\n"}}
        """#

    @Test("ConfigMap: the documentation's game-demo")
    func configMap() throws {
        let configMap = ConfigMap(
            metadata: ObjectMeta(
                name: "game-demo", namespace: "default", uid: "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e",
                resourceVersion: "2101", creationTimestamp: Support.time("2024-05-01T10:00:00Z")),
            data: [
                "player_initial_lives": "3", "ui_properties_file_name": "user-interface.properties",
                "game.properties": "enemy.types=aliens,monsters\nplayer.maximum-lives=5\n",
                "user-interface.properties": "color.good=purple\ncolor.bad=yellow\nallow.textmode=true\n",
            ]
        )
        try Self.check(configMap, Self.configMapGolden)
        #expect(configMap.validate() == [])
    }

    static let leaseGolden = #"""
        {"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{"name":"kube-scheduler",\#
        "namespace":"kube-system","uid":"c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f","resourceVersion":"4001",\#
        "creationTimestamp":"2024-05-01T09:00:00Z"},"spec":{"holderIdentity":\#
        "control-plane_2f1e0d9c-8b7a-4c6d-9e5f-4a3b2c1d0e9f","leaseDurationSeconds":15,\#
        "acquireTime":"2024-05-01T09:00:00.000000Z","renewTime":"2024-05-01T10:05:00.123456Z","leaseTransitions":2}}
        """#

    @Test("Lease: the scheduler's leader-election lease")
    func lease() throws {
        let lease = Lease(
            metadata: ObjectMeta(
                name: "kube-scheduler", namespace: "kube-system",
                uid: "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f", resourceVersion: "4001",
                creationTimestamp: Support.time("2024-05-01T09:00:00Z")),
            spec: LeaseSpec(
                holderIdentity: "control-plane_2f1e0d9c-8b7a-4c6d-9e5f-4a3b2c1d0e9f", leaseDurationSeconds: 15,
                acquireTime: Support.microTime("2024-05-01T09:00:00Z"),
                renewTime: Support.microTime("2024-05-01T10:05:00.123456Z"), leaseTransitions: 2)
        )
        try Self.check(lease, Self.leaseGolden)
        #expect(lease.validate() == [])
    }

    static let schedulerEventGolden = #"""
        {"kind":"Event","apiVersion":"v1","metadata":{"name":"nginx-deployment-86dcfdf4c6-2xq7v.17cb7a2b3c4d5e6f",\#
        "namespace":"default","uid":"e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b","resourceVersion":"1050",\#
        "creationTimestamp":"2024-05-01T10:00:01Z"},"involvedObject":{"kind":"Pod","namespace":"default",\#
        "name":"nginx-deployment-86dcfdf4c6-2xq7v","uid":"3f5c2a1e-7b9d-4e8f-a1b2-c3d4e5f6a7b8","apiVersion":"v1",\#
        "resourceVersion":"1044"},"reason":"Scheduled","message":\#
        "Successfully assigned default/nginx-deployment-86dcfdf4c6-2xq7v to node-1","source":{},\#
        "firstTimestamp":null,"lastTimestamp":null,"type":"Normal","eventTime":"2024-05-01T10:00:01.234567Z",\#
        "action":"Binding","reportingComponent":"default-scheduler","reportingInstance":"default-scheduler-control-plane"}
        """#

    static let kubeletEventGolden = #"""
        {"kind":"Event","apiVersion":"v1","metadata":{"name":"nginx-deployment-86dcfdf4c6-2xq7v.17cb7a2c0a1b2c3d",\#
        "namespace":"default","uid":"f1a2b3c4-d5e6-4f7a-8b9c-0d1e2f3a4b5c","resourceVersion":"1052",\#
        "creationTimestamp":"2024-05-01T10:00:02Z"},"involvedObject":{"kind":"Pod","namespace":"default",\#
        "name":"nginx-deployment-86dcfdf4c6-2xq7v","uid":"3f5c2a1e-7b9d-4e8f-a1b2-c3d4e5f6a7b8","apiVersion":"v1",\#
        "resourceVersion":"1046","fieldPath":"spec.containers{nginx}"},"reason":"Pulled","message":\#
        "Container image \"nginx:1.14.2\" already present on machine","source":{"component":"kubelet","host":"node-1"},\#
        "firstTimestamp":"2024-05-01T10:00:02Z","lastTimestamp":"2024-05-01T10:00:02Z","count":1,"type":"Normal",\#
        "eventTime":null,"reportingComponent":"kubelet","reportingInstance":"node-1"}
        """#

    @Test("Event: a scheduler event (new API fields, null legacy times) and a kubelet event (null eventTime)")
    func events() throws {
        let podReference = ObjectReference(
            kind: "Pod", namespace: "default", name: "nginx-deployment-86dcfdf4c6-2xq7v",
            uid: "3f5c2a1e-7b9d-4e8f-a1b2-c3d4e5f6a7b8", apiVersion: "v1")
        var scheduled = podReference
        scheduled.resourceVersion = "1044"
        let schedulerEvent = Event(
            metadata: ObjectMeta(
                name: "nginx-deployment-86dcfdf4c6-2xq7v.17cb7a2b3c4d5e6f", namespace: "default",
                uid: "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b", resourceVersion: "1050",
                creationTimestamp: Support.time("2024-05-01T10:00:01Z")),
            involvedObject: scheduled, reason: "Scheduled",
            message: "Successfully assigned default/nginx-deployment-86dcfdf4c6-2xq7v to node-1", source: EventSource(),
            type: "Normal", eventTime: Support.microTime("2024-05-01T10:00:01.234567Z"), action: "Binding",
            reportingComponent: "default-scheduler", reportingInstance: "default-scheduler-control-plane"
        )
        try Self.check(schedulerEvent, Self.schedulerEventGolden)
        #expect(schedulerEvent.validate() == [])
        #expect(schedulerEvent.fieldValue("source") == "default-scheduler")

        var pulled = podReference
        pulled.resourceVersion = "1046"
        pulled.fieldPath = "spec.containers{nginx}"
        let kubeletEvent = Event(
            metadata: ObjectMeta(
                name: "nginx-deployment-86dcfdf4c6-2xq7v.17cb7a2c0a1b2c3d", namespace: "default",
                uid: "f1a2b3c4-d5e6-4f7a-8b9c-0d1e2f3a4b5c", resourceVersion: "1052",
                creationTimestamp: Support.time("2024-05-01T10:00:02Z")),
            involvedObject: pulled, reason: "Pulled",
            message: "Container image \"nginx:1.14.2\" already present on machine",
            source: EventSource(component: "kubelet", host: "node-1"),
            firstTimestamp: Support.time("2024-05-01T10:00:02Z"), lastTimestamp: Support.time("2024-05-01T10:00:02Z"),
            count: 1, type: "Normal", reportingComponent: "kubelet", reportingInstance: "node-1"
        )
        try Self.check(kubeletEvent, Self.kubeletEventGolden)
        #expect(kubeletEvent.validate() == [])
        #expect(kubeletEvent.fieldValue("source") == "kubelet")
        #expect(kubeletEvent.fieldValue("involvedObject.fieldPath") == "spec.containers{nginx}")
    }

    static let endpointSliceGolden = #"""
        {"kind":"EndpointSlice","apiVersion":"discovery.k8s.io/v1","metadata":{"name":"my-service-x2b7q",\#
        "generateName":"my-service-","namespace":"default","uid":"a9b8c7d6-e5f4-4a3b-8c2d-1e0f9a8b7c6d",\#
        "resourceVersion":"2050","generation":1,"creationTimestamp":"2024-05-01T10:00:00Z","labels":\#
        {"endpointslice.kubernetes.io/managed-by":"endpointslice-controller.k8s.io",\#
        "kubernetes.io/service-name":"my-service"},"annotations":\#
        {"endpoints.kubernetes.io/last-change-trigger-time":"2024-05-01T10:00:05Z"},"ownerReferences":\#
        [{"apiVersion":"v1","kind":"Service","name":"my-service","uid":"6a1f4c2e-9d3b-4b8a-8e7f-1c2d3e4f5a6b",\#
        "controller":true,"blockOwnerDeletion":true}]},"addressType":"IPv4","endpoints":[{"addresses":["10.244.1.7"],\#
        "conditions":{"ready":true,"serving":true,"terminating":false},"targetRef":{"kind":"Pod","namespace":"default",\#
        "name":"nginx-deployment-86dcfdf4c6-2xq7v","uid":"3f5c2a1e-7b9d-4e8f-a1b2-c3d4e5f6a7b8"},"nodeName":"node-1"}],\#
        "ports":[{"name":"","protocol":"TCP","port":9376}]}
        """#

    @Test("EndpointSlice: the slice the controller writes for my-service")
    func endpointSlice() throws {
        var metadata = Self.created(
            ObjectMeta(
                name: "my-service-x2b7q", generateName: "my-service-",
                labels: [
                    "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                    "kubernetes.io/service-name": "my-service",
                ],
                annotations: ["endpoints.kubernetes.io/last-change-trigger-time": "2024-05-01T10:00:05Z"],
                ownerReferences: [
                    OwnerReference(
                        apiVersion: "v1", kind: "Service", name: "my-service",
                        uid: "6a1f4c2e-9d3b-4b8a-8e7f-1c2d3e4f5a6b", controller: true, blockOwnerDeletion: true)
                ]),
            uid: "a9b8c7d6-e5f4-4a3b-8c2d-1e0f9a8b7c6d", resourceVersion: "2050", at: "2024-05-01T10:00:00Z")
        metadata.generation = 1
        var slice = EndpointSlice(
            metadata: metadata, addressType: "IPv4",
            endpoints: [
                EndpointSlice.Endpoint(
                    addresses: ["10.244.1.7"],
                    conditions: EndpointSlice.EndpointConditions(ready: true, serving: true, terminating: false),
                    targetRef: ObjectReference(
                        kind: "Pod", namespace: "default", name: "nginx-deployment-86dcfdf4c6-2xq7v",
                        uid: "3f5c2a1e-7b9d-4e8f-a1b2-c3d4e5f6a7b8"),
                    nodeName: "node-1")
            ],
            ports: [EndpointSlice.EndpointPort(port: 9376)]
        )
        slice.applyDefaults()
        try Self.check(slice, Self.endpointSliceGolden)
        #expect(slice.validate() == [])
    }

    // The StatefulSet from the Kubernetes documentation (concepts/workloads/controllers/statefulset), defaulted.
    static let webStatefulSetManifest = #"""
        {"kind":"StatefulSet","apiVersion":"apps/v1","metadata":{"name":"web"},"spec":{"selector":{"matchLabels":\#
        {"app":"nginx"}},"serviceName":"nginx","replicas":3,"minReadySeconds":10,"template":{"metadata":{"labels":\#
        {"app":"nginx"}},"spec":{"terminationGracePeriodSeconds":10,"containers":[{"name":"nginx",\#
        "image":"registry.k8s.io/nginx-slim:0.24","ports":[{"containerPort":80,"name":"web"}],"volumeMounts":\#
        [{"name":"www","mountPath":"/usr/share/nginx/html"}]}]}},"volumeClaimTemplates":[{"apiVersion":"v1",\#
        "kind":"PersistentVolumeClaim","metadata":{"name":"www"},"spec":{"accessModes":["ReadWriteOnce"],\#
        "storageClassName":"my-storage-class","resources":{"requests":{"storage":"1Gi"}}}}]}}
        """#

    static let webStatefulSetGolden = #"""
        {"kind":"StatefulSet","apiVersion":"apps/v1","metadata":{"name":"web","namespace":"default",\#
        "uid":"1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d","resourceVersion":"5001","generation":1,\#
        "creationTimestamp":"2024-05-01T10:00:00Z"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},\#
        "template":{"metadata":{"creationTimestamp":null,"labels":{"app":"nginx"}},"spec":{"containers":\#
        [{"name":"nginx","image":"registry.k8s.io/nginx-slim:0.24","ports":[{"name":"web","containerPort":80,\#
        "protocol":"TCP"}],"resources":{},"volumeMounts":[{"name":"www","mountPath":"/usr/share/nginx/html"}],\#
        "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",\#
        "imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always","terminationGracePeriodSeconds":10,\#
        "dnsPolicy":"ClusterFirst","securityContext":{},"schedulerName":"default-scheduler"}},"volumeClaimTemplates":\#
        [{"kind":"PersistentVolumeClaim","apiVersion":"v1","metadata":{"name":"www","creationTimestamp":null},\#
        "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}},\#
        "storageClassName":"my-storage-class","volumeMode":"Filesystem"},"status":{"phase":"Pending"}}],\#
        "serviceName":"nginx","podManagementPolicy":"OrderedReady","updateStrategy":{"type":"RollingUpdate",\#
        "rollingUpdate":{"partition":0}},"revisionHistoryLimit":10,"minReadySeconds":10,\#
        "persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Retain","whenScaled":"Retain"}},\#
        "status":{"replicas":0,"availableReplicas":0}}
        """#

    @Test("StatefulSet: the documentation's web StatefulSet, defaulted")
    func statefulSet() throws {
        var statefulSet = try Support.decode(StatefulSet.self, Self.webStatefulSetManifest)
        statefulSet.applyDefaults()
        statefulSet.metadata = Self.created(
            statefulSet.metadata, uid: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
            resourceVersion: "5001", at: "2024-05-01T10:00:00Z")
        #expect(statefulSet.validate() == [])
        try Self.check(statefulSet, Self.webStatefulSetGolden)
    }
}
