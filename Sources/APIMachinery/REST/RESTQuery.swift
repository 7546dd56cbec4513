/// Query parameters read the way Kubernetes' parameter codec reads them; parameters it does not know are
/// ignored.
struct RESTQuery {
    let request: RESTRequest

    func string(_ name: String) -> String { request.queryValue(name) ?? "" }

    /// Kubernetes' rule: absent is false; `0` and `false` (any case) are false; anything else is true.
    func bool(_ name: String) -> Bool? {
        guard let value = request.queryValue(name) else { return nil }
        return !(value == "0" || value.lowercased() == "false")
    }

    func int64(_ name: String) throws(APIError) -> Int64? {
        guard let raw = request.queryValue(name) else { return nil }
        let value = raw.trimmed(of: " \t")
        if value.isEmpty { return nil }
        guard let number = Int64(value) else {
            throw APIError.badRequest(
                "invalid value for query parameter \(name): strconv.ParseInt: parsing "
                    + "\"\(raw)\": invalid syntax")
        }
        return number
    }

    var isWatch: Bool { bool("watch") ?? false }

    func resourceVersionMatch() throws(APIError) -> ResourceVersionMatch? {
        let raw = string("resourceVersionMatch")
        if raw.isEmpty { return nil }
        guard let match = ResourceVersionMatch(rawValue: raw) else {
            throw APIError.badRequest(
                "resourceVersionMatch: Unsupported value: \"\(raw)\": supported values: "
                    + "\"Exact\", \"NotOlderThan\"")
        }
        return match
    }

    func listOptions() throws(APIError) -> ListOptions {
        let limit = try int64("limit") ?? 0
        guard let limitValue = Int(exactly: limit) else { throw APIError.badRequest("limit is out of range") }
        return ListOptions(
            labelSelector: string("labelSelector"), fieldSelector: string("fieldSelector"),
            limit: limitValue, continue: string("continue"), resourceVersion: string("resourceVersion"),
            resourceVersionMatch: try resourceVersionMatch())
    }

    func watchOptions() throws(APIError) -> WatchOptions {
        let timeout = try int64("timeoutSeconds")
        return WatchOptions(
            labelSelector: string("labelSelector"), fieldSelector: string("fieldSelector"),
            resourceVersion: string("resourceVersion"), allowWatchBookmarks: bool("allowWatchBookmarks") ?? false,
            sendInitialEvents: bool("sendInitialEvents"), resourceVersionMatch: try resourceVersionMatch(),
            timeoutSeconds: timeout.map { Int(clamping: $0) })
    }

    /// Delete options from the query (used when the request has no body).
    func deleteOptions() throws(APIError) -> DeleteOptions {
        var options = DeleteOptions()
        options.gracePeriodSeconds = try int64("gracePeriodSeconds")
        let policy = string("propagationPolicy")
        if !policy.isEmpty {
            guard let value = PropagationPolicy(rawValue: policy) else {
                throw Self.invalidPropagationPolicy(policy)
            }
            options.propagationPolicy = value
        }
        options.orphanDependents = bool("orphanDependents")
        let dryRun = request.queryValues("dryRun")
        if !dryRun.isEmpty { options.dryRun = dryRun }
        return options
    }

    static func invalidPropagationPolicy(_ value: String) -> APIError {
        APIError.invalid(
            kind: "DeleteOptions", group: "meta.k8s.io", name: "",
            errors: [
                .notSupported(
                    "propagationPolicy", value: "\"\(value)\"",
                    supported: ["Foreground", "Background", "Orphan"])
            ])
    }

    /// User, dry run, field manager and field validation (default `Warn`, as the Kubernetes server does).
    func context(user: UserInfo) throws(APIError) -> RequestContext {
        var dryRun = false
        for value in request.queryValues("dryRun") {
            guard value == "All" else {
                throw APIError.badRequest("dryRun: Unsupported value: \"\(value)\": supported values: \"All\"")
            }
            dryRun = true
        }
        let manager = string("fieldManager")
        if manager.utf8.count > 128 {
            throw APIError.badRequest("fieldManager: Too long: may not be more than 128 bytes")
        }
        let validation: RequestContext.FieldValidation
        switch string("fieldValidation") {
        case "": validation = .warn
        case let raw:
            guard let value = RequestContext.FieldValidation(rawValue: raw) else {
                throw APIError.badRequest(
                    "fieldValidation: Unsupported value: \"\(raw)\": supported values: "
                        + "\"Ignore\", \"Strict\", \"Warn\"")
            }
            validation = value
        }
        return RequestContext(user: user, dryRun: dryRun, fieldManager: manager, fieldValidation: validation)
    }
}
