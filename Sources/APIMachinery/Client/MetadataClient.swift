/// An object's metadata without its body (`meta/v1 PartialObjectMetadata`): what the garbage collector and
/// the namespace controller need of every type, at the cost of one ``ObjectMeta`` per object.
public struct PartialObjectMetadata: APIObject, Hashable {
    /// The object's `apiVersion` and `kind`.
    public var typeMeta: GroupVersionKind
    public var metadata: ObjectMeta

    public init(typeMeta: GroupVersionKind, metadata: ObjectMeta) {
        self.typeMeta = typeMeta
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion) ?? ""
        let kind = try container.decodeIfPresent(String.self, forKey: .kind) ?? ""
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        typeMeta = parts.count == 2
            ? GroupVersionKind(group: parts[0], version: parts[1], kind: kind)
            : GroupVersionKind(group: "", version: apiVersion, kind: kind)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(typeMeta.apiVersion, forKey: .apiVersion)
        try container.encode(typeMeta.kind, forKey: .kind)
        try container.encode(metadata, forKey: .metadata)
    }
}

extension Client {
    /// A metadata-only client of a resource by group and plural (client-go's metadata client).
    public func metadata(_ resource: GroupResource, namespace: String = "") -> MetadataResourceClient {
        MetadataResourceClient(client: self, resource: resource, namespace: namespace)
    }
}

/// Get/list/watch/patch/delete of any registered resource, seeing only metadata. Objects are never encoded
/// or decoded on the way: the registry's objects are reduced to their ``ObjectMeta``.
public struct MetadataResourceClient: Sendable {
    let client: Client
    public let resource: GroupResource
    public let namespace: String

    var server: APIServer { client.server }
    var context: RequestContext { client.context }

    init(client: Client, resource: GroupResource, namespace: String) {
        self.client = client
        self.resource = resource
        self.namespace = namespace
    }

    /// The resource's descriptor (404 when it is not registered).
    public func descriptor() throws(APIError) -> ResourceDescriptor { try server.storage(resource).descriptor }

    func partial(_ object: any APIObject, _ kind: GroupVersionKind) -> PartialObjectMetadata {
        PartialObjectMetadata(typeMeta: kind, metadata: object.metadata)
    }

    public func get(_ name: String, resourceVersion: String = "") async throws(APIError) -> PartialObjectMetadata {
        let kind = try descriptor().groupVersionKind
        try await client.intercept("get", resource, namespace: namespace, name: name)
        return partial(try await server.get(resource, namespace: namespace, name: name,
            resourceVersion: resourceVersion, context: context), kind)
    }

    public func list(_ options: ListOptions = ListOptions()) async throws(APIError) -> ObjectList<PartialObjectMetadata> {
        let kind = try descriptor().groupVersionKind
        try await client.intercept("list", resource, namespace: namespace)
        let result = try await server.list(resource, namespace: namespace, options: options, context: context)
        return ObjectList(metadata: result.listMeta, items: result.items.map { partial($0, kind) })
    }

    /// Watches objects' metadata. ERROR events end the sequence by throwing their Status as an ``APIError``.
    public func watch(_ options: WatchOptions = WatchOptions()) async throws(APIError) -> MetadataWatch {
        let kind = try descriptor().groupVersionKind
        try await client.intercept("watch", resource, namespace: namespace)
        return MetadataWatch(watch: try await server.watch(resource, namespace: namespace, options: options,
            context: context), kind: kind)
    }

    /// Patches an object; returns its metadata as stored.
    public func patch(
        _ name: String, type: PatchType, _ patch: JSONValue, subresource: String = ""
    ) async throws(APIError) -> PartialObjectMetadata {
        let kind = try descriptor().groupVersionKind
        try await client.intercept("patch", resource, namespace: namespace, name: name, subresource: subresource)
        return partial(try await server.patch(resource, namespace: namespace, name: name, type: type,
            body: patch.serialized(), subresource: subresource, context: context), kind)
    }

    public func delete(
        _ name: String, options: DeleteOptions = DeleteOptions()
    ) async throws(APIError) -> DeleteResult<PartialObjectMetadata> {
        let kind = try descriptor().groupVersionKind
        try await client.intercept("delete", resource, namespace: namespace, name: name)
        let outcome = try await server.delete(resource, namespace: namespace, name: name, options: options,
            context: context)
        return DeleteResult(object: partial(outcome.object, kind), deleted: outcome.deleted)
    }

    /// Deletes every object the options select; returns the metadata of each as deleted or marked.
    public func deleteCollection(
        _ listOptions: ListOptions = ListOptions(), options: DeleteOptions = DeleteOptions()
    ) async throws(APIError) -> [PartialObjectMetadata] {
        let kind = try descriptor().groupVersionKind
        try await client.intercept("deletecollection", resource, namespace: namespace)
        return try await server.deleteCollection(resource, namespace: namespace, listOptions: listOptions,
            options: options, context: context).map { partial($0, kind) }
    }
}

/// A metadata watch: events in order; an ERROR event is thrown as its ``APIError``.
public struct MetadataWatch: AsyncSequence, Sendable {
    public typealias Element = WatchEvent<PartialObjectMetadata>
    public typealias Failure = APIError

    let watch: ObjectWatch
    let kind: GroupVersionKind

    /// Stops the watch.
    public func cancel() { watch.cancel() }

    public func makeAsyncIterator() -> Iterator { Iterator(base: watch.makeAsyncIterator(), kind: kind) }

    public struct Iterator: AsyncIteratorProtocol {
        var base: ObjectWatch.Iterator
        let kind: GroupVersionKind

        public mutating func next() async throws(APIError) -> WatchEvent<PartialObjectMetadata>? {
            guard let event = await base.next() else { return nil }
            if event.type == .error {
                throw APIError(status: event.status ?? APIError.internalError("watch failed").status)
            }
            return WatchEvent(type: event.type,
                object: event.object.map { PartialObjectMetadata(typeMeta: kind, metadata: $0.metadata) },
                resourceVersion: event.resourceVersion, isInitialEventsEnd: event.isInitialEventsEnd)
        }
    }
}
