/// Where and how a ``LeaderElector`` campaigns: a coordination.k8s.io/v1 `Lease` and the timings of
/// client-go's leader election.
///
/// The timings must satisfy `leaseDuration > renewDeadline > retryPeriod × 1.2` (client-go's jitter factor),
/// so a leader gives up before its lease can expire in the eyes of the other replicas.
public struct LeaderElectionConfig: Sendable {
    /// The Lease's name.
    public var leaseName: String
    /// The Lease's namespace (it must exist; `kube-system` always does).
    public var leaseNamespace: String
    /// This replica's identity, written as the Lease's `holderIdentity`; unique among the candidates.
    public var identity: String
    /// How long other candidates wait, after they last saw the Lease change, before taking it over. Written to
    /// the Lease as whole seconds, so at least one second.
    public var leaseDuration: Duration = .seconds(15)
    /// How long the leader keeps trying to renew before it gives up leadership.
    public var renewDeadline: Duration = .seconds(10)
    /// The interval between attempts to acquire or renew.
    public var retryPeriod: Duration = .seconds(2)
    /// On a graceful stop (cancellation, or `lead` finishing), write an empty holder so another replica takes
    /// over at its next attempt instead of waiting for the lease to expire.
    public var releaseOnCancel: Bool = true
    /// Candidates wait `retryPeriod × (1 + r × jitterFactor)` between acquire attempts, `r` uniform in [0, 1),
    /// so replicas started together do not retry in lockstep (client-go's `wait.JitterUntil`). Zero disables it.
    public var jitterFactor: Double = 1.2
    /// The seed of the jitter's generator, so a run's timings reproduce; nil picks a random seed.
    public var jitterSeed: UInt64? = nil

    /// client-go's `JitterFactor`, which the renew deadline must leave room for.
    static let requiredJitterMargin = 1.2

    /// A configuration with Kubernetes' default timings (15 s lease, 10 s renew deadline, 2 s retry period).
    public init(leaseName: String, leaseNamespace: String, identity: String) {
        self.leaseName = leaseName
        self.leaseNamespace = leaseNamespace
        self.identity = identity
    }

    /// Checks the rules client-go's `NewLeaderElector` enforces.
    /// - Throws: ``LeaderElectionError`` with code ``LeaderElectionError/Code/invalidConfiguration``.
    public func validate() throws(LeaderElectionError) {
        if leaseName.isEmpty { throw .invalid("leaseName must not be empty") }
        if leaseNamespace.isEmpty { throw .invalid("leaseNamespace must not be empty") }
        if identity.isEmpty { throw .invalid("identity must not be empty") }
        if retryPeriod <= .zero { throw .invalid("retryPeriod must be greater than zero") }
        if leaseDuration < .seconds(1) {
            throw .invalid("leaseDuration must be at least one second (the Lease stores whole seconds)")
        }
        if leaseDuration <= renewDeadline { throw .invalid("leaseDuration must be greater than renewDeadline") }
        if renewDeadline <= retryPeriod * Self.requiredJitterMargin {
            throw .invalid("renewDeadline must be greater than retryPeriod*1.2")
        }
        if !(jitterFactor >= 0 && jitterFactor.isFinite) {
            throw .invalid("jitterFactor must be a finite number, zero or greater")
        }
    }

    /// The Lease's `leaseDurationSeconds`: whole seconds, truncated like client-go.
    var leaseDurationSeconds: Int32 {
        Int32(clamping: leaseDuration.components.seconds)
    }
}
