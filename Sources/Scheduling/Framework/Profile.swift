/// One scheduler profile: the name pods ask for in `spec.schedulerName`, its plugins (in order; a plugin
/// takes part in every extension point whose protocol it adopts) and score weights.
public struct Profile: Sendable {
    public var schedulerName: String
    public var plugins: [any SchedulerPlugin]
    /// Score weight per plugin name; a score plugin not named here weighs 1.
    public var scoreWeights: [String: Int64]
    /// Overrides the scheduler-wide ``SchedulerOptions/percentageOfNodesToScore`` for this profile.
    public var percentageOfNodesToScore: Int?

    public init(
        schedulerName: String, plugins: [any SchedulerPlugin], scoreWeights: [String: Int64] = [:],
        percentageOfNodesToScore: Int? = nil
    ) {
        self.schedulerName = schedulerName
        self.plugins = plugins
        self.scoreWeights = scoreWeights
        self.percentageOfNodesToScore = percentageOfNodesToScore
    }

    /// kube-scheduler's default scheduler name.
    public static let defaultSchedulerName = "default-scheduler"
}
