import APIMachinery
import Synchronization

/// The objects the garbage collector knows and who owns whom, by uid (the GC's `uidToNode` graph).
struct OwnerGraph: Sendable {
    struct Node: Sendable, Hashable {
        var resource: GroupResource
        var namespace: String
        var name: String
        var uid: String
        var owners: [OwnerReference]
        var finalizers: [String]
        var deleting: Bool

        init(resource: GroupResource, metadata: ObjectMeta) {
            self.resource = resource
            namespace = metadata.namespace
            name = metadata.name
            uid = metadata.uid
            owners = metadata.ownerReferences
            finalizers = metadata.finalizers
            deleting = metadata.deletionTimestamp != nil
        }

        /// Deleting in the foreground: waits for its blocking dependents.
        var waitsForDependents: Bool { deleting && finalizers.contains(GarbageCollector.foregroundFinalizer) }
        /// Deleting with its dependents orphaned.
        var orphansDependents: Bool { deleting && finalizers.contains(GarbageCollector.orphanFinalizer) }
    }

    var nodes: [String: Node] = [:]
    /// Owner uid → uids of the objects that reference it (the owner may not be known itself).
    var dependents: [String: Set<String>] = [:]

    /// Records an object; returns the previous node, if any.
    @discardableResult
    mutating func upsert(_ node: Node) -> Node? {
        let previous = nodes.updateValue(node, forKey: node.uid)
        for owner in previous?.owners ?? [] where !node.owners.contains(where: { $0.uid == owner.uid }) {
            unlink(owner: owner.uid, dependent: node.uid)
        }
        for owner in node.owners { dependents[owner.uid, default: []].insert(node.uid) }
        return previous
    }

    @discardableResult
    mutating func remove(uid: String) -> Node? {
        guard let node = nodes.removeValue(forKey: uid) else { return nil }
        for owner in node.owners { unlink(owner: owner.uid, dependent: uid) }
        return node
    }

    mutating func unlink(owner: String, dependent: String) {
        dependents[owner]?.remove(dependent)
        if dependents[owner]?.isEmpty == true { dependents[owner] = nil }
    }

    func dependentNodes(of uid: String) -> [Node] { (dependents[uid] ?? []).compactMap { nodes[$0] } }
}
