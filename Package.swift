// swift-tools-version: 6.1
import PackageDescription

// swift-control-plane has no package dependencies, by design: embedders get the whole
// control plane from the toolchain alone. Nested packages (Examples/*, Benchmarks/) may
// depend on others and reference this one by path.

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "swift-control-plane",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Raft", targets: ["Raft"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "APIMachinery", targets: ["APIMachinery"]),
        .library(name: "Informers", targets: ["Informers"]),
        .library(name: "Reconcile", targets: ["Reconcile"]),
        .library(name: "Scheduling", targets: ["Scheduling"]),
        .executable(name: "control-plane-demo", targets: ["ControlPlaneDemo"]),
        .executable(name: "raft-member", targets: ["RaftMember"]),
        .executable(name: "store-member", targets: ["StoreMember"]),
    ],
    targets: [
        .target(name: "Raft", swiftSettings: strictSettings),
        .target(name: "Store", dependencies: ["Raft"], swiftSettings: strictSettings),
        .target(name: "APIMachinery", dependencies: ["Store"], swiftSettings: strictSettings),
        .target(name: "Informers", dependencies: ["APIMachinery", "Raft"], swiftSettings: strictSettings),
        .target(name: "Reconcile", dependencies: ["Informers", "APIMachinery", "Store", "Raft"], swiftSettings: strictSettings),
        .target(name: "Scheduling", dependencies: ["Informers", "APIMachinery"], swiftSettings: strictSettings),
        .executableTarget(
            name: "ControlPlaneDemo",
            dependencies: ["Raft", "Store", "APIMachinery", "Informers", "Reconcile", "Scheduling"],
            path: "Examples/ControlPlaneDemo",
            swiftSettings: strictSettings
        ),
        // What the member executables share: their command line and line-protocol server.
        .target(name: "MemberSupport", dependencies: ["Raft"], path: "Examples/MemberSupport", swiftSettings: strictSettings),
        // One Raft member per process, for the process-level tests (SIGKILL and restart) and the
        // failover benchmark.
        .executableTarget(
            name: "RaftMember",
            dependencies: ["Raft", "MemberSupport"],
            path: "Examples/RaftMember",
            swiftSettings: strictSettings
        ),
        // One store member per process (embedded, or a replicated member over TCP), for the
        // process-level store tests.
        .executableTarget(
            name: "StoreMember",
            dependencies: ["Store", "Raft", "MemberSupport"],
            path: "Examples/StoreMember",
            swiftSettings: strictSettings
        ),
        // Starts, SIGKILLs and restarts member processes for the process-level tests.
        .target(name: "ProcessHarness", dependencies: ["Raft"], path: "Tests/ProcessHarness", swiftSettings: strictSettings),
        .testTarget(name: "RaftTests", dependencies: ["Raft", "ProcessHarness"], swiftSettings: strictSettings),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "Raft", "ProcessHarness"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "APIMachineryTests",
            dependencies: ["APIMachinery", "Store"],
            swiftSettings: strictSettings
        ),
        // What the Informers and Reconcile tests share: an API server on an in-memory store and a manual clock.
        .target(name: "TestSupport", dependencies: ["APIMachinery", "Store", "Raft"], path: "Tests/TestSupport",
            swiftSettings: strictSettings),
        .testTarget(
            name: "InformersTests",
            dependencies: ["Informers", "APIMachinery", "Store", "Raft", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SchedulingTests",
            dependencies: ["Scheduling", "Reconcile", "Informers", "APIMachinery", "Store", "Raft", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ReconcileTests",
            dependencies: ["Reconcile", "Informers", "APIMachinery", "Store", "Raft", "TestSupport"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
