/// A scheduling failure that is not a pod simply not fitting: a bad profile, a plugin error, a binding
/// that failed.
public struct SchedulingError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        public static let invalidProfile = Code(name: "invalidProfile")
        public static let pluginFailed = Code(name: "pluginFailed")
        public static let noNodes = Code(name: "noNodes")
        public static let bindingFailed = Code(name: "bindingFailed")
        public static let unknownProfile = Code(name: "unknownProfile")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
