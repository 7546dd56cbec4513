/// An error from an ``Indexer`` or an informer, identified by an extensible ``Code``.
public struct InformerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let value: String
        public var description: String { value }

        /// A query named an index the indexer does not have.
        public static let unknownIndex = Code(value: "unknownIndex")
        /// ``Indexer/addIndexers(_:)`` named an index that already exists.
        public static let indexExists = Code(value: "indexExists")
        /// ``SharedInformer/run()`` was called on an informer that already runs (or ran).
        public static let alreadyStarted = Code(value: "alreadyStarted")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    public static func unknownIndex(_ name: String) -> InformerError {
        InformerError(.unknownIndex, "index \"\(name)\" does not exist")
    }
}
