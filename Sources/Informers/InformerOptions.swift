public import APIMachinery

/// How a ``SharedInformer`` lists, watches, caches and notifies.
public struct InformerOptions<Object: APIObject>: Sendable {
    /// How often handlers (that do not set their own period) get every cached object again as an update
    /// (`old == new`). Nil: never. At least 1 s (shorter periods are raised), as in client-go.
    public var resyncPeriod: Duration?
    /// Applied to every object before it is cached (trim `managedFields`, drop big fields…).
    public var transform: (@Sendable (Object) -> Object)?
    /// The cache's index functions, in addition to the index by namespace (``Indexer/namespaceIndex``).
    public var indexers: [String: Indexer<Object>.IndexFunction] = [:]
    /// Per handler (and per ``SharedInformer/events(bufferCapacity:)`` sequence): notifications buffered
    /// before further ones are coalesced per object.
    public var handlerBufferCapacity: Int = 1024
    /// Deltas the reflector may queue ahead of the informer before it waits.
    public var queueCapacity: Int = 1000
    /// The clock of backoff and resync timers.
    public var clock: any Clock<Duration> = ContinuousClock()
    /// Delays between failed or ended list-and-watch attempts.
    public var backoff = Backoff()
    /// Each watch asks the server to end it after a random time in this range (client-go: 5–10 min).
    public var watchTimeout: ClosedRange<Duration> = .seconds(300) ... .seconds(600)
    /// Only objects matching this label selector are listed and watched (a filtered informer).
    public var labelSelector: String = ""
    /// Only objects matching this field selector are listed and watched.
    public var fieldSelector: String = ""

    public init() {}
}
