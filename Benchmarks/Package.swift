// swift-tools-version: 6.1
import PackageDescription

// Benchmarks for swift-control-plane, on ordo-one/package-benchmark. Names are part of the spec;
// The malloc interposer is off: none of these metrics count allocations, and it costs ~0.5 µs per
// proposal in Raft.ThreeNodes. Run one with: swift package benchmark --filter '^Raft.OneNode$' --scale
let package = Package(
    name: "swift-control-plane-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-control-plane", path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: []),
    ],
    targets: [
        .executableTarget(
            name: "RaftBenchmarks",
            dependencies: [
                .product(name: "Raft", package: "swift-control-plane"),
                .product(name: "Benchmark", package: "package-benchmark"),
                "RaftWorkloads",
            ],
            path: "Benchmarks/RaftBenchmarks",
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .target(
            name: "RaftWorkloads",
            dependencies: [.product(name: "Raft", package: "swift-control-plane")],
            path: "Sources/RaftWorkloads"
        ),
        .executableTarget(
            name: "raft-load",
            dependencies: [.product(name: "Raft", package: "swift-control-plane"), "RaftWorkloads"],
            path: "Sources/RaftLoad"
        ),
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: [
                .product(name: "Store", package: "swift-control-plane"),
                .product(name: "Benchmark", package: "package-benchmark"),
                "StoreWorkloads",
            ],
            path: "Benchmarks/StoreBenchmarks",
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .target(
            name: "StoreWorkloads",
            dependencies: [.product(name: "Store", package: "swift-control-plane")],
            path: "Sources/StoreWorkloads"
        ),
        .executableTarget(
            name: "store-load",
            dependencies: [.product(name: "Store", package: "swift-control-plane"), "StoreWorkloads"],
            path: "Sources/StoreLoad"
        ),
        .executableTarget(
            name: "APIBenchmarks",
            dependencies: [
                .product(name: "APIMachinery", package: "swift-control-plane"),
                .product(name: "Benchmark", package: "package-benchmark"),
                "APIWorkloads",
            ],
            path: "Benchmarks/APIBenchmarks",
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .target(
            name: "APIWorkloads",
            dependencies: [
                .product(name: "APIMachinery", package: "swift-control-plane"),
                .product(name: "Store", package: "swift-control-plane"),
                "StoreWorkloads",
            ],
            path: "Sources/APIWorkloads"
        ),
        .executableTarget(
            name: "api-load",
            dependencies: [.product(name: "APIMachinery", package: "swift-control-plane"), "APIWorkloads"],
            path: "Sources/APILoad"
        ),
        .executableTarget(
            name: "InformerBenchmarks",
            dependencies: [
                .product(name: "Informers", package: "swift-control-plane"),
                .product(name: "APIMachinery", package: "swift-control-plane"),
                .product(name: "Benchmark", package: "package-benchmark"),
                "InformerWorkloads",
            ],
            path: "Benchmarks/InformerBenchmarks",
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "ReconcileBenchmarks",
            dependencies: [
                .product(name: "Reconcile", package: "swift-control-plane"),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/ReconcileBenchmarks",
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .target(
            name: "InformerWorkloads",
            dependencies: [
                .product(name: "Informers", package: "swift-control-plane"),
                .product(name: "APIMachinery", package: "swift-control-plane"),
                .product(name: "Store", package: "swift-control-plane"),
                "StoreWorkloads",
            ],
            path: "Sources/InformerWorkloads"
        ),
        .executableTarget(
            name: "informer-load",
            dependencies: [.product(name: "APIMachinery", package: "swift-control-plane"), "InformerWorkloads"],
            path: "Sources/InformerLoad"
        ),
        .executableTarget(
            name: "SchedulingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                "SchedulingWorkloads",
            ],
            path: "Benchmarks/SchedulingBenchmarks",
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .target(
            name: "SchedulingWorkloads",
            dependencies: [
                .product(name: "Scheduling", package: "swift-control-plane"),
                .product(name: "APIMachinery", package: "swift-control-plane"),
                .product(name: "Store", package: "swift-control-plane"),
            ],
            path: "Sources/SchedulingWorkloads"
        ),
        .executableTarget(
            name: "scheduling-load",
            dependencies: ["SchedulingWorkloads"],
            path: "Sources/SchedulingLoad"
        ),
    ],
    swiftLanguageModes: [.v6]
)
