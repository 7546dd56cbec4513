/// What a plugin answers: kube-scheduler's `framework.Status`.
public struct PluginStatus: Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        case success
        /// The pod does not fit now; preemption or a cluster change may help.
        case unschedulable
        /// The pod does not fit and preemption cannot help (node affinity, a node name, …).
        case unschedulableAndUnresolvable
        /// Permit: wait for an approval.
        case wait
        /// PreFilter / PreScore: the plugin has nothing to do for this pod; Bind: another binder should.
        case skip
        /// PreEnqueue: the pod is gated.
        case pending
        case error
    }

    public var code: Code
    public var reasons: [String]
    /// The plugin that answered (set by the framework when the plugin leaves it empty).
    public var plugin: String

    public init(_ code: Code, _ reasons: [String] = [], plugin: String = "") {
        self.code = code
        self.reasons = reasons
        self.plugin = plugin
    }

    public init(_ code: Code, _ reason: String, plugin: String = "") {
        self.init(code, [reason], plugin: plugin)
    }

    public static let success = PluginStatus(.success)
    public static let skip = PluginStatus(.skip)

    public var isSuccess: Bool { code == .success }
    public var isRejected: Bool { code == .unschedulable || code == .unschedulableAndUnresolvable || code == .pending }

    /// The reasons joined with ", ".
    public var message: String { reasons.joined(separator: ", ") }

    public var description: String {
        let name: String = switch code {
        case .success: "Success"
        case .unschedulable: "Unschedulable"
        case .unschedulableAndUnresolvable: "UnschedulableAndUnresolvable"
        case .wait: "Wait"
        case .skip: "Skip"
        case .pending: "Pending"
        case .error: "Error"
        }
        return reasons.isEmpty ? name : "\(name): \(message)"
    }

    func with(plugin name: String) -> PluginStatus {
        guard plugin.isEmpty else { return self }
        var copy = self
        copy.plugin = name
        return copy
    }
}
