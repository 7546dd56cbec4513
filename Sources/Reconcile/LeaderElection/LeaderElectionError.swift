/// Why a leader elector could not be built or started.
public struct LeaderElectionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; new codes may be added, so match the ones you handle and treat others alike.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The ``LeaderElectionConfig`` breaks one of its rules (see ``LeaderElectionConfig/validate()``).
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// ``LeaderElector/run(lead:onStoppedLeading:onNewLeader:)`` was called while a run was in progress.
        public static let alreadyRunning = Code("alreadyRunning")
    }

    public var code: Code
    /// What went wrong, for people.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func invalid(_ message: String) -> LeaderElectionError {
        LeaderElectionError(code: .invalidConfiguration, message: message)
    }
}
