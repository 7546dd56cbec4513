import Store

extension APIServer {
    /// Starts a watch (all namespaces when `namespace` is nil) following Kubernetes' rules: resourceVersion
    /// unset gives the current state as ADDED events then changes; `"0"` the same from any recent state; `N`
    /// every change after N (410 Expired as an ERROR event when N is compacted); `sendInitialEvents` ends the
    /// initial burst with an annotated BOOKMARK.
    func watch(
        _ resource: GroupResource, namespace: String?, options: WatchOptions, context: RequestContext
    ) async throws(APIError) -> ObjectWatch {
        let storage = try storage(resource)
        let namespace = storage.descriptor.isNamespaced ? namespace.flatMap { $0.isEmpty ? nil : $0 } : nil
        try await authorize(context, verb: "watch", storage, namespace: namespace ?? "")
        let selection = try Selection(labelSelector: options.labelSelector, fieldSelector: options.fieldSelector,
            type: storage.type)
        let requested = try Self.parseResourceVersion(options.resourceVersion)
        if let sendInitialEvents = options.sendInitialEvents {
            if options.resourceVersionMatch != .notOlderThan {
                throw APIError.invalid(kind: "ListOptions", group: "meta.k8s.io", name: "",
                    errors: [.forbidden("resourceVersionMatch",
                        "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")])
            }
            if sendInitialEvents && !options.allowWatchBookmarks {
                throw APIError.invalid(kind: "ListOptions", group: "meta.k8s.io", name: "",
                    errors: [.forbidden("allowWatchBookmarks",
                        "sendInitialEvents requires setting allowWatchBookmarks to true")])
            }
        } else if options.resourceVersionMatch != nil {
            throw APIError.invalid(kind: "ListOptions", group: "meta.k8s.io", name: "",
                errors: [.forbidden("resourceVersionMatch",
                    "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided")])
        }
        if let timeout = options.timeoutSeconds, timeout < 0 {
            throw APIError.badRequest("timeoutSeconds must not be negative")
        }

        let sendsInitial = options.sendInitialEvents ?? (requested == nil || requested == 0)
        var initial: [WatchEvent<any APIObject>] = []
        let startRevision: Int64
        if sendsInitial {
            let cache = storage.cache
            switch requested {
            case nil: try await cache.waitUntilFresh(try await storage.currentRevision())
            case 0?: try await cache.waitUntilFresh(0)
            case let minimum?: try await cache.waitUntilFresh(minimum)
            }
            let (revision, entries) = cache.select(namespace: namespace) { selection.matches($0) }
            initial = entries.map { WatchEvent(type: .added, object: $0.object, resourceVersion: String($0.modRevision)) }
            if options.sendInitialEvents == true {
                initial.append(WatchEvent(type: .bookmark, object: nil, resourceVersion: String(revision),
                    isInitialEventsEnd: true))
            }
            startRevision = revision + 1
        } else {
            startRevision = requested.map { $0 + 1 } ?? 0
        }

        let prefix = storage.keys.prefix(namespace: namespace)
        let request = WatchRequest(key: prefix, rangeEnd: KeyRange.prefixEnd(prefix), startRevision: startRevision,
            prevKV: true, progressNotify: options.allowWatchBookmarks)
        let source: ObjectWatch.Source
        if let reader = storage.cache.reader(from: startRevision) {
            // The cache's window holds every change from the start: reuse its decoded objects.
            source = .cache(reader, after: startRevision - 1)
        } else {
            do {
                source = .store(try store.watch(request))
            } catch {
                let failure = ResourceStorage.translate(error, requested: requested ?? 0)
                let event = WatchEvent<any APIObject>(type: .error, object: nil, status: failure.status,
                    resourceVersion: "")
                return ObjectWatch(initial: initial + [event], source: .none, selection: nil, namespace: namespace,
                    codec: storage.codec, keys: storage.keys, bookmarks: false)
            }
        }
        let watch = ObjectWatch(initial: initial, source: source, selection: selection.isEverything ? nil : selection,
            namespace: namespace, codec: storage.codec, keys: storage.keys, bookmarks: options.allowWatchBookmarks)
        if let timeout = options.timeoutSeconds, timeout > 0 {
            watch.expire(after: .seconds(timeout), clock: self.options.clock)
        }
        return watch
    }
}
