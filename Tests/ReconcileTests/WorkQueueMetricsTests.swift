import Raft
import Synchronization
import Testing

@testable import Reconcile

/// Records every hook call in order.
private final class MetricsRecorder: WorkQueueMetrics {
    enum Event: Equatable {
        case added(depth: Int)
        case gotItem(queueLatency: Duration, depth: Int)
        case finished(workDuration: Duration)
        case retried
        case unfinishedWork(total: Duration, longestRunning: Duration)
    }

    private let recorded = Mutex<[Event]>([])

    /// The events since the last call.
    func take() -> [Event] {
        recorded.withLock { events in
            defer { events.removeAll() }
            return events
        }
    }

    func added(depth: Int) { recorded.withLock { $0.append(.added(depth: depth)) } }
    func gotItem(queueLatency: Duration, depth: Int) {
        recorded.withLock { $0.append(.gotItem(queueLatency: queueLatency, depth: depth)) }
    }
    func finished(workDuration: Duration) { recorded.withLock { $0.append(.finished(workDuration: workDuration)) } }
    func retried() { recorded.withLock { $0.append(.retried) } }
    func unfinishedWork(total: Duration, longestRunning: Duration) {
        recorded.withLock { $0.append(.unfinishedWork(total: total, longestRunning: longestRunning)) }
    }
}

/// Implements nothing: the protocol's defaults must be enough.
private struct SilentMetrics: WorkQueueMetrics {}

@Suite("WorkQueue metrics", .timeLimit(.minutes(2)))
struct WorkQueueMetricsTests {
    @Test func hooksReportDepthLatencyAndDurationsOnTheQueuesClock() async {
        let clock = ManualClock()
        let recorder = MetricsRecorder()
        let queue = WorkQueue<String>(clock: clock, metrics: recorder)

        queue.add("a")
        queue.add("b")
        queue.add("a")  // deduplicated: no hook
        #expect(recorder.take() == [.added(depth: 1), .added(depth: 2)])

        clock.advance(by: .milliseconds(10))
        #expect(await queue.get() == "a")
        #expect(
            recorder.take() == [
                .gotItem(queueLatency: .milliseconds(10), depth: 1),
                .unfinishedWork(total: .zero, longestRunning: .zero),
            ])

        clock.advance(by: .milliseconds(5))
        #expect(await queue.get() == "b")
        #expect(
            recorder.take() == [
                .gotItem(queueLatency: .milliseconds(15), depth: 0),
                .unfinishedWork(total: .milliseconds(5), longestRunning: .milliseconds(5)),
            ])

        clock.advance(by: .milliseconds(20))
        queue.reportUnfinishedWork()
        #expect(recorder.take() == [.unfinishedWork(total: .milliseconds(45), longestRunning: .milliseconds(25))])

        queue.done("a")
        #expect(
            recorder.take() == [
                .finished(workDuration: .milliseconds(25)),
                .unfinishedWork(total: .milliseconds(20), longestRunning: .milliseconds(20)),
            ])

        // Added while processing: counted when done puts it back in line; latency from the add.
        queue.add("b")
        #expect(recorder.take() == [])
        clock.advance(by: .milliseconds(3))
        queue.done("b")
        #expect(
            recorder.take() == [
                .finished(workDuration: .milliseconds(23)),
                .unfinishedWork(total: .zero, longestRunning: .zero),
                .added(depth: 1),
            ])
        clock.advance(by: .milliseconds(2))
        #expect(await queue.get() == "b")
        #expect(
            recorder.take() == [
                .gotItem(queueLatency: .milliseconds(5), depth: 0),
                .unfinishedWork(total: .zero, longestRunning: .zero),
            ])
        queue.done("b")
        _ = recorder.take()

        queue.addRateLimited("c")
        #expect(recorder.take() == [.retried])
        clock.advance(by: .milliseconds(5))
        #expect(queue.count == 1)
        #expect(recorder.take() == [.added(depth: 1)])
    }

    @Test func handOffToAWaitingWorkerReportsAddAndGet() async {
        let clock = ManualClock()
        let recorder = MetricsRecorder()
        let queue = WorkQueue<String>(clock: clock, metrics: recorder)
        let worker = Task { await queue.get() }
        await workQueueEventually { queue.waitingGetterCount == 1 }
        queue.add("a")
        #expect(await worker.value == "a")
        #expect(
            recorder.take() == [
                .added(depth: 1),
                .gotItem(queueLatency: .zero, depth: 0),
                .unfinishedWork(total: .zero, longestRunning: .zero),
            ])
    }

    @Test func statisticsCollectCountersAndSummaries() async {
        let clock = ManualClock()
        let statistics = WorkQueueStatistics()
        let queue = WorkQueue<Int>(clock: clock, metrics: statistics)
        for item in 0..<3 { queue.add(item) }
        #expect(statistics.snapshot.adds == 3)
        #expect(statistics.snapshot.depth == 3)

        clock.advance(by: .milliseconds(10))
        #expect(await queue.get() == 0)
        clock.advance(by: .milliseconds(10))
        #expect(await queue.get() == 1)
        clock.advance(by: .milliseconds(30))
        queue.done(0)
        queue.addRateLimited(0)
        queue.addRateLimited(1)

        let snapshot = statistics.snapshot
        #expect(snapshot.depth == 1)
        #expect(snapshot.retries == 2)
        #expect(snapshot.queueLatency.count == 2)
        #expect(snapshot.queueLatency.sum == .milliseconds(30))
        #expect(snapshot.queueLatency.max == .milliseconds(20))
        #expect(snapshot.queueLatency.average == .milliseconds(15))
        #expect(snapshot.workDuration.count == 1)
        #expect(snapshot.workDuration.sum == .milliseconds(40))
        #expect(snapshot.workDuration.max == .milliseconds(40))
        #expect(snapshot.unfinishedWork == .milliseconds(30))
        #expect(snapshot.longestRunning == .milliseconds(30))
    }

    @Test func defaultHooksDoNothing() async {
        let queue = WorkQueue<Int>(clock: ManualClock(), metrics: SilentMetrics())
        queue.add(1)
        #expect(await queue.get() == 1)
        queue.done(1)
        queue.addRateLimited(1)
        queue.reportUnfinishedWork()
        #expect(queue.delayedCount == 1)
    }
}
