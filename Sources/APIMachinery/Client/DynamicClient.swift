/// Untyped get/list/watch/create/update/patch/delete of any registered resource, on ``DynamicObject``s
/// (client-go's dynamic client).
public struct DynamicResourceClient: Sendable {
    let client: Client
    public let resource: GroupResource
    public let namespace: String

    init(client: Client, resource: GroupResource, namespace: String) {
        self.client = client
        self.resource = resource
        self.namespace = namespace
    }

    var server: APIServer { client.server }
    var context: RequestContext { client.context }

    func dynamic(_ object: any APIObject) throws(APIError) -> DynamicObject {
        if let dynamic = object as? DynamicObject { return dynamic }
        let storage = try server.storage(resource)
        return DynamicObject(content: try storage.codec.tree(object))
    }

    func typed(_ object: DynamicObject) throws(APIError) -> any APIObject {
        let storage = try server.storage(resource)
        return try storage.codec.decodeRequest(.object(object.content), validation: context.fieldValidation)
    }

    func namespace(of object: DynamicObject) -> String {
        let namespace = object.content["metadata"]?["namespace"]?.stringValue ?? ""
        return namespace.isEmpty ? self.namespace : namespace
    }

    public func get(_ name: String, resourceVersion: String = "") async throws(APIError) -> DynamicObject {
        try await client.intercept("get", resource, namespace: namespace, name: name)
        return try dynamic(try await server.get(resource, namespace: namespace, name: name, resourceVersion: resourceVersion,
            context: context))
    }

    public func list(_ options: ListOptions = ListOptions()) async throws(APIError) -> ObjectList<DynamicObject> {
        try await client.intercept("list", resource, namespace: namespace)
        let result = try await server.list(resource, namespace: namespace, options: options, context: context)
        var items: [DynamicObject] = []
        for item in result.items { items.append(try dynamic(item)) }
        return ObjectList(metadata: result.listMeta, items: items)
    }

    /// Watches objects as raw events (object type erased; ERROR events carry their Status).
    public func watch(_ options: WatchOptions = WatchOptions()) async throws(APIError) -> ObjectWatch {
        try await client.intercept("watch", resource, namespace: namespace)
        return try await server.watch(resource, namespace: namespace, options: options, context: context)
    }

    public func create(_ object: DynamicObject) async throws(APIError) -> DynamicObject {
        try await client.intercept("create", resource, namespace: namespace(of: object))
        return try dynamic(try await server.create(resource, namespace: namespace(of: object), object: try typed(object),
            context: context))
    }

    public func update(_ object: DynamicObject, subresource: String = "") async throws(APIError) -> DynamicObject {
        let name = object.content["metadata"]?["name"]?.stringValue ?? ""
        try await client.intercept("update", resource, namespace: namespace(of: object), name: name,
            subresource: subresource)
        return try dynamic(try await server.update(resource, namespace: namespace(of: object), name: name,
            object: try typed(object), subresource: subresource, context: context))
    }

    public func updateStatus(_ object: DynamicObject) async throws(APIError) -> DynamicObject {
        try await update(object, subresource: "status")
    }

    public func patch(
        _ name: String, type: PatchType, _ patch: JSONValue, subresource: String = ""
    ) async throws(APIError) -> DynamicObject {
        try await client.intercept("patch", resource, namespace: namespace, name: name, subresource: subresource)
        return try dynamic(try await server.patch(resource, namespace: namespace, name: name, type: type,
            body: patch.serialized(), subresource: subresource, context: context))
    }

    public func delete(
        _ name: String, options: DeleteOptions = DeleteOptions()
    ) async throws(APIError) -> DeleteResult<DynamicObject> {
        try await client.intercept("delete", resource, namespace: namespace, name: name)
        let outcome = try await server.delete(resource, namespace: namespace, name: name, options: options, context: context)
        return DeleteResult(object: try dynamic(outcome.object), deleted: outcome.deleted)
    }
}
