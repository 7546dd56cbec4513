/// JSON Patch (RFC 6902), `application/json-patch+json`: an array of `add`, `remove`, `replace`, `move`,
/// `copy` and `test` operations addressed by JSON Pointers (RFC 6901).
///
/// The whole patch document is validated before any operation runs, and the operations apply to a copy:
/// when one fails nothing is applied. Like the Kubernetes API server, a patch of more than
/// ``maximumOperations`` operations, or whose `copy` operations add more than ``maximumCopyBytes`` bytes of
/// JSON, is refused (``PatchError/Code/tooLarge``).
///
/// Deliberately strict where evanphx/json-patch v4 (which Kubernetes uses) is lenient: negative array indices
/// and indices with leading zeros are refused, and `replace` of a missing member fails (RFC 6902 4.3).
public enum JSONPatch {
    /// The most operations one patch may hold (Kubernetes' `maxJSONPatchOperations`).
    public static let maximumOperations = 10_000
    /// The most bytes of JSON the `copy` operations of one patch may add (the API server's
    /// `JSONPatchMaxCopyBytes`, 3 MiB).
    public static let maximumCopyBytes = 3 * 1024 * 1024

    /// Applies a JSON Patch.
    ///
    /// - Parameters:
    ///   - patch: The patch document: an array of operation objects.
    ///   - document: The document patched.
    /// - Returns: The patched document.
    /// - Throws: ``PatchError`` with ``PatchError/Code/invalidPatch`` for a malformed patch,
    ///   ``PatchError/Code/pathNotFound`` for a location that does not exist, ``PatchError/Code/testFailed``
    ///   for a failed `test` and ``PatchError/Code/tooLarge`` past the limits; it names the operation index
    ///   and path.
    public static func apply(_ patch: JSONValue, to document: JSONValue) throws(PatchError) -> JSONValue {
        let operations = try decode(patch)
        var document = document
        var copiedBytes = 0
        for (index, operation) in operations.enumerated() {
            do throws(PatchError) {
                try operation.apply(to: &document, copiedBytes: &copiedBytes)
            } catch {
                var failure = error
                failure.operationIndex = index
                if failure.path == nil { failure.path = operation.path.description }
                throw failure
            }
        }
        return document
    }

    /// Decodes and validates a patch document.
    static func decode(_ patch: JSONValue) throws(PatchError) -> [Operation] {
        guard case .array(let elements) = patch else {
            throw .invalidPatch("a JSON patch must be an array of operations, not a \(patch.typeName)")
        }
        guard elements.count <= maximumOperations else {
            throw PatchError(
                code: .tooLarge,
                message: "the allowed maximum operations in a JSON patch is \(maximumOperations), got \(elements.count)"
            )
        }
        var operations: [Operation] = []
        operations.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            do throws(PatchError) {
                operations.append(try Operation(element))
            } catch {
                var failure = error
                failure.operationIndex = index
                throw failure
            }
        }
        return operations
    }
}

extension JSONPatch {
    /// One decoded JSON Patch operation.
    struct Operation: Sendable {
        enum Kind: String, Sendable {
            case add, remove, replace, move, copy, test
        }

        var kind: Kind
        var path: Pointer
        var from: Pointer?
        var value: JSONValue?

        init(_ element: JSONValue) throws(PatchError) {
            guard case .object(let object) = element else {
                throw .invalidPatch("an operation must be an object, not a \(element.typeName)")
            }
            guard let opValue = object["op"] else { throw .invalidPatch("missing 'op' member") }
            guard case .string(let op) = opValue else { throw .invalidPatch("'op' must be a string") }
            let pathText = object["path"]?.stringValue
            guard let kind = Kind(rawValue: op) else {
                throw .invalidPatch("unknown op \"\(op)\"", path: pathText)
            }
            guard let pathValue = object["path"] else { throw .invalidPatch("missing 'path' member of \(op)") }
            guard let pathText else {
                throw .invalidPatch("'path' of \(op) must be a string, not \(pathValue.typeName)")
            }
            guard let path = Pointer(pathText) else {
                throw .invalidPatch("'path' of \(op) is not a valid JSON pointer", path: pathText)
            }
            self.kind = kind
            self.path = path
            switch kind {
            case .add, .replace, .test:
                guard let value = object["value"] else {
                    throw .invalidPatch("missing 'value' member of \(op)", path: pathText)
                }
                self.value = value
            case .move, .copy:
                guard let fromValue = object["from"] else {
                    throw .invalidPatch("missing 'from' member of \(op)", path: pathText)
                }
                guard case .string(let fromText) = fromValue else {
                    throw .invalidPatch("'from' of \(op) must be a string, not \(fromValue.typeName)", path: pathText)
                }
                guard let from = Pointer(fromText) else {
                    throw .invalidPatch("'from' of \(op) (\"\(fromText)\") is not a valid JSON pointer", path: pathText)
                }
                if kind == .move, from.isProperPrefix(of: path) {
                    throw .invalidPatch("cannot move \"\(fromText)\" into one of its own children", path: pathText)
                }
                self.from = from
            case .remove:
                break
            }
        }

        func apply(to document: inout JSONValue, copiedBytes: inout Int) throws(PatchError) {
            switch kind {
            case .add:
                try Self.add(value!, at: path, in: &document)
            case .remove:
                _ = try Self.remove(at: path, in: &document)
            case .replace:
                try Self.replace(at: path, with: value!, in: &document)
            case .move:
                let from = from!
                let moved = try Self.value(at: from, in: document)
                guard from != path else { return }
                _ = try Self.remove(at: from, in: &document)
                try Self.add(moved, at: path, in: &document)
            case .copy:
                let copied = try Self.value(at: from!, in: document)
                copiedBytes += copied.serialized().count
                if copiedBytes > JSONPatch.maximumCopyBytes {
                    throw PatchError(
                        code: .tooLarge,
                        message: "copy operations add \(copiedBytes) bytes, more than the "
                            + "\(JSONPatch.maximumCopyBytes) allowed"
                    )
                }
                try Self.add(copied, at: path, in: &document)
            case .test:
                let actual = try Self.value(at: path, in: document)
                guard actual == value! else {
                    throw PatchError(code: .testFailed, message: "test failed: the value is \(actual.jsonString)")
                }
            }
        }

        // MARK: - Pointer evaluation

        /// The value a pointer designates.
        static func value(at pointer: Pointer, in document: JSONValue) throws(PatchError) -> JSONValue {
            var current = document
            for token in pointer.tokens {
                current = try child(of: current, token, pointer)
            }
            return current
        }

        static func child(of value: JSONValue, _ token: String, _ pointer: Pointer) throws(PatchError) -> JSONValue {
            switch value {
            case .object(let object):
                guard let member = object[token] else { throw notFound("member \"\(token)\" does not exist", pointer) }
                return member
            case .array(let array):
                let index = try existingIndex(token, in: array, pointer)
                return array[index]
            default:
                throw notFound("cannot look up \"\(token)\" in a \(value.typeName)", pointer)
            }
        }

        static func existingIndex(_ token: String, in array: [JSONValue], _ pointer: Pointer) throws(PatchError) -> Int
        {
            guard let index = Pointer.arrayIndex(token) else {
                throw notFound("\"\(token)\" is not a valid array index", pointer)
            }
            guard index < array.count else {
                throw notFound("index \(index) is out of range (the array has \(array.count) elements)", pointer)
            }
            return index
        }

        static func notFound(_ message: String, _ pointer: Pointer) -> PatchError {
            .pathNotFound(message, path: pointer.description)
        }

        /// Runs `body` on the container holding the pointer's last token (in place), with that token.
        static func modifyParent(
            of pointer: Pointer, in document: inout JSONValue,
            _ body: (inout JSONValue, String) throws(PatchError) -> Void
        ) throws(PatchError) {
            try modify(&document, pointer.tokens[...], pointer, body)
        }

        private static func modify(
            _ value: inout JSONValue, _ tokens: ArraySlice<String>, _ pointer: Pointer,
            _ body: (inout JSONValue, String) throws(PatchError) -> Void
        ) throws(PatchError) {
            let token = tokens.first!
            if tokens.count == 1 {
                try body(&value, token)
                return
            }
            switch value {
            case .object(var object):
                guard var member = object[token] else { throw notFound("member \"\(token)\" does not exist", pointer) }
                value = .null  // keep the containers uniquely referenced while descending
                object[token] = .null
                try modify(&member, tokens.dropFirst(), pointer, body)
                object[token] = member
                value = .object(object)
            case .array(var array):
                let index = try existingIndex(token, in: array, pointer)
                value = .null
                var element = array[index]
                array[index] = .null
                try modify(&element, tokens.dropFirst(), pointer, body)
                array[index] = element
                value = .array(array)
            default:
                throw notFound("cannot look up \"\(token)\" in a \(value.typeName)", pointer)
            }
        }

        static func add(_ newValue: JSONValue, at pointer: Pointer, in document: inout JSONValue) throws(PatchError) {
            guard !pointer.tokens.isEmpty else {
                document = newValue
                return
            }
            try modifyParent(of: pointer, in: &document) {
                (parent: inout JSONValue, token: String) throws(PatchError) in
                switch parent {
                case .object(var object):
                    parent = .null
                    object[token] = newValue
                    parent = .object(object)
                case .array(var array):
                    let index: Int
                    if token == "-" {
                        index = array.count
                    } else {
                        guard let parsed = Pointer.arrayIndex(token) else {
                            throw notFound("\"\(token)\" is not a valid array index", pointer)
                        }
                        guard parsed <= array.count else {
                            throw notFound(
                                "index \(parsed) is out of range (the array has \(array.count) elements)", pointer)
                        }
                        index = parsed
                    }
                    parent = .null
                    array.insert(newValue, at: index)
                    parent = .array(array)
                default:
                    throw notFound("cannot add a member to a \(parent.typeName)", pointer)
                }
            }
        }

        static func remove(at pointer: Pointer, in document: inout JSONValue) throws(PatchError) -> JSONValue {
            guard !pointer.tokens.isEmpty else {
                defer { document = .null }
                return document
            }
            var removed = JSONValue.null
            try modifyParent(of: pointer, in: &document) {
                (parent: inout JSONValue, token: String) throws(PatchError) in
                switch parent {
                case .object(var object):
                    guard let member = object[token] else {
                        throw notFound("member \"\(token)\" does not exist", pointer)
                    }
                    removed = member
                    parent = .null
                    object[token] = nil
                    parent = .object(object)
                case .array(var array):
                    let index = try existingIndex(token, in: array, pointer)
                    parent = .null
                    removed = array.remove(at: index)
                    parent = .array(array)
                default:
                    throw notFound("cannot remove \"\(token)\" from a \(parent.typeName)", pointer)
                }
            }
            return removed
        }

        static func replace(at pointer: Pointer, with newValue: JSONValue, in document: inout JSONValue)
            throws(PatchError)
        {
            guard !pointer.tokens.isEmpty else {
                document = newValue
                return
            }
            try modifyParent(of: pointer, in: &document) {
                (parent: inout JSONValue, token: String) throws(PatchError) in
                switch parent {
                case .object(var object):
                    guard object[token] != nil else { throw notFound("member \"\(token)\" does not exist", pointer) }
                    parent = .null
                    object[token] = newValue
                    parent = .object(object)
                case .array(var array):
                    let index = try existingIndex(token, in: array, pointer)
                    parent = .null
                    array[index] = newValue
                    parent = .array(array)
                default:
                    throw notFound("cannot replace \"\(token)\" in a \(parent.typeName)", pointer)
                }
            }
        }
    }
}
