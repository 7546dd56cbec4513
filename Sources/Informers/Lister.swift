public import APIMachinery

/// A read-only, typed view of an informer's cache.
public struct Lister<Object: APIObject>: Sendable {
    public let indexer: Indexer<Object>

    public init(indexer: Indexer<Object>) {
        self.indexer = indexer
    }

    /// The cached object `namespace/name` (cluster-scoped: leave `namespace` empty).
    public func get(_ name: String, namespace: String = "") -> Object? {
        indexer.get(ObjectKey(namespace: namespace, name: name))
    }

    /// Cached objects in a namespace (nil: all), optionally matching a label selector, sorted by key.
    public func list(namespace: String? = nil, selector: LabelQuery? = nil) -> [Object] {
        var objects: [Object]
        if let namespace {
            if let indexed = try? indexer.byIndex(Indexer<Object>.namespaceIndex, namespace) {
                objects = indexed
            } else {
                objects = indexer.list().filter { $0.metadata.namespace == namespace }
            }
        } else {
            objects = indexer.list()
        }
        if let selector, !selector.isEverything {
            objects.removeAll { !selector.matches($0.metadata.labels) }
        }
        return objects.sorted { ObjectKey($0.metadata) < ObjectKey($1.metadata) }
    }

    /// Cached objects with `value` in the index `indexName`.
    /// - Throws: ``InformerError/Code/unknownIndex``.
    public func byIndex(_ indexName: String, _ value: String) throws(InformerError) -> [Object] {
        try indexer.byIndex(indexName, value)
    }
}
