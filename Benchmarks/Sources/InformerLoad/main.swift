import APIMachinery
import InformerWorkloads

// A driver for profiling the informer workloads outside the benchmark harness:
//   swift run -c release --package-path Benchmarks informer-load sync [pods]
//   swift run -c release --package-path Benchmarks informer-load dispatch [events]
let arguments = CommandLine.arguments.dropFirst()
let mode = arguments.first ?? "sync"
switch mode {
case "dispatch":
    let events = arguments.dropFirst().first.flatMap(Int.init) ?? 1_000_000
    let setup = try await DispatchLoad.setUp()
    _ = try await setup.run(events: 20_000)  // warm up
    let elapsed = try await setup.run(events: events)
    print("Informers.Dispatch: \(events) events to \(DispatchLoad.handlers) handlers in \(elapsed / 1_000_000) ms, "
        + "\(Int(Double(events) / (Double(elapsed) / 1e9)))/s")
    await setup.stop()
default:
    let pods = arguments.dropFirst().first.flatMap(Int.init) ?? 100_000
    let fixture = try await InformerFixture.start()
    let clock = ContinuousClock()
    let start = clock.now
    let json = try await fixture.populatePods(pods)
    print("populated \(pods) Pods (\(json) bytes of JSON) in \(clock.now - start)")
    try await InitialSyncLoad.warmServerCache(fixture)
    for _ in 0..<3 {
        let outcome = try await InitialSyncLoad.run(fixture)
        // The first sync's growth is the informer's memory; later ones reuse what the previous informer freed.
        print("Informers.InitialSync: \(outcome.cached) Pods in \(outcome.nanoseconds / 1_000_000) ms, resident growth "
            + "\(outcome.residentGrowth / 1_048_576) MiB = \(Double(outcome.residentGrowth) / Double(json)) × JSON")
    }
    await fixture.stop()
}
