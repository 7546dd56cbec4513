extension EndpointSlice {
    /// One backend of a service.
    public struct Endpoint: Sendable, Hashable, Codable {
        public var addresses: [String]?
        public var conditions: EndpointConditions?
        public var hostname: String?
        public var targetRef: ObjectReference?
        public var deprecatedTopology: [String: String]?
        public var nodeName: String?
        public var zone: String?
        public var hints: EndpointHints?

        public init(
            addresses: [String]? = nil, conditions: EndpointConditions? = nil, hostname: String? = nil,
            targetRef: ObjectReference? = nil, deprecatedTopology: [String: String]? = nil, nodeName: String? = nil,
            zone: String? = nil, hints: EndpointHints? = nil
        ) {
            self.addresses = addresses
            self.conditions = conditions
            self.hostname = hostname
            self.targetRef = targetRef
            self.deprecatedTopology = deprecatedTopology
            self.nodeName = nodeName
            self.zone = zone
            self.hints = hints
        }
    }

    /// Whether an endpoint is ready, serving and terminating (unset ready/serving mean true).
    public struct EndpointConditions: Sendable, Hashable, Codable {
        public var ready: Bool?
        public var serving: Bool?
        public var terminating: Bool?

        public init(ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil) {
            self.ready = ready
            self.serving = serving
            self.terminating = terminating
        }
    }

    /// Topology-aware routing hints.
    public struct EndpointHints: Sendable, Hashable, Codable {
        public var forZones: [ForZone]?
        public var forNodes: [ForNode]?

        public init(forZones: [ForZone]? = nil, forNodes: [ForNode]? = nil) {
            self.forZones = forZones
            self.forNodes = forNodes
        }
    }

    /// A zone that should consume an endpoint.
    public struct ForZone: Sendable, Hashable, Codable {
        public var name: String?

        public init(name: String? = nil) {
            self.name = name
        }
    }

    /// A node that should consume an endpoint.
    public struct ForNode: Sendable, Hashable, Codable {
        public var name: String?

        public init(name: String? = nil) {
            self.name = name
        }
    }

    /// One port of every endpoint in the slice.
    public struct EndpointPort: Sendable, Hashable, Codable {
        public var name: String?
        public var `protocol`: String?
        public var port: Int32?
        public var appProtocol: String?

        public init(name: String? = nil, protocol: String? = nil, port: Int32? = nil, appProtocol: String? = nil) {
            self.name = name
            self.protocol = `protocol`
            self.port = port
            self.appProtocol = appProtocol
        }
    }
}
