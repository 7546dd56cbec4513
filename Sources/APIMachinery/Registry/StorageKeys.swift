/// Where a resource type's objects live in the store: `/registry/<group>/<resource>/<namespace>/<name>`, with
/// `core` for the legacy group and no namespace segment for cluster-scoped types.
struct StorageKeys: Sendable {
    let prefix: [UInt8]
    let namespaced: Bool

    init(_ descriptor: ResourceDescriptor) {
        let group = descriptor.group.isEmpty ? "core" : descriptor.group
        prefix = Array("/registry/\(group)/\(descriptor.plural)/".utf8)
        namespaced = descriptor.isNamespaced
    }

    func key(namespace: String, name: String) -> [UInt8] {
        var key = prefix
        if namespaced {
            key.append(contentsOf: namespace.utf8)
            key.append(UInt8(ascii: "/"))
        }
        key.append(contentsOf: name.utf8)
        return key
    }

    /// The prefix of one namespace's objects (all of them when `namespace` is nil or the type is cluster-scoped).
    func prefix(namespace: String?) -> [UInt8] {
        guard namespaced, let namespace, !namespace.isEmpty else { return prefix }
        return prefix + Array(namespace.utf8) + [UInt8(ascii: "/")]
    }

    func names(ofKey key: [UInt8]) -> (namespace: String, name: String) {
        let rest = key.dropFirst(prefix.count)
        guard namespaced, let slash = rest.firstIndex(of: UInt8(ascii: "/")) else {
            return ("", String(decoding: rest, as: UTF8.self))
        }
        return (String(decoding: rest[..<slash], as: UTF8.self), String(decoding: rest[(slash + 1)...], as: UTF8.self))
    }
}
