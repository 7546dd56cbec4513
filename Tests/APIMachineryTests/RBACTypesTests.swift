import Testing

@testable import APIMachinery

/// A validation case: the errors (as `field: Type: value: detail`) an object produces.
struct RBACValidationCase: Sendable, CustomTestStringConvertible {
    var label: String
    var errors: @Sendable () -> [FieldError]
    var expected: [String]
    var testDescription: String { label }

    init(_ label: String, _ expected: [String], _ errors: @escaping @Sendable () -> [FieldError]) {
        self.label = label
        self.errors = errors
        self.expected = expected
    }
}

private let meta = ObjectMeta(name: "r", namespace: "ns")
private let podRule = PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods"])
private let dns1123 =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    + "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

@Suite struct RBACTypesTests {
    static let cases: [RBACValidationCase] = [
        .init("valid role", []) { Role(metadata: meta, rules: [podRule]).validate() },
        .init("role name with colon is fine", []) {
            Role(metadata: ObjectMeta(name: "system:thing", namespace: "ns"), rules: [podRule]).validate()
        },
        .init("role name with slash", ["metadata.name: Invalid value: \"a/b\": may not contain '/'"]) {
            Role(metadata: ObjectMeta(name: "a/b", namespace: "ns"), rules: [podRule]).validate()
        },
        .init("rule without verbs", ["rules[1].verbs: Required value: verbs must contain at least one value"]) {
            Role(metadata: meta, rules: [podRule, PolicyRule(verbs: [], apiGroups: [""], resources: ["pods"])])
                .validate()
        },
        .init(
            "resource rule without groups and resources",
            [
                "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
                "rules[0].resources: Required value: resource rules must supply at least one resource",
            ]
        ) { Role(metadata: meta, rules: [PolicyRule(verbs: ["get"])]).validate() },
        .init("empty core group is a group", []) {
            Role(metadata: meta, rules: [PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods"])]).validate()
        },
        .init(
            "role with non-resource URLs",
            [
                "rules[0].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply to "
                    + "non-resource URLs"
            ]
        ) { Role(metadata: meta, rules: [PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz"])]).validate() },
        .init("cluster role with non-resource URLs", []) {
            ClusterRole(metadata: ObjectMeta(name: "c"), rules: [PolicyRule(verbs: ["get"], nonResourceURLs: ["/a/*"])])
                .validate()
        },
        .init(
            "rule mixing resources and URLs",
            [
                "rules[0].nonResourceURLs: Invalid value: []string{\"/a\", \"/b\"}: rules cannot apply to both regular "
                    + "resources and non-resource URLs"
            ]
        ) {
            ClusterRole(
                metadata: ObjectMeta(name: "c"),
                rules: [
                    PolicyRule(verbs: ["get"], resources: ["pods"], nonResourceURLs: ["/a", "/b"])
                ]
            ).validate()
        },
        .init(
            "aggregation rule without selectors",
            [
                "aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if "
                    + "aggregationRule is non-nil"
            ]
        ) { ClusterRole(metadata: ObjectMeta(name: "c"), aggregationRule: AggregationRule()).validate() },
        .init("aggregation rule with a selector", []) {
            ClusterRole(
                metadata: ObjectMeta(name: "c"),
                aggregationRule: AggregationRule(clusterRoleSelectors: [
                    ["matchLabels": ["rbac.example.com/aggregate-to-view": "true"]]
                ])
            ).validate()
        },
        .init("valid role binding", []) {
            RoleBinding(
                metadata: meta, subjects: [.user("u"), .group("g"), .serviceAccount(namespace: nil, name: "sa")],
                roleRef: .role("r")
            ).validate()
        },
        .init(
            "role binding roleRef kind and group",
            [
                "roleRef.apiGroup: Unsupported value: \"rbac\": supported values: \"rbac.authorization.k8s.io\"",
                "roleRef.kind: Unsupported value: \"Foo\": supported values: \"Role\", \"ClusterRole\"",
            ]
        ) { RoleBinding(metadata: meta, roleRef: RoleRef(apiGroup: "rbac", kind: "Foo", name: "x")).validate() },
        .init(
            "role binding without roleRef",
            [
                "roleRef.apiGroup: Unsupported value: \"\": supported values: \"rbac.authorization.k8s.io\"",
                "roleRef.kind: Unsupported value: \"\": supported values: \"Role\", \"ClusterRole\"",
                "roleRef.name: Required value",
            ]
        ) { RoleBinding(metadata: meta).validate() },
        .init(
            "defaulted role binding without roleRef",
            [
                "roleRef.kind: Unsupported value: \"\": supported values: \"Role\", \"ClusterRole\"",
                "roleRef.name: Required value",
            ]
        ) {
            var binding = RoleBinding(metadata: meta)
            binding.applyDefaults()
            return binding.validate()
        },
        .init("roleRef name with percent", ["roleRef.name: Invalid value: \"a%b\": may not contain '%'"]) {
            RoleBinding(metadata: meta, roleRef: .clusterRole("a%b")).validate()
        },
        .init(
            "subject problems",
            [
                "subjects[0].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\"",
                "subjects[1].apiGroup: Unsupported value: \"\": supported values: \"rbac.authorization.k8s.io\"",
                "subjects[2].name: Required value",
                "subjects[3].name: Invalid value: \"Bad_Name\": " + dns1123,
                "subjects[4].apiGroup: Unsupported value: \"rbac.authorization.k8s.io\": supported values: \"\"",
            ]
        ) {
            RoleBinding(
                metadata: meta,
                subjects: [
                    Subject(kind: "Robot", name: "r2"),
                    Subject(kind: "User", name: "u"),
                    .group(""),
                    .serviceAccount(namespace: "ns", name: "Bad_Name"),
                    Subject(kind: "ServiceAccount", apiGroup: RBAC.groupName, name: "sa"),
                ], roleRef: .role("r")
            ).validate()
        },
        .init("defaulting gives users and groups the RBAC group", []) {
            var binding = RoleBinding(
                metadata: meta,
                subjects: [
                    Subject(kind: "User", name: "u"),
                    Subject(kind: "Group", name: "g"), Subject(kind: "ServiceAccount", name: "sa"),
                ],
                roleRef: RoleRef(kind: "Role", name: "r"))
            binding.applyDefaults()
            return binding.validate()
        },
        .init("valid cluster role binding", []) {
            ClusterRoleBinding(
                metadata: ObjectMeta(name: "b"),
                subjects: [.serviceAccount(namespace: "kube-system", name: "sa"), .group("system:masters")],
                roleRef: .clusterRole("cluster-admin")
            ).validate()
        },
        .init(
            "cluster role binding to a Role",
            [
                "roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\""
            ]
        ) { ClusterRoleBinding(metadata: ObjectMeta(name: "b"), roleRef: .role("r")).validate() },
        .init("cluster role binding service account without namespace", ["subjects[0].namespace: Required value"]) {
            ClusterRoleBinding(
                metadata: ObjectMeta(name: "b"), subjects: [.serviceAccount(namespace: nil, name: "sa")],
                roleRef: .clusterRole("view")
            ).validate()
        },
        .init(
            "role binding roleRef cannot change",
            [
                "roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", "
                    + "Name:\"edit\"}: cannot change roleRef"
            ]
        ) {
            RoleBinding(metadata: meta, subjects: [.user("u")], roleRef: .clusterRole("edit"))
                .validateUpdate(
                    from: RoleBinding(metadata: meta, subjects: [.user("u")], roleRef: .clusterRole("view")))
        },
        .init("role binding subjects can change", []) {
            RoleBinding(metadata: meta, subjects: [.user("v")], roleRef: .clusterRole("view"))
                .validateUpdate(
                    from: RoleBinding(metadata: meta, subjects: [.user("u")], roleRef: .clusterRole("view")))
        },
        .init(
            "cluster role binding roleRef cannot change",
            [
                "roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", "
                    + "Name:\"b\"}: cannot change roleRef"
            ]
        ) {
            ClusterRoleBinding(metadata: ObjectMeta(name: "x"), roleRef: .clusterRole("b"))
                .validateUpdate(from: ClusterRoleBinding(metadata: ObjectMeta(name: "x"), roleRef: .clusterRole("a")))
        },
    ]

    @Test(arguments: cases)
    func validation(_ row: RBACValidationCase) {
        #expect(row.errors().map(\.description) == row.expected)
    }

    @Test func invalidErrorCarriesFieldPaths() {
        let errors = ClusterRoleBinding(
            metadata: ObjectMeta(name: "b"), subjects: [.serviceAccount(namespace: nil, name: "sa")],
            roleRef: .role("r")
        ).validate()
        let error = APIError.invalid(kind: "ClusterRoleBinding", group: RBAC.groupName, name: "b", errors: errors)
        #expect(error.code == 422)
        #expect(error.status.details?.causes?.map(\.field) == ["roleRef.kind", "subjects[0].namespace"])
    }

    @Test func descriptors() {
        let expected: [(any Resource.Type, String, String, ResourceScope)] = [
            (Role.self, "Role", "roles", .namespaced),
            (ClusterRole.self, "ClusterRole", "clusterroles", .cluster),
            (RoleBinding.self, "RoleBinding", "rolebindings", .namespaced),
            (ClusterRoleBinding.self, "ClusterRoleBinding", "clusterrolebindings", .cluster),
        ]
        #expect(RBACResources.all.count == 4)
        for (index, (type, kind, plural, scope)) in expected.enumerated() {
            let descriptor = type.descriptor
            #expect(ObjectIdentifier(RBACResources.all[index]) == ObjectIdentifier(type))
            #expect(descriptor.apiVersion == "rbac.authorization.k8s.io/v1")
            #expect(descriptor.kind == kind)
            #expect(descriptor.plural == plural)
            #expect(descriptor.singular == kind.lowercased())
            #expect(descriptor.scope == scope)
            #expect(!descriptor.hasStatus)
            #expect(descriptor.scale == nil)
            #expect(type.strategicMergeSchema == .objectMeta)
        }
    }

    @Test func jsonRoundTrip() throws {
        let binding = RoleBinding(
            metadata: ObjectMeta(name: "b", namespace: "ns"),
            subjects: [.serviceAccount(namespace: "ns", name: "sa"), .user("alice")],
            roleRef: .clusterRole("view"))
        let json = try JSONValueEncoder().encode(binding)
        #expect(
            json.jsonString
                == #"{"metadata":{"name":"b","namespace":"ns","creationTimestamp":null},"subjects":[{"kind":"ServiceAccount","name":"sa","#
                + #""namespace":"ns"},{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"}],"#
                + #""roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"}}"#)
        #expect(try JSONValueDecoder().decode(RoleBinding.self, from: json) == binding)

        let text = #"""
            {"metadata":{"name":"c"},"rules":[{"verbs":["get"],"nonResourceURLs":["/healthz"]},
             {"verbs":["*"],"apiGroups":["*"],"resources":["*"],"resourceNames":["x"]}],
             "aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"a":"b"}}]}}
            """#
        let unknown = UnknownFieldCollector()
        let role = try JSONValueDecoder().decode(
            ClusterRole.self, from: try JSONValue(parsing: text), unknownFields: unknown)
        #expect(unknown.unknownFields.isEmpty)
        #expect(role.rules?[0] == PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz"]))
        #expect(role.rules?[1].resourceNames == ["x"])
        #expect(role.aggregationRule?.clusterRoleSelectors?.count == 1)
        #expect(
            try JSONValueEncoder().encode(Role(metadata: ObjectMeta(name: "r"))).jsonString
                == #"{"metadata":{"name":"r","creationTimestamp":null}}"#)
    }
}
