import Informers
import Raft
import Synchronization
import Testing

@testable import Reconcile

/// Polls `condition` on real time (bounded: a couple of seconds) while other tasks make progress.
func workQueueEventually(
    _ condition: () -> Bool,
    timeout: Duration = .seconds(2),
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while !condition() {
        if clock.now >= deadline {
            Issue.record("condition not met within \(timeout)", sourceLocation: sourceLocation)
            return
        }
        await Task.yield()
        try? await clock.sleep(for: .milliseconds(1))
    }
}

@Suite("WorkQueue", .timeLimit(.minutes(2)))
struct WorkQueueTests {
    @Test func handsItemsOutInTheOrderAdded() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        for key in ["a", "b", "c", "d"] { queue.add(key) }
        #expect(queue.count == 4)
        var got: [String] = []
        for _ in 0..<4 { got.append(await queue.get()!) }
        #expect(got == ["a", "b", "c", "d"])
        #expect(queue.count == 0)
        #expect(queue.processingCount == 4)
    }

    @Test func itemAddedSeveralTimesBeforeProcessingIsProcessedOnce() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        for key in ["a", "b", "a", "c", "b", "a"] { queue.add(key) }
        #expect(queue.count == 3)
        #expect(await queue.get() == "a")
        #expect(await queue.get() == "b")
        #expect(await queue.get() == "c")
        #expect(queue.count == 0)
        for key in ["a", "b", "c"] { queue.done(key) }
        #expect(queue.isIdle)
    }

    @Test func itemAddedWhileProcessingIsRequeuedOnDoneOnly() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        queue.add("a")
        #expect(await queue.get() == "a")
        queue.add("a")
        queue.add("a")
        // Not handed to a second worker while the first holds it.
        #expect(queue.count == 0)
        #expect(queue.processingCount == 1)
        queue.add("b")
        #expect(await queue.get() == "b")
        queue.done("a")
        #expect(queue.count == 1)
        #expect(queue.processingCount == 1)
        #expect(await queue.get() == "a")
        queue.done("a")
        queue.done("b")
        #expect(queue.isIdle)
    }

    @Test func doneWithoutReAddLeavesNothing() async {
        let queue = WorkQueue<Int>(clock: ManualClock())
        queue.add(1)
        #expect(await queue.get() == 1)
        queue.done(1)
        queue.done(1)  // not processing: ignored
        #expect(queue.isIdle)
        #expect(queue.count == 0)
    }

    @Test func waitingGetterIsWokenByAdd() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        let worker = Task { await queue.get() }
        await workQueueEventually { queue.waitingGetterCount == 1 }
        queue.add("x")
        #expect(await worker.value == "x")
        #expect(queue.processingCount == 1)
        #expect(queue.waitingGetterCount == 0)
    }

    @Test func waitingGettersAreServedInTheOrderTheyAsked() async {
        let queue = WorkQueue<Int>(clock: ManualClock())
        let first = Task { await queue.get() }
        await workQueueEventually { queue.waitingGetterCount == 1 }
        let second = Task { await queue.get() }
        await workQueueEventually { queue.waitingGetterCount == 2 }
        queue.add(1)
        queue.add(2)
        #expect(await first.value == 1)
        #expect(await second.value == 2)
    }

    @Test func shutDownWakesEveryWaitingGetterWithNil() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        let workers = (0..<4).map { _ in Task { await queue.get() } }
        await workQueueEventually { queue.waitingGetterCount == 4 }
        queue.shutDown()
        for worker in workers { #expect(await worker.value == nil) }
        #expect(queue.isShuttingDown)
        #expect(await queue.get() == nil)
    }

    @Test func addsAfterShutDownAreIgnored() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        queue.add("queued")
        queue.addAfter("delayed", .seconds(1))
        queue.shutDown()
        queue.add("a")
        queue.addAfter("b", .seconds(1))
        queue.addAfter("c", .zero)
        queue.addRateLimited("d")
        #expect(queue.count == 0)
        #expect(queue.delayedCount == 0)
        #expect(queue.numRequeues("d") == 0)
        clock.advance(by: .seconds(2))
        #expect(queue.isIdle)
        #expect(await queue.get() == nil)
    }

    @Test func inFlightItemsMayFinishAfterShutDown() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        queue.add("a")
        #expect(await queue.get() == "a")
        queue.add("a")  // dirty while processing
        queue.shutDown()
        #expect(queue.processingCount == 1)
        queue.done("a")
        #expect(queue.processingCount == 0)
        #expect(queue.count == 0)  // not requeued once shutting down
        #expect(await queue.get() == nil)
    }

    @Test func shutDownWithDrainWaitsForInFlightItems() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        queue.add("a")
        queue.add("b")
        #expect(await queue.get() == "a")
        let drained = Mutex(false)
        let drainer = Task {
            await queue.shutDownWithDrain()
            drained.withLock { $0 = true }
        }
        await workQueueEventually { queue.drainWaiterCount == 1 }
        #expect(queue.isShuttingDown)
        #expect(!drained.withLock { $0 })
        // No new work is handed out while draining.
        #expect(await queue.get() == nil)
        queue.add("c")
        #expect(queue.count == 0)
        queue.done("a")
        await drainer.value
        #expect(drained.withLock { $0 })
        #expect(queue.isIdle)
    }

    @Test func shutDownWithDrainReturnsAtOnceWhenNothingIsProcessing() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        queue.add("a")
        await queue.shutDownWithDrain()
        #expect(queue.isShuttingDown)
        #expect(queue.drainWaiterCount == 0)
    }

    @Test func cancellingAWaitingGetterReturnsNilAndLosesNoItem() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        let worker = Task { await queue.get() }
        await workQueueEventually { queue.waitingGetterCount == 1 }
        worker.cancel()
        #expect(await worker.value == nil)
        #expect(queue.waitingGetterCount == 0)
        queue.add("a")
        #expect(queue.count == 1)
        #expect(await queue.get() == "a")
    }

    @Test func cancelledTaskTakesNoItem() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        queue.add("a")
        let worker = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await queue.get()
        }
        #expect(await worker.value == nil)
        #expect(queue.count == 1)
    }

    @Test func cancellingADrainStopsWaitingButKeepsTheQueueShut() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        queue.add("a")
        #expect(await queue.get() == "a")
        let drainer = Task { await queue.shutDownWithDrain() }
        await workQueueEventually { queue.drainWaiterCount == 1 }
        drainer.cancel()
        await drainer.value
        #expect(queue.drainWaiterCount == 0)
        #expect(queue.isShuttingDown)
        #expect(queue.processingCount == 1)
    }

    @Test func elapsedTimeReadsFromItsOrigin() async throws {
        let clock = ManualClock()
        clock.advance(by: .seconds(3))
        let fromNow = ElapsedTime(clock)
        let fromZero = ElapsedTime(clock, origin: ManualClock.Instant(offset: .zero))
        #expect(fromNow() == .zero)
        #expect(fromZero() == .seconds(3))
        clock.advance(by: .milliseconds(250))
        #expect(fromNow() == .milliseconds(250))
        #expect(fromZero() == .milliseconds(3250))
        let sleeper = Task { try await fromNow.sleep(until: .seconds(1)) }
        await workQueueEventually { clock.sleeperCount == 1 }
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(4)))
        clock.advance(by: .milliseconds(750))
        try await sleeper.value
        #expect(fromNow() == .seconds(1))
    }
}
