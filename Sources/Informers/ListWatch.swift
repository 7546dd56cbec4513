public import APIMachinery

/// Where an informer lists and watches from: two closures, usually a ``ResourceClient``'s.
public struct ListWatch<Object: APIObject>: Sendable {
    /// A watch: events in order; an ERROR event is thrown as its ``APIError``. It must end when the
    /// consuming task is cancelled.
    public typealias Watch = any AsyncSequence<WatchEvent<Object>, APIError> & Sendable

    public let list: @Sendable (ListOptions) async throws(APIError) -> ObjectList<Object>
    public let watch: @Sendable (WatchOptions) async throws(APIError) -> Watch

    public init(
        list: @escaping @Sendable (ListOptions) async throws(APIError) -> ObjectList<Object>,
        watch: @escaping @Sendable (WatchOptions) async throws(APIError) -> Watch
    ) {
        self.list = list
        self.watch = watch
    }

    /// Lists and watches through a typed client (in its namespace; all namespaces when it has none).
    /// Its watches end when the consuming task is cancelled (the store watch under them does).
    public init(_ client: ResourceClient<Object>) where Object: Resource {
        self.init(
            list: { options throws(APIError) in try await client.list(options) },
            watch: { options throws(APIError) in try await client.watch(options) }
        )
    }
}
