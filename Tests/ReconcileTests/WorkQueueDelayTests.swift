import Informers
import Raft
import Testing

@testable import Reconcile

@Suite("WorkQueue delayed adds", .timeLimit(.minutes(2)))
struct WorkQueueDelayTests {
    @Test func delayedItemAppearsExactlyAtItsTime() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        queue.addAfter("a", .milliseconds(100))
        #expect(queue.count == 0)
        #expect(queue.delayedCount == 1)
        #expect(queue.nextDelayedDeadline == .milliseconds(100))
        #expect(!queue.isIdle)
        clock.advance(by: .milliseconds(99))
        #expect(queue.count == 0)
        #expect(queue.delayedCount == 1)
        clock.advance(by: .milliseconds(1))
        #expect(queue.count == 1)
        #expect(queue.delayedCount == 0)
        #expect(queue.nextDelayedDeadline == nil)
        #expect(await queue.get() == "a")
    }

    @Test func nonPositiveDelayAddsAtOnce() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        queue.addAfter("zero", .zero)
        queue.addAfter("negative", .milliseconds(-5))
        #expect(queue.count == 2)
        #expect(queue.delayedCount == 0)
    }

    @Test func severalDelaysComeDueInTimeOrder() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        queue.addAfter("c", .milliseconds(300))
        queue.addAfter("a", .milliseconds(100))
        queue.addAfter("d", .milliseconds(300))
        queue.addAfter("b", .milliseconds(200))
        #expect(queue.delayedCount == 4)
        #expect(queue.nextDelayedDeadline == .milliseconds(100))
        clock.advance(by: .milliseconds(150))
        #expect(queue.count == 1)
        #expect(queue.nextDelayedDeadline == .milliseconds(200))
        clock.advance(by: .milliseconds(500))
        #expect(queue.count == 4)
        var order: [String] = []
        for _ in 0..<4 { order.append(await queue.get()!) }
        // Equal times keep the order they were scheduled in.
        #expect(order == ["a", "b", "c", "d"])
    }

    @Test func reAddingAWaitingItemOnlyMovesItEarlier() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        queue.addAfter("a", .milliseconds(100))
        queue.addAfter("a", .milliseconds(50))
        queue.addAfter("a", .milliseconds(200))
        #expect(queue.delayedCount == 1)
        #expect(queue.nextDelayedDeadline == .milliseconds(50))
        clock.advance(by: .milliseconds(49))
        #expect(queue.count == 0)
        clock.advance(by: .milliseconds(1))
        #expect(queue.count == 1)
        #expect(queue.delayedCount == 0)
        clock.advance(by: .milliseconds(500))
        #expect(queue.count == 1)  // the later times were folded into the first
    }

    @Test func delayedItemAlreadyQueuedIsDeduplicated() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        queue.add("a")
        queue.addAfter("a", .milliseconds(10))
        clock.advance(by: .milliseconds(10))
        #expect(queue.count == 1)
    }

    @Test func timerWakesAWaitingWorkerWhenTheClockReachesTheTime() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        let worker = Task { await queue.get() }
        await workQueueEventually { queue.waitingGetterCount == 1 }
        queue.addAfter("a", .seconds(5))
        await workQueueEventually { clock.sleeperCount == 1 }
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(5)))
        clock.advance(by: .milliseconds(4999))
        #expect(queue.waitingGetterCount == 1)
        clock.advance(by: .milliseconds(1))
        #expect(await worker.value == "a")
        await workQueueEventually { clock.sleeperCount == 0 }
    }

    @Test func anEarlierDelayReplacesTheTimer() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        queue.addAfter("late", .seconds(10))
        await workQueueEventually { clock.sleeperCount == 1 }
        queue.addAfter("early", .seconds(1))
        // The old sleep is cancelled, one timer sleeps until the earlier time.
        await workQueueEventually {
            clock.sleeperCount == 1 && clock.nextDeadline == ManualClock.Instant(offset: .seconds(1))
        }
        let worker = Task { await queue.get() }
        await workQueueEventually { queue.waitingGetterCount == 1 }
        clock.advance(by: .seconds(1))
        #expect(await worker.value == "early")
        // Re-armed for the remaining item.
        await workQueueEventually {
            clock.sleeperCount == 1 && clock.nextDeadline == ManualClock.Instant(offset: .seconds(10))
        }
        let second = Task { await queue.get() }
        await workQueueEventually { queue.waitingGetterCount == 1 }
        clock.advance(by: .seconds(9))
        #expect(await second.value == "late")
    }

    @Test func shutDownStopsTheTimerAndDropsDelayedItems() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        queue.addAfter("a", .seconds(1))
        await workQueueEventually { clock.sleeperCount == 1 }
        queue.shutDown()
        await workQueueEventually { clock.sleeperCount == 0 }
        #expect(queue.delayedCount == 0)
        #expect(queue.nextDelayedDeadline == nil)
    }

    @Test func droppingTheQueueStopsItsTimer() async {
        let clock = ManualClock()
        do {
            let queue = WorkQueue<String>(clock: clock)
            queue.addAfter("a", .seconds(1))
            await workQueueEventually { clock.sleeperCount == 1 }
        }
        await workQueueEventually { clock.sleeperCount == 0 }
    }

    @Test func delayedTimesAreReadingsOfTheQueuesTimeBase() async {
        let clock = ManualClock()
        clock.advance(by: .seconds(100))
        let queue = WorkQueue<String>(time: ElapsedTime(clock, origin: ManualClock.Instant(offset: .zero)))
        queue.addAfter("a", .seconds(2))
        #expect(queue.nextDelayedDeadline == .seconds(102))
        #expect(queue.elapsed() == .seconds(100))
        clock.advance(by: .seconds(2))
        #expect(queue.count == 1)
    }

    @Test func addRateLimitedDelaysByTheLimiterAndCountsRequeues() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(
            clock: clock,
            rateLimiter: ItemExponentialFailureRateLimiter(base: .milliseconds(5), max: .seconds(1))
        )
        queue.addRateLimited("a")
        #expect(queue.numRequeues("a") == 1)
        #expect(queue.nextDelayedDeadline == .milliseconds(5))
        clock.advance(by: .milliseconds(4))
        #expect(queue.count == 0)
        clock.advance(by: .milliseconds(1))
        #expect(await queue.get() == "a")
        queue.addRateLimited("a")  // while processing: waits 10 ms, then again until done
        #expect(queue.numRequeues("a") == 2)
        #expect(queue.nextDelayedDeadline == .milliseconds(15))
        clock.advance(by: .milliseconds(10))
        #expect(queue.count == 0)
        #expect(queue.delayedCount == 0)
        queue.done("a")
        #expect(queue.count == 1)
        #expect(await queue.get() == "a")
        queue.forget("a")
        #expect(queue.numRequeues("a") == 0)
        queue.addRateLimited("a")
        #expect(queue.nextDelayedDeadline == .milliseconds(20))
    }

    @Test func defaultRateLimiterIsTheControllerDefault() async {
        let clock = ManualClock()
        let queue = WorkQueue<Int>(clock: clock)
        #expect(queue.rateLimiter is MaxOfRateLimiter<Int>)
        for item in 0..<100 { queue.addRateLimited(item) }
        // Within the burst every item waits only its own first backoff.
        #expect(queue.nextDelayedDeadline == .milliseconds(5))
        #expect(queue.delayedCount == 100)
        queue.addRateLimited(100)
        clock.advance(by: .milliseconds(5))
        #expect(queue.count == 100)
        #expect(queue.nextDelayedDeadline == .milliseconds(100))
    }
}
