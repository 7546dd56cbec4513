/// Why a patch could not be applied: a JSON Patch (RFC 6902), JSON merge patch (RFC 7386) or
/// Kubernetes strategic merge patch.
///
/// The ``code`` says what kind of failure it is (the REST layer maps it to a `Status`); the message names
/// the operation index and path where there is one.
public struct PatchError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New kinds may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case invalidPatch
            case invalidDocument
            case pathNotFound
            case testFailed
            case tooLarge
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        public var description: String { kind.rawValue }

        /// The patch itself is malformed, whatever it is applied to: not a JSON array of operation objects, an
        /// operation missing `op`, `path`, `value` or `from`, an unknown `op`, a malformed JSON Pointer, a `move`
        /// into its own child, an unknown or malformed strategic-merge directive, a list element without its merge
        /// key. Kubernetes answers 400 Bad Request for most of these (422 for JSON Patch operations it decodes
        /// lazily).
        public static let invalidPatch = Code(.invalidPatch)
        /// The document patched is not of a shape the patch type accepts (a strategic merge patch applied to
        /// something other than an object, a list of lists, list elements of mixed types).
        public static let invalidDocument = Code(.invalidDocument)
        /// A `path` or `from` location does not exist in the document (a missing member, an index out of range
        /// or not a valid array index, a path through a scalar). Kubernetes answers 422.
        public static let pathNotFound = Code(.pathNotFound)
        /// A JSON Patch `test` operation found a different value. Kubernetes answers 422.
        public static let testFailed = Code(.testFailed)
        /// The patch exceeds a limit Kubernetes enforces (more than 10,000 JSON Patch operations, or `copy`
        /// operations adding more than 3 MiB). Kubernetes answers 413 Request Entity Too Large.
        public static let tooLarge = Code(.tooLarge)
    }

    /// The kind of failure.
    public var code: Code
    /// What went wrong, in words (without the operation index and path, which ``description`` adds).
    public var message: String
    /// The index of the failed JSON Patch operation, when there is one.
    public var operationIndex: Int?
    /// The JSON Pointer (JSON Patch) or dotted field path (strategic merge patch) where it failed.
    public var path: String?

    public init(code: Code, message: String, operationIndex: Int? = nil, path: String? = nil) {
        self.code = code
        self.message = message
        self.operationIndex = operationIndex
        self.path = path
    }

    public var description: String {
        var text = ""
        if let operationIndex { text += "operation \(operationIndex)" }
        if let path {
            text += text.isEmpty ? "" : " "
            text += "at \"\(path)\""
        }
        return text.isEmpty ? message : "\(text): \(message)"
    }

    static func invalidPatch(_ message: String, path: String? = nil) -> PatchError {
        PatchError(code: .invalidPatch, message: message, path: path)
    }

    static func pathNotFound(_ message: String, path: String? = nil) -> PatchError {
        PatchError(code: .pathNotFound, message: message, path: path)
    }

    static func invalidDocument(_ message: String, path: String? = nil) -> PatchError {
        PatchError(code: .invalidDocument, message: message, path: path)
    }
}
