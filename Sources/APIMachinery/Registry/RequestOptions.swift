/// Who is asking and how strictly: the part of a request every operation shares.
public struct RequestContext: Sendable, Hashable {
    public var user: UserInfo
    /// When true, everything runs (admission, validation) but nothing is written.
    public var dryRun: Bool
    /// The actor recorded in `managedFields` (`kubectl`, a controller's name…).
    public var fieldManager: String
    /// What to do with unknown or duplicate fields in a request body.
    public var fieldValidation: FieldValidation

    public init(
        user: UserInfo, dryRun: Bool = false, fieldManager: String = "", fieldValidation: FieldValidation = .strict
    ) {
        self.user = user
        self.dryRun = dryRun
        self.fieldManager = fieldManager
        self.fieldValidation = fieldValidation
    }

    /// `fieldValidation` query values, like Kubernetes.
    public enum FieldValidation: String, Sendable, Hashable {
        /// Unknown fields are an error (400 BadRequest naming them).
        case strict = "Strict"
        /// Unknown fields are dropped, with a warning.
        case warn = "Warn"
        /// Unknown fields are dropped silently.
        case ignore = "Ignore"
    }
}

/// How a list chooses its snapshot.
public enum ResourceVersionMatch: String, Sendable, Hashable {
    /// Any state at least as new as the given resourceVersion (the default for a given resourceVersion).
    case notOlderThan = "NotOlderThan"
    /// Exactly the state at the given resourceVersion (410 Expired if compacted).
    case exact = "Exact"
}

/// Options of list (and the list half of a watch).
public struct ListOptions: Sendable, Hashable {
    public var labelSelector: String
    public var fieldSelector: String
    /// Maximum number of items per page; 0 for all.
    public var limit: Int
    /// The token from the previous page.
    public var `continue`: String
    /// Unset: the most recent state (a consistent read). `"0"`: any recent state. `N`: see ``resourceVersionMatch``.
    public var resourceVersion: String
    public var resourceVersionMatch: ResourceVersionMatch?

    public init(
        labelSelector: String = "", fieldSelector: String = "", limit: Int = 0, continue: String = "",
        resourceVersion: String = "", resourceVersionMatch: ResourceVersionMatch? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continue = `continue`
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
    }
}

/// Options of watch.
public struct WatchOptions: Sendable, Hashable {
    public var labelSelector: String
    public var fieldSelector: String
    /// Unset or `"0"`: start with synthetic ADDED events for the current state. `N`: every change after N.
    public var resourceVersion: String
    /// Whether BOOKMARK events may be sent.
    public var allowWatchBookmarks: Bool
    /// Send the current state first and end it with a bookmark annotated `k8s.io/initial-events-end`.
    /// Requires ``allowWatchBookmarks`` and `resourceVersionMatch=NotOlderThan`, as in Kubernetes.
    public var sendInitialEvents: Bool?
    public var resourceVersionMatch: ResourceVersionMatch?
    /// Ends the watch after this many seconds (nil: no limit).
    public var timeoutSeconds: Int?

    public init(
        labelSelector: String = "", fieldSelector: String = "", resourceVersion: String = "",
        allowWatchBookmarks: Bool = false, sendInitialEvents: Bool? = nil,
        resourceVersionMatch: ResourceVersionMatch? = nil, timeoutSeconds: Int? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.sendInitialEvents = sendInitialEvents
        self.resourceVersionMatch = resourceVersionMatch
        self.timeoutSeconds = timeoutSeconds
    }
}

/// What happens to an object's dependents when it is deleted.
public enum PropagationPolicy: String, Sendable, Hashable, Codable {
    /// Dependents are kept; their owner references are removed (finalizer `orphan`).
    case orphan = "Orphan"
    /// The object goes now; the garbage collector deletes dependents afterwards.
    case background = "Background"
    /// The object stays (finalizer `foregroundDeletion`) until its blocking dependents are gone.
    case foreground = "Foreground"
}

/// Conditions a delete must meet.
public struct Preconditions: Sendable, Hashable, Codable {
    public var uid: String?
    public var resourceVersion: String?

    public init(uid: String? = nil, resourceVersion: String? = nil) {
        self.uid = uid
        self.resourceVersion = resourceVersion
    }
}

/// Options of delete (`meta/v1 DeleteOptions`).
public struct DeleteOptions: Sendable, Hashable, Codable {
    public var gracePeriodSeconds: Int64?
    public var preconditions: Preconditions?
    public var propagationPolicy: PropagationPolicy?
    /// Deprecated predecessor of ``propagationPolicy``: `false` means Orphan.
    public var orphanDependents: Bool?
    public var dryRun: [String]?

    public init(
        gracePeriodSeconds: Int64? = nil, preconditions: Preconditions? = nil,
        propagationPolicy: PropagationPolicy? = nil, orphanDependents: Bool? = nil, dryRun: [String]? = nil
    ) {
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditions = preconditions
        self.propagationPolicy = propagationPolicy
        self.orphanDependents = orphanDependents
        self.dryRun = dryRun
    }
}

/// The patch formats, by content type.
public enum PatchType: String, Sendable, Hashable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategicMerge = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"
}
