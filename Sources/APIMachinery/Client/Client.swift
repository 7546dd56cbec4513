/// An in-process client of an ``APIServer`` acting as one user: the entry point to typed and dynamic
/// resource clients.
public struct Client: Sendable {
    public let server: APIServer
    /// The user, dry-run flag, field manager and field validation every request carries.
    public var context: RequestContext
    /// A hook every request of this client passes first: tests inject API errors, conflicts and delays
    /// with it (see `Reconcile`'s test environment). Nil for a client that talks to the server directly.
    public var interceptor: (any RequestInterceptor)?

    public init(server: APIServer, context: RequestContext, interceptor: (any RequestInterceptor)? = nil) {
        self.server = server
        self.context = context
        self.interceptor = interceptor
    }

    /// Runs the interceptor, if any, on a request about to be made.
    func intercept(
        _ verb: String, _ resource: GroupResource, namespace: String, name: String = "", subresource: String = ""
    ) async throws(APIError) {
        guard let interceptor else { return }
        try await interceptor.intercept(ClientRequest(verb: verb, resource: resource, namespace: namespace, name: name,
            subresource: subresource, user: context.user.name))
    }

    /// A typed client of one resource type, in a namespace (ignored for cluster-scoped types; empty means all
    /// namespaces for list and watch).
    public func resource<R: Resource>(_ type: R.Type, namespace: String = "") -> ResourceClient<R> {
        ResourceClient(client: self, namespace: namespace)
    }

    /// A dynamic client of a resource by group and plural.
    public func dynamic(_ resource: GroupResource, namespace: String = "") -> DynamicResourceClient {
        DynamicResourceClient(client: self, resource: resource, namespace: namespace)
    }
}

/// A request as a ``RequestInterceptor`` sees it.
public struct ClientRequest: Sendable, Hashable, CustomStringConvertible {
    /// Kubernetes' verb: get, list, watch, create, update, patch, delete, deletecollection.
    public var verb: String
    public var resource: GroupResource
    public var namespace: String
    /// The object's name (empty for list, watch, create and deletecollection).
    public var name: String
    public var subresource: String
    /// The client's user name.
    public var user: String

    public init(
        verb: String, resource: GroupResource, namespace: String = "", name: String = "", subresource: String = "",
        user: String = ""
    ) {
        self.verb = verb
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.subresource = subresource
        self.user = user
    }

    public var description: String {
        var text = "\(verb) \(resource)"
        if !subresource.isEmpty { text += "/\(subresource)" }
        if !namespace.isEmpty { text += " in \(namespace)" }
        if !name.isEmpty { text += " \(name)" }
        return text
    }
}

/// Sees every request of a client before it reaches the server; throwing fails the request with that error
/// and the server sees nothing.
public protocol RequestInterceptor: Sendable {
    func intercept(_ request: ClientRequest) async throws(APIError)
}

extension APIServer {
    /// A client acting as `user` (default: a cluster administrator in `system:masters`).
    public func client(
        as user: UserInfo = .systemAdmin,
        fieldManager: String = ""
    ) -> Client {
        Client(server: self, context: RequestContext(user: user, fieldManager: fieldManager))
    }
}

/// The result of a delete: the object is gone, or still there marked for deletion (finalizers, grace period).
public struct DeleteResult<Object: Sendable>: Sendable {
    /// The object as deleted, or as updated with its `deletionTimestamp`.
    public var object: Object
    /// Whether the object is gone from storage.
    public var deleted: Bool
}

/// Typed get/list/watch/create/update/updateStatus/patch/delete for one resource type.
public struct ResourceClient<R: Resource>: Sendable {
    let client: Client
    public let namespace: String

    var server: APIServer { client.server }
    var context: RequestContext { client.context }
    var resource: GroupResource { R.descriptor.groupResource }

    init(client: Client, namespace: String) {
        self.client = client
        self.namespace = namespace
    }

    func cast(_ object: any APIObject) throws(APIError) -> R {
        guard let typed = object as? R else {
            throw APIError.internalError("\(resource) is registered with a type other than \(R.self)")
        }
        return typed
    }

    func namespace(of object: R) -> String { object.metadata.namespace.isEmpty ? namespace : object.metadata.namespace }

    /// Reads an object; `resourceVersion: "0"` allows a cached answer.
    public func get(_ name: String, resourceVersion: String = "") async throws(APIError) -> R {
        try await client.intercept("get", resource, namespace: namespace, name: name)
        return try cast(try await server.get(resource, namespace: namespace, name: name, resourceVersion: resourceVersion,
            context: context))
    }

    /// Lists objects (in every namespace when the client's namespace is empty).
    public func list(_ options: ListOptions = ListOptions()) async throws(APIError) -> ObjectList<R> {
        try await client.intercept("list", resource, namespace: namespace)
        let result = try await server.list(resource, namespace: namespace, options: options, context: context)
        var items: [R] = []
        items.reserveCapacity(result.items.count)
        for item in result.items { items.append(try cast(item)) }
        return ObjectList(metadata: result.listMeta, items: items)
    }

    /// Watches objects. ERROR events end the sequence by throwing their Status as an ``APIError``.
    public func watch(_ options: WatchOptions = WatchOptions()) async throws(APIError) -> ResourceWatch<R> {
        try await client.intercept("watch", resource, namespace: namespace)
        return ResourceWatch(watch: try await server.watch(resource, namespace: namespace, options: options, context: context))
    }

    /// Creates an object; returns it as stored.
    public func create(_ object: R) async throws(APIError) -> R {
        try await client.intercept("create", resource, namespace: namespace(of: object))
        return try cast(try await server.create(resource, namespace: namespace(of: object), object: object, context: context))
    }

    /// Replaces an object; its `metadata.resourceVersion` must be current (else 409 Conflict).
    public func update(_ object: R) async throws(APIError) -> R {
        try await client.intercept("update", resource, namespace: namespace(of: object), name: object.metadata.name)
        return try cast(try await server.update(resource, namespace: namespace(of: object), name: object.metadata.name,
            object: object, context: context))
    }

    /// Replaces an object's status only.
    public func updateStatus(_ object: R) async throws(APIError) -> R {
        try await client.intercept("update", resource, namespace: namespace(of: object), name: object.metadata.name,
            subresource: "status")
        return try cast(try await server.update(resource, namespace: namespace(of: object), name: object.metadata.name,
            object: object, subresource: "status", context: context))
    }

    /// Patches an object (or its `status`).
    public func patch(
        _ name: String, type: PatchType, _ patch: JSONValue, subresource: String = ""
    ) async throws(APIError) -> R {
        try await client.intercept("patch", resource, namespace: namespace, name: name, subresource: subresource)
        return try cast(try await server.patch(resource, namespace: namespace, name: name, type: type, body: patch.serialized(),
            subresource: subresource, context: context))
    }

    /// Deletes an object.
    public func delete(_ name: String, options: DeleteOptions = DeleteOptions()) async throws(APIError) -> DeleteResult<R> {
        try await client.intercept("delete", resource, namespace: namespace, name: name)
        let outcome = try await server.delete(resource, namespace: namespace, name: name, options: options, context: context)
        return DeleteResult(object: try cast(outcome.object), deleted: outcome.deleted)
    }

    /// Deletes every object the options select.
    public func deleteCollection(
        _ listOptions: ListOptions = ListOptions(), options: DeleteOptions = DeleteOptions()
    ) async throws(APIError) -> [R] {
        try await client.intercept("deletecollection", resource, namespace: namespace)
        var results: [R] = []
        for object in try await server.deleteCollection(resource, namespace: namespace, listOptions: listOptions,
            options: options, context: context)
        {
            results.append(try cast(object))
        }
        return results
    }

    /// Reads the scale subresource.
    public func getScale(_ name: String) async throws(APIError) -> Scale {
        try await client.intercept("get", resource, namespace: namespace, name: name, subresource: "scale")
        return try await server.getScale(resource, namespace: namespace, name: name, context: context)
    }

    /// Writes the scale subresource.
    public func updateScale(_ name: String, _ scale: Scale) async throws(APIError) -> Scale {
        try await client.intercept("update", resource, namespace: namespace, name: name, subresource: "scale")
        return try await server.updateScale(resource, namespace: namespace, name: name, scale: scale, context: context)
    }
}

extension ResourceClient where R == Pod {
    /// Binds the pod to a node through the `binding` subresource (what a scheduler does): sets `spec.nodeName`
    /// and the `PodScheduled` condition. 409 Conflict when the pod is already assigned or being deleted.
    public func bind(_ name: String, to nodeName: String, resourceVersion: String = "") async throws(APIError) {
        try await client.intercept("create", resource, namespace: namespace, name: name, subresource: "binding")
        let binding = Binding(metadata: ObjectMeta(name: name, namespace: namespace, resourceVersion: resourceVersion),
            target: ObjectReference(kind: "Node", name: nodeName))
        try await server.bind(namespace: namespace, name: name, binding: binding, context: context)
    }
}

/// A typed watch: events in order; an ERROR event is thrown as its ``APIError``.
public struct ResourceWatch<R: Resource>: AsyncSequence, Sendable {
    public typealias Element = WatchEvent<R>
    public typealias Failure = APIError

    let watch: ObjectWatch

    /// Stops the watch.
    public func cancel() { watch.cancel() }

    public func makeAsyncIterator() -> Iterator { Iterator(base: watch.makeAsyncIterator()) }

    public struct Iterator: AsyncIteratorProtocol {
        var base: ObjectWatch.Iterator

        public mutating func next() async throws(APIError) -> WatchEvent<R>? {
            guard let event = await base.next() else { return nil }
            if event.type == .error {
                throw APIError(status: event.status ?? APIError.internalError("watch failed").status)
            }
            var object: R?
            if let raw = event.object {
                guard let typed = raw as? R else { throw APIError.internalError("unexpected object type in watch") }
                object = typed
            }
            return WatchEvent(type: event.type, object: object, status: nil, resourceVersion: event.resourceVersion,
                isInitialEventsEnd: event.isInitialEventsEnd)
        }
    }
}
