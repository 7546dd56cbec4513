import APIMachinery
import Raft
import Reconcile
import Testing
import TestSupport

@Suite("LeaderElectionConfig", .timeLimit(.minutes(2)))
struct LeaderElectionConfigTests {
    static func config(_ change: (inout LeaderElectionConfig) -> Void) -> LeaderElectionConfig {
        var config = LeaderElectionConfig(leaseName: "controller", leaseNamespace: "kube-system", identity: "a")
        change(&config)
        return config
    }

    @Test("Kubernetes' defaults are valid")
    func defaults() throws {
        let config = Self.config { _ in }
        #expect(config.leaseDuration == .seconds(15))
        #expect(config.renewDeadline == .seconds(10))
        #expect(config.retryPeriod == .seconds(2))
        #expect(config.releaseOnCancel)
        #expect(config.jitterFactor == 1.2)
        try config.validate()
    }

    static let invalid: [(String, LeaderElectionConfig)] = [
        ("leaseName must not be empty", config { $0.leaseName = "" }),
        ("leaseNamespace must not be empty", config { $0.leaseNamespace = "" }),
        ("identity must not be empty", config { $0.identity = "" }),
        ("retryPeriod must be greater than zero", config { $0.retryPeriod = .zero }),
        ("leaseDuration must be at least one second", config { $0.leaseDuration = .milliseconds(900) }),
        ("leaseDuration must be greater than renewDeadline", config { $0.renewDeadline = .seconds(15) }),
        ("leaseDuration must be greater than renewDeadline", config { $0.leaseDuration = .seconds(9) }),
        // 10 s is not more than 1.2 × 9 s, and exactly 1.2 × retry is not enough either.
        ("renewDeadline must be greater than retryPeriod*1.2", config { $0.retryPeriod = .seconds(9) }),
        (
            "renewDeadline must be greater than retryPeriod*1.2",
            config {
                $0.renewDeadline = .seconds(12)
                $0.retryPeriod = .seconds(10)
            }
        ),
        ("jitterFactor must be a finite number", config { $0.jitterFactor = -0.5 }),
        ("jitterFactor must be a finite number", config { $0.jitterFactor = .infinity }),
    ]

    @Test("invalid configurations are refused with a typed error", arguments: invalid)
    func invalidConfiguration(_ expected: String, _ config: LeaderElectionConfig) async throws {
        do {
            try config.validate()
            Issue.record("accepted: \(expected)")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.hasPrefix(expected), "\(error.message)")
        }
        try await withTestServer { server, _ -> Void in
            #expect(throws: LeaderElectionError.self) {
                _ = try LeaderElector(client: server.client(), config: config, clock: ManualClock())
            }
        }
    }

    @Test("tight but valid timings are accepted")
    func boundaries() throws {
        try Self.config {
            $0.leaseDuration = .seconds(1)
            $0.renewDeadline = .milliseconds(999)
            $0.retryPeriod = .milliseconds(800)
        }.validate()
        try Self.config { $0.jitterFactor = 0 }.validate()
    }
}
