public import APIMachinery
import Synchronization

/// A thread-safe object cache keyed by ``ObjectKey``, with secondary indices.
///
/// An index function maps an object to index values (the default ``namespaceIndex`` maps it to its
/// namespace); queries return the objects, or keys, with a given value. Indices are maintained on every
/// add, update (including when an object's values change), delete and replace.
public final class Indexer<Object: APIObject>: Sendable {
    /// Maps an object to its values in one index.
    public typealias IndexFunction = @Sendable (Object) -> [String]

    /// The name of the index by namespace that indexers have by default.
    public static var namespaceIndex: String { "namespace" }

    /// A cached object on the heap: the dictionary holds 8-byte references instead of the objects' inline
    /// size (a Pod is over 1 KB inline, and a dictionary keeps up to half its buckets empty), and growing
    /// it moves references only.
    final class Stored: Sendable {
        let object: Object
        init(_ object: Object) { self.object = object }
    }

    struct State {
        var items: [ObjectKey: Stored] = [:]
        var indexers: [String: IndexFunction]
        /// index name → index value → keys.
        var indices: [String: [String: Set<ObjectKey>]] = [:]
        /// The built-in namespace index, maintained from keys: reading `metadata` through the protocol
        /// copies a whole ObjectMeta per object, the key already has the namespace.
        var keyNamespaceIndex: String?

        init(indexers: [String: IndexFunction], keyNamespaceIndex: String?) {
            self.indexers = indexers
            self.keyNamespaceIndex = keyNamespaceIndex
            for name in indexers.keys { indices[name] = [:] }
        }

        /// Stores `object` under `key`, returning the object it replaces.
        @discardableResult
        mutating func put(_ key: ObjectKey, _ object: Object) -> Object? {
            let old = items.updateValue(Stored(object), forKey: key)?.object
            for (name, function) in indexers {
                reindex(name, function, key: key, old: old, new: object)
            }
            return old
        }

        /// Removes `key`, returning the object it held.
        @discardableResult
        mutating func remove(_ key: ObjectKey) -> Object? {
            guard let old = items.removeValue(forKey: key)?.object else { return nil }
            for (name, function) in indexers {
                reindex(name, function, key: key, old: old, new: nil)
            }
            return old
        }

        mutating func reindex(_ name: String, _ function: IndexFunction, key: ObjectKey, old: Object?, new: Object?) {
            if name == keyNamespaceIndex {
                // A key's namespace never changes: only adds and removals touch this index.
                if (old == nil) == (new == nil) { return }
                if new != nil {
                    indices[name]![key.namespace, default: []].insert(key)
                } else {
                    indices[name]![key.namespace]?.remove(key)
                    if indices[name]![key.namespace]?.isEmpty == true { indices[name]![key.namespace] = nil }
                }
                return
            }
            let oldValues = old.map(function) ?? []
            let newValues = new.map(function) ?? []
            if oldValues == newValues { return }
            for value in oldValues where !newValues.contains(value) {
                indices[name]![value]?.remove(key)
                if indices[name]![value]?.isEmpty == true { indices[name]![value] = nil }
            }
            for value in newValues where !oldValues.contains(value) {
                indices[name]![value, default: []].insert(key)
            }
        }

        func keys(_ indexName: String, _ value: String) throws(InformerError) -> Set<ObjectKey> {
            guard let index = indices[indexName] else { throw InformerError.unknownIndex(indexName) }
            return index[value] ?? []
        }
    }

    let state: Mutex<State>

    /// - Parameters:
    ///   - indexers: index functions by index name.
    ///   - indexesNamespaces: also keep ``namespaceIndex`` (by the objects' namespaces), unless `indexers`
    ///     defines an index of that name itself.
    public init(indexers: [String: IndexFunction] = [:], indexesNamespaces: Bool = true) {
        var all = indexers
        var keyNamespaceIndex: String?
        if indexesNamespaces && all[Self.namespaceIndex] == nil {
            all[Self.namespaceIndex] = { [$0.metadata.namespace] }
            keyNamespaceIndex = Self.namespaceIndex
        }
        state = Mutex(State(indexers: all, keyNamespaceIndex: keyNamespaceIndex))
    }

    /// Adds index functions; objects already cached are indexed at once (client-go v0.32 behaviour).
    ///
    /// - Throws: ``InformerError/Code/indexExists`` when a name is already in use (nothing is added then).
    public func addIndexers(_ indexers: [String: IndexFunction]) throws(InformerError) {
        try state.withLock { s throws(InformerError) in
            if let name = indexers.keys.first(where: { s.indexers[$0] != nil }) {
                throw InformerError(.indexExists, "index \"\(name)\" already exists")
            }
            for (name, function) in indexers {
                s.indexers[name] = function
                s.indices[name] = [:]
                for (key, stored) in s.items {
                    s.reindex(name, function, key: key, old: nil, new: stored.object)
                }
            }
        }
    }

    /// The names of the indices.
    public var indexNames: [String] { state.withLock { Array($0.indexers.keys) } }

    /// Adds or replaces an object.
    public func add(_ object: Object) {
        state.withLock { _ = $0.put(ObjectKey(object.metadata), object) }
    }

    /// Replaces an object (or adds it).
    public func update(_ object: Object) {
        state.withLock { _ = $0.put(ObjectKey(object.metadata), object) }
    }

    /// Removes the object with this object's key.
    public func delete(_ object: Object) {
        state.withLock { _ = $0.remove(ObjectKey(object.metadata)) }
    }

    /// Replaces the whole content (indices rebuilt).
    public func replace(_ objects: [Object]) {
        state.withLock { s in
            s.items = [:]
            s.items.reserveCapacity(objects.count)
            for name in s.indexers.keys { s.indices[name] = [:] }
            for object in objects { s.put(ObjectKey(object.metadata), object) }
        }
    }

    /// The object with this key.
    public func get(_ key: ObjectKey) -> Object? {
        state.withLock { $0.items[key]?.object }
    }

    /// Every object, in no particular order.
    public func list() -> [Object] {
        state.withLock { $0.items.values.map(\.object) }
    }

    /// Every key, in no particular order.
    public func keys() -> [ObjectKey] {
        state.withLock { Array($0.items.keys) }
    }

    /// Makes room for `count` objects in all (before a large list is applied).
    func reserveCapacity(_ count: Int) {
        state.withLock { s in if count > s.items.capacity { s.items.reserveCapacity(count) } }
    }

    /// The number of objects.
    public var count: Int { state.withLock { $0.items.count } }

    /// The objects whose `indexName` values include `value`.
    public func byIndex(_ indexName: String, _ value: String) throws(InformerError) -> [Object] {
        try state.withLock { s throws(InformerError) in
            try s.keys(indexName, value).compactMap { s.items[$0]?.object }
        }
    }

    /// The keys of the objects whose `indexName` values include `value`.
    public func indexKeys(_ indexName: String, _ value: String) throws(InformerError) -> [ObjectKey] {
        try state.withLock { s throws(InformerError) in Array(try s.keys(indexName, value)) }
    }

    /// The values of an index that at least one object has.
    public func indexValues(_ indexName: String) throws(InformerError) -> [String] {
        try state.withLock { s throws(InformerError) in
            guard let index = s.indices[indexName] else { throw InformerError.unknownIndex(indexName) }
            return Array(index.keys)
        }
    }

    /// The objects sharing at least one `indexName` value with `object` (which need not be cached).
    public func index(_ indexName: String, matching object: Object) throws(InformerError) -> [Object] {
        try state.withLock { s throws(InformerError) in
            guard let function = s.indexers[indexName], let index = s.indices[indexName] else {
                throw InformerError.unknownIndex(indexName)
            }
            var keys = Set<ObjectKey>()
            for value in function(object) { keys.formUnion(index[value] ?? []) }
            return keys.compactMap { s.items[$0]?.object }
        }
    }
}
