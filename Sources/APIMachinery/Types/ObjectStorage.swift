/// A value on the heap, shared between copies until one of them is mutated (copy-on-write).
///
/// Copying a ``CopyOnWrite`` copies one reference, so a large object held by the server's cache, a list
/// result, an informer's queue and its cache is stored once. A mutation through ``value`` first copies
/// the box when another copy shares it, so the type keeps value semantics. Equality and hashing are by
/// value.
struct CopyOnWrite<Value: Sendable & Hashable>: Sendable, Hashable {
    /// The heap box.
    ///
    /// `@unchecked Sendable` is sound: `value` is only written through ``CopyOnWrite/value``'s `_modify`,
    /// which runs with exclusive (`inout`) access to the one ``CopyOnWrite`` holding the box and, before
    /// yielding, replaces the box by a private copy unless `isKnownUniquelyReferenced` proves that no other
    /// reference exists. A box reachable from more than one place (and so from more than one thread) is
    /// therefore never written again: shared boxes are immutable, like the `Sendable` `Value` they hold.
    final class Box: @unchecked Sendable {
        var value: Value

        init(_ value: Value) { self.value = value }
    }

    private var box: Box

    init(_ value: Value) { box = Box(value) }

    var value: Value {
        _read { yield box.value }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.value) }
            yield &box.value
        }
    }

    /// The box's identity: copies not mutated since share it.
    var identity: ObjectIdentifier { ObjectIdentifier(box) }

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.box === rhs.box || lhs.box.value == rhs.box.value }

    func hash(into hasher: inout Hasher) { box.value.hash(into: &hasher) }
}

/// The members of an object with `metadata`, an optional `spec` and an optional `status`, coded as
/// Kubernetes writes them: in that order, absent members omitted; a missing `metadata` decodes as empty.
struct ObjectParts<Spec: Codable & Sendable & Hashable, Status: Codable & Sendable & Hashable>:
    Codable, Sendable, Hashable
{
    var metadata: ObjectMeta
    var spec: Spec?
    var status: Status?

    init(metadata: ObjectMeta, spec: Spec?, status: Status?) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case metadata, spec, status
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(Spec.self, forKey: .spec)
        status = try container.decodeIfPresent(Status.self, forKey: .status)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(metadata, forKey: .metadata)
        try container.encodeIfPresent(spec, forKey: .spec)
        try container.encodeIfPresent(status, forKey: .status)
    }
}
