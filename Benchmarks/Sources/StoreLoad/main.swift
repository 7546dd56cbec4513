// The Store workloads run standalone, printing progress every second: for profiling
// (`perf record -e cpu-clock -g -- .build/release/store-load put`) and diagnosing outside the harness.
//
//     store-load put    [puts]        Store.Put: embedded store, 64 writers, 128-byte values, 100k keys
//     store-load range  [gets]        Store.Range: 16 readers of linearizable single-key gets
//     store-load watch  [puts]        Store.WatchFanout: 1,000 prefix watchers, one writer
//     store-load memory [keys]        Store.Memory: resident bytes per key after loading
//
// `--memory` (put, range, watch) runs on the in-memory store instead of the embedded one;
// `--snapshot-interval=N` sets the Raft snapshot interval (default: the store's, 100,000 entries).
import Store
import StoreWorkloads

#if canImport(Glibc)
import Glibc
#endif

/// Unbuffered output, so a stalled run still shows its progress.
func say(_ text: String) {
    let line = text + "\n"
    _ = line.withCString { write(1, $0, strlen($0)) }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

let arguments = Array(CommandLine.arguments.dropFirst())
let inMemory = arguments.contains("--memory")
let positional = arguments.filter { !$0.hasPrefix("--") }
var options = KeyValueStore.Options()
for argument in arguments where argument.hasPrefix("--snapshot-interval=") {
    options.raft.snapshotInterval = UInt64(argument.dropFirst("--snapshot-interval=".count)) ?? options.raft.snapshotInterval
}
let mode = positional.first ?? "put"
let count = positional.dropFirst().first.flatMap(Int.init)
let done = Tally()

/// Prints the rate of `done` every second until cancelled.
func report(_ unit: String, _ extra: @escaping @Sendable () -> String = { "" }) -> Task<Void, Never> {
    Task {
        var last = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let now = done.count
            say("\(now - last) \(unit)/s (total \(now))\(extra())")
            last = now
        }
    }
}

func openStore() async throws -> (KeyValueStore, ScratchDirectory?) {
    if inMemory { return (try await KeyValueStore.inMemory(options: options), nil) }
    let directory = try ScratchDirectory()
    return (try await KeyValueStore.open(directory: directory.path, options: options), directory)
}

switch mode {
case "put":
    let total = count ?? 1_000_000
    let (store, directory) = try await openStore()
    let keys = StoreData.keys(100_000, prefix: PutLoad.keyPrefix)
    let progress = report("puts")
    let start = ContinuousClock.now
    let outcome = await PutLoad.run(store, keys: keys, total: total, done: done)
    let elapsed = seconds(ContinuousClock.now - start)
    progress.cancel()
    let sorted = outcome.latencies.sorted()
    say(
        "\(total) puts in \(elapsed) s: \(Int(Double(total) / elapsed))/s, failed \(outcome.failures); latency p50 "
            + "\(percentileMicroseconds(sorted, 0.5)) µs, p99 \(percentileMicroseconds(sorted, 0.99)) µs, max \(percentileMicroseconds(sorted, 1)) µs"
    )
    await store.close()
    directory?.remove()
case "range":
    let total = count ?? 5_000_000
    let (store, directory) = try await openStore()
    let keys = StoreData.keys(100_000, prefix: RangeLoad.keyPrefix)
    try await StoreData.load(store, keys: keys, value: StoreData.value(128))
    let progress = report("gets")
    let start = ContinuousClock.now
    let failures = await RangeLoad.run(store, keys: keys, total: total, done: done)
    let elapsed = seconds(ContinuousClock.now - start)
    progress.cancel()
    say("\(total) gets in \(elapsed) s: \(Int(Double(total) / elapsed))/s, failed \(failures)")
    await store.close()
    directory?.remove()
case "watch":
    let puts = count ?? 5_000
    let (store, directory) = try await openStore()
    let fanout = try WatchFanout(store, watchers: 1_000, puts: puts)
    let progress = Task {
        var last = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let now = fanout.delivered.count
            say("\(now - last) events/s delivered (total \(now)), resident \(residentBytes() >> 20) MiB")
            last = now
        }
    }
    let start = ContinuousClock.now
    let delivered = try await fanout.run()
    let elapsed = seconds(ContinuousClock.now - start)
    progress.cancel()
    say(
        "\(delivered) events delivered in \(elapsed) s: \(Int(Double(delivered) / elapsed))/s; "
            + "\(Double(delivered) / Double(max(1, fanout.responses.count))) events per response; resident \(residentBytes() >> 20) MiB"
    )
    await store.close()
    directory?.remove()
case "memory":
    let keys = count ?? 1_000_000
    let directory = try ScratchDirectory()
    let progress = report("puts", { ", resident \(residentBytes() >> 20) MiB" })
    let outcome = try await MemoryLoad.run(directory: directory.path, keys: keys, options: options, done: done) { store in
        let status = store.status()
        say("loaded: revision \(status.revision), \(status.keys) keys, approximate size \(status.size) bytes")
    }
    progress.cancel()
    say(
        "\(outcome.keys) keys: resident \(outcome.residentBefore >> 20) MiB before, \(outcome.residentAfter >> 20) MiB after; "
            + "\(outcome.residentBytesPerKey) bytes/key (process: \(outcome.processResidentBytesPerKey)), raw \(outcome.rawBytesPerKey) bytes/key, "
            + "ratio \(Double(outcome.residentBytesPerKey) / Double(outcome.rawBytesPerKey)); failed \(outcome.failures)"
    )
    directory.remove()
default:
    say("usage: store-load put|range|watch|memory [count] [--memory]")
}
