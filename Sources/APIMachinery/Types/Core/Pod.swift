/// A group of containers scheduled together onto a node (core/v1 `Pod`).
///
/// `metadata`, `spec` and `status` live in one shared copy-on-write box: a copy is one
/// reference, and copies share their members until one of them is mutated. Equality, hashing and JSON
/// are by value.
public struct Pod: Sendable, Hashable, Codable {
    var storage: CopyOnWrite<ObjectParts<PodSpec, PodStatus>>

    public var metadata: ObjectMeta {
        _read { yield storage.value.metadata }
        _modify { yield &storage.value.metadata }
    }

    public var spec: PodSpec? {
        _read { yield storage.value.spec }
        _modify { yield &storage.value.spec }
    }

    public var status: PodStatus? {
        _read { yield storage.value.status }
        _modify { yield &storage.value.status }
    }

    public init(metadata: ObjectMeta = ObjectMeta(), spec: PodSpec? = nil, status: PodStatus? = nil) {
        storage = CopyOnWrite(ObjectParts(metadata: metadata, spec: spec, status: status))
    }

    public init(from decoder: any Decoder) throws {
        storage = CopyOnWrite(try ObjectParts(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try storage.value.encode(to: encoder)
    }

    public static func == (lhs: Pod, rhs: Pod) -> Bool { lhs.storage == rhs.storage }

    public func hash(into hasher: inout Hasher) { storage.hash(into: &hasher) }
}
