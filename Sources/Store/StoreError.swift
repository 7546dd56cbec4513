/// Why the store refused a request. Codes are etcd's error classes; a refused request changes
/// nothing.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: Hashable, Sendable {
            case invalidArgument
            case emptyKey
            case keyTooLarge
            case requestTooLarge
            case tooManyOperations
            case duplicateKey
            case keyNotFound
            case compacted
            case futureRevision
            case leaseNotFound
            case leaseExists
            case leaseTTLTooLarge
            case notLeader
            case unavailable
            case timeout
            case corrupt
            case shuttingDown
        }

        let base: Base

        /// A malformed request (for example a range end before its key).
        public static let invalidArgument = Code(base: .invalidArgument)
        /// "etcdserver: key is not provided".
        public static let emptyKey = Code(base: .emptyKey)
        public static let keyTooLarge = Code(base: .keyTooLarge)
        /// "etcdserver: request is too large".
        public static let requestTooLarge = Code(base: .requestTooLarge)
        /// "etcdserver: too many operations in txn request".
        public static let tooManyOperations = Code(base: .tooManyOperations)
        /// "etcdserver: duplicate key given in txn request".
        public static let duplicateKey = Code(base: .duplicateKey)
        /// "etcdserver: key not found" (put with ignoreValue or ignoreLease on a missing key).
        public static let keyNotFound = Code(base: .keyNotFound)
        /// "mvcc: required revision has been compacted"; ``StoreError/compactRevision`` says where.
        public static let compacted = Code(base: .compacted)
        /// "mvcc: required revision is a future revision".
        public static let futureRevision = Code(base: .futureRevision)
        /// "etcdserver: requested lease not found".
        public static let leaseNotFound = Code(base: .leaseNotFound)
        /// "etcdserver: lease already exists".
        public static let leaseExists = Code(base: .leaseExists)
        /// "etcdserver: too large lease TTL".
        public static let leaseTTLTooLarge = Code(base: .leaseTTLTooLarge)
        /// This member cannot serve the request; ``StoreError/leaderHint`` names the leader if known.
        public static let notLeader = Code(base: .notLeader)
        /// No quorum, or the member is not ready.
        public static let unavailable = Code(base: .unavailable)
        /// The request may or may not have been applied.
        public static let timeout = Code(base: .timeout)
        /// Stored data failed a check.
        public static let corrupt = Code(base: .corrupt)
        public static let shuttingDown = Code(base: .shuttingDown)

        public var description: String { String(describing: base) }
    }

    public var code: Code
    public var message: String
    /// For ``Code/compacted``: the store's compact revision (history before it is gone).
    public var compactRevision: Int64
    /// For ``Code/notLeader``: the leader's member ID, 0 if unknown.
    public var leaderHint: UInt64

    public init(_ code: Code, _ message: String, compactRevision: Int64 = 0, leaderHint: UInt64 = 0) {
        self.code = code
        self.message = message
        self.compactRevision = compactRevision
        self.leaderHint = leaderHint
    }

    public var description: String { "\(code): \(message)" }

    static func compacted(_ compactRevision: Int64) -> StoreError {
        StoreError(.compacted, "mvcc: required revision has been compacted", compactRevision: compactRevision)
    }

    static let futureRevision = StoreError(.futureRevision, "mvcc: required revision is a future revision")
    static let emptyKey = StoreError(.emptyKey, "etcdserver: key is not provided")
}
