import APIMachinery
import APIWorkloads

// A driver for profiling the API workloads outside the benchmark harness:
//   swift run -c release --package-path Benchmarks api-load create [total]
//   swift run -c release --package-path Benchmarks api-load list [lists]
let arguments = CommandLine.arguments.dropFirst()
let mode = arguments.first ?? "create"
let count = arguments.dropFirst().first.flatMap(Int.init) ?? 100_000
let fixture = try await APIFixture.start()
let clock = ContinuousClock()
switch mode {
case "list":
    try await ListSelectorLoad.populate(fixture)
    _ = try await ListSelectorLoad.list(fixture)
    let start = clock.now
    for _ in 0..<count { _ = try await ListSelectorLoad.list(fixture) }
    let elapsed = clock.now - start
    print("API.ListSelector: \(count) lists, \(elapsed / count) per list")
default:
    let start = clock.now
    let outcome = await CreateLoad.run(fixture, total: count, clients: 64)
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print("API.Create: \(count - outcome.failures) creates in \(elapsed), \(Int(Double(count) / seconds))/s, "
        + "p50 \(CreateLoad.percentile(outcome.latencies, 0.5) / 1000) µs, "
        + "p99 \(CreateLoad.percentile(outcome.latencies, 0.99) / 1000) µs, failures \(outcome.failures)")
}
await fixture.stop()
