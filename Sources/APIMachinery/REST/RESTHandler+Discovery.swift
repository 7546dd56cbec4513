/// Discovery documents (`/api`, `/apis`, `/apis/{group}`, `/api/v1`, `/apis/{group}/{version}`) and the root
/// path list, shaped like Kubernetes' legacy (unaggregated) discovery, which every client understands.
extension RESTHandler {
    /// A group and version served.
    struct GroupVersion: Hashable {
        var group: String
        var version: String

        var path: String { group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)" }
        var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    }

    /// The served group-versions in registration order.
    var groupVersions: [GroupVersion] {
        var seen = Set<GroupVersion>()
        var result: [GroupVersion] = []
        for descriptor in server.registeredResources {
            let gv = GroupVersion(group: descriptor.group, version: descriptor.version)
            if seen.insert(gv).inserted { result.append(gv) }
        }
        return result
    }

    func resources(in gv: GroupVersion) -> [ResourceDescriptor] {
        server.registeredResources.filter { $0.group == gv.group && $0.version == gv.version }
    }

    /// `/api`: the core group's versions.
    func apiVersions(_ request: RESTRequest) -> RESTResponse {
        let versions = groupVersions.filter { $0.group.isEmpty }.map { JSONValue.string($0.version) }
        var object = JSONObject()
        object["kind"] = "APIVersions"
        object["versions"] = .array(versions)
        var addresses: [JSONValue] = []
        if let host = request.header("Host"), !host.isEmpty {
            addresses.append(["clientCIDR": "0.0.0.0/0", "serverAddress": .string(host)])
        }
        object["serverAddressByClientCIDRs"] = .array(addresses)
        return .json(.object(object))
    }

    /// `/apis`: every named group with its versions, preferred version first.
    func apiGroupList() -> RESTResponse {
        var groups: [String] = []
        for gv in groupVersions where !gv.group.isEmpty && !groups.contains(gv.group) { groups.append(gv.group) }
        var object = JSONObject()
        object["kind"] = "APIGroupList"
        object["apiVersion"] = "v1"
        object["groups"] = .array(groups.map { apiGroupValue($0, typed: false) })
        return .json(.object(object))
    }

    /// `/apis/{group}`.
    func apiGroup(_ group: String) throws(APIError) -> RESTResponse {
        guard groupVersions.contains(where: { $0.group == group && !group.isEmpty }) else { throw Self.pathNotFound }
        return .json(apiGroupValue(group, typed: true))
    }

    func apiGroupValue(_ group: String, typed: Bool) -> JSONValue {
        let versions = groupVersions.filter { $0.group == group }.map(\.version).sorted(by: Self.versionPrecedes)
        func entry(_ version: String) -> JSONValue {
            ["groupVersion": .string("\(group)/\(version)"), "version": .string(version)]
        }
        var object = JSONObject()
        if typed {
            object["kind"] = "APIGroup"
            object["apiVersion"] = "v1"
        }
        object["name"] = .string(group)
        object["versions"] = .array(versions.map(entry))
        if let preferred = versions.first { object["preferredVersion"] = entry(preferred) }
        return .object(object)
    }

    /// `/api/v1`, `/apis/{group}/{version}`: the resources and subresources with their verbs, sorted by name
    /// as Kubernetes lists them.
    func apiResourceList(_ gv: GroupVersion) -> RESTResponse {
        var entries: [(name: String, value: JSONValue)] = []
        for descriptor in resources(in: gv) {
            let namespaced = JSONValue.bool(descriptor.isNamespaced)
            var main = JSONObject()
            main["name"] = .string(descriptor.plural)
            main["singularName"] = .string(descriptor.singular)
            main["namespaced"] = namespaced
            main["kind"] = .string(descriptor.kind)
            var verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
            if descriptor.isNamespaceType { verbs.removeAll { $0 == "deletecollection" } }
            main["verbs"] = .array(verbs.map { .string($0) })
            if !descriptor.shortNames.isEmpty { main["shortNames"] = .array(descriptor.shortNames.map { .string($0) }) }
            if !descriptor.categories.isEmpty { main["categories"] = .array(descriptor.categories.map { .string($0) }) }
            entries.append((descriptor.plural, .object(main)))

            func subresource(
                _ name: String, kind: String, verbs: [String], group: String? = nil, version: String? = nil
            ) {
                var sub = JSONObject()
                sub["name"] = .string("\(descriptor.plural)/\(name)")
                sub["singularName"] = ""
                sub["namespaced"] = namespaced
                if let group { sub["group"] = .string(group) }
                if let version { sub["version"] = .string(version) }
                sub["kind"] = .string(kind)
                sub["verbs"] = .array(verbs.map { .string($0) })
                entries.append((sub["name"]!.stringValue!, .object(sub)))
            }
            if descriptor.hasStatus { subresource("status", kind: descriptor.kind, verbs: ["get", "patch", "update"]) }
            if descriptor.scale != nil {
                subresource(
                    "scale", kind: "Scale", verbs: ["get", "patch", "update"], group: "autoscaling",
                    version: "v1")
            }
            if descriptor.isNamespaceType {
                subresource("finalize", kind: descriptor.kind, verbs: ["update"])
            }
        }
        entries.sort { $0.name < $1.name }
        var object = JSONObject()
        object["kind"] = "APIResourceList"
        object["apiVersion"] = "v1"
        object["groupVersion"] = .string(gv.groupVersion)
        object["resources"] = .array(entries.map(\.value))
        return .json(.object(object))
    }

    /// `/`: every path served.
    func rootPaths() -> RESTResponse {
        var paths = ["/api", "/apis", "/healthz", "/livez", "/openapi/v3", "/readyz", "/version"]
        for gv in groupVersions {
            paths.append("/" + gv.path)
            if !gv.group.isEmpty { paths.append("/apis/\(gv.group)") }
        }
        let sorted = Array(Set(paths)).sorted()
        return .json(["paths": .array(sorted.map { .string($0) })])
    }

    /// Kubernetes' version priority: GA before beta before alpha, higher numbers first, then anything else
    /// alphabetically (`v2`, `v1`, `v1beta2`, `v1beta1`, `v1alpha1`, `foo`).
    static func versionPrecedes(_ lhs: String, _ rhs: String) -> Bool {
        switch (parseKubeVersion(lhs), parseKubeVersion(rhs)) {
        case let (a?, b?):
            if a.stability != b.stability { return a.stability > b.stability }
            if a.major != b.major { return a.major > b.major }
            return a.minor > b.minor
        case (_?, nil): return true
        case (nil, _?): return false
        case (nil, nil): return lhs < rhs
        }
    }

    /// `v1` → (2, 1, 0); `v1beta2` → (1, 1, 2); `v2alpha1` → (0, 2, 1).
    static func parseKubeVersion(_ text: String) -> (stability: Int, major: Int, minor: Int)? {
        guard text.hasPrefix("v") else { return nil }
        let rest = text.dropFirst()
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard let major = Int(digits), major > 0, !digits.hasPrefix("0") else { return nil }
        let suffix = rest.dropFirst(digits.count)
        if suffix.isEmpty { return (2, major, 0) }
        for (label, stability) in [("beta", 1), ("alpha", 0)] where suffix.hasPrefix(label) {
            let number = suffix.dropFirst(label.count)
            guard let minor = Int(number), minor > 0, !number.hasPrefix("0") else { return nil }
            return (stability, major, minor)
        }
        return nil
    }
}
