import APIMachinery
import Informers
import Raft
import Testing

@Suite("Reflector", .timeLimit(.minutes(2)))
struct ReflectorTests {
    func informer(_ source: ScriptedListWatch, clock: ManualClock) -> SharedInformer<ConfigMap> {
        var options = InformerOptions<ConfigMap>()
        options.clock = clock
        options.backoff.seed = 42
        return SharedInformer(listWatch: source.listWatch, options: options)
    }

    /// Waits for the reflector to sleep on the clock, checks the delay is in `range`, then wakes it.
    func expectBackoff(_ clock: ManualClock, _ range: ClosedRange<Duration>, sourceLocation: SourceLocation = #_sourceLocation) async {
        #expect(await eventually { clock.sleeperCount == 1 }, sourceLocation: sourceLocation)
        let delay = (clock.nextDeadline?.offset ?? .zero) - clock.now.offset
        #expect(range.contains(delay), "backoff \(delay) not in \(range)", sourceLocation: sourceLocation)
        clock.advance(by: delay)
    }

    @Test("lists from \"0\", watches from the list's version with bookmarks and a 5–10 min timeout")
    func firstListAndWatch() async throws {
        let source = ScriptedListWatch(
            lists: [.items(resourceVersion: "10", [versioned("a", 5)])],
            watches: [.events([event(.modified, "a", 11), event(.bookmark, "", 12)], then: .hang)])
        let clock = ManualClock()
        let informer = informer(source, clock: clock)
        let recorder = Recorder<ConfigMap>()
        informer.addEventHandler(recorder)
        try await running(informer.run) {
            #expect(await informer.waitForSync())
            #expect(await eventually { informer.lastSyncResourceVersion == "12" })
            #expect(await eventually { recorder.count == 2 && informer.processedResourceVersion == 12 })
        }
        #expect(source.listVersions == ["0"])
        let watch = try #require(source.watchRequests.first)
        #expect(watch.resourceVersion == "10")
        #expect(watch.allowWatchBookmarks)
        #expect((300...600).contains(watch.timeoutSeconds ?? 0))
        #expect(recorder.lines == ["add default/a 5", "update default/a 5->11"])
    }

    @Test("a watch that ends normally re-watches from the last version without relisting")
    func rewatch() async throws {
        let source = ScriptedListWatch(
            lists: [.items(resourceVersion: "10", [])],
            watches: [
                .events([event(.added, "a", 11), event(.modified, "a", 12)], then: .finish),
                .events([event(.bookmark, "", 20)], then: .finish),
            ])
        let clock = ManualClock()
        let informer = informer(source, clock: clock)
        try await running(informer.run) {
            #expect(await eventually { source.watchRequests.count == 3 })
        }
        #expect(source.listVersions == ["0"])
        #expect(source.watchVersions == ["10", "12", "20"])
        #expect(clock.sleeperCount == 0)
    }

    @Test("watch 410 relists from the latest; other errors relist from the last version; backoff grows and resets")
    func relistRules() async throws {
        let expired = APIError.expired("too old resource version: 10 (15)")
        let clock = ManualClock()
        let source = ScriptedListWatch(
            lists: [
                .items(resourceVersion: "10", [versioned("a", 5), versioned("b", 6)]),
                .items(resourceVersion: "30", [versioned("a", 25)]),
                .items(resourceVersion: "40", [versioned("a", 25)]),
                .items(resourceVersion: "50", [versioned("a", 25)]),
            ],
            watches: [
                .events([event(.modified, "a", 11)], then: .fail(expired)),
                .events([], then: .fail(APIError.internalError("boom"))),
                .events([], then: .failAfter(clock, .seconds(180), APIError.internalError("reset"))),
            ])
        let informer = informer(source, clock: clock)
        let recorder = Recorder<ConfigMap>()
        informer.addEventHandler(recorder)
        try await running(informer.run) {
            // 410 from the watch: back off 0.8–1.6 s, then list the latest state.
            await expectBackoff(clock, .milliseconds(800) ... .milliseconds(1600))
            #expect(await eventually { source.listRequests.count == 2 })
            // An internal error: the delay doubles (1.6–3.2 s), then relist from the last version.
            await expectBackoff(clock, .milliseconds(1600) ... .milliseconds(3200))
            #expect(await eventually { source.listRequests.count == 3 })
            // The next watch fails after 3 minutes: more than 2 minutes since the last backoff, so it starts over.
            #expect(await eventually { clock.sleeperCount == 1 })
            clock.advance(by: .seconds(180))
            await expectBackoff(clock, .milliseconds(800) ... .milliseconds(1600))
            #expect(await eventually { source.listRequests.count == 4 && source.watchRequests.count == 4 })
            #expect(await eventually { recorder.count == 7 })
        }
        #expect(source.listVersions == ["0", "", "30", "40"])
        #expect(source.watchVersions == ["10", "30", "40", "50"])
        // b vanished between lists: a tombstone; relisted objects are updates (also when unchanged).
        #expect(recorder.lines == ["add default/a 5", "add default/b 6", "update default/a 5->11",
            "update default/a 11->25", "delete default/b tombstone", "update default/a 25->25",
            "update default/a 25->25"])
        #expect(informer.lister.list().map(\.metadata.name) == ["a"])
    }

    @Test("a list failing with 410 is retried from the latest; other list failures keep the version")
    func listFailures() async throws {
        let source = ScriptedListWatch(
            lists: [
                .fail(APIError.internalError("down")),
                .items(resourceVersion: "10", []),
                .fail(APIError.expired("expired")),
                .items(resourceVersion: "20", []),
            ],
            watches: [.events([], then: .fail(APIError.internalError("boom")))])
        let clock = ManualClock()
        let informer = informer(source, clock: clock)
        try await running(informer.run) {
            await expectBackoff(clock, .milliseconds(800) ... .milliseconds(1600))
            #expect(await informer.waitForSync())
            await expectBackoff(clock, .milliseconds(1600) ... .milliseconds(3200))
            await expectBackoff(clock, .milliseconds(3200) ... .milliseconds(6400))
            #expect(await eventually { source.watchRequests.count == 2 })
        }
        #expect(source.listVersions == ["0", "0", "10", ""])
        #expect(source.watchVersions == ["10", "20"])
    }

    @Test("waitForSync returns false when the informer stops before its first list")
    func waitForSyncStops() async throws {
        let source = ScriptedListWatch()
        let informer = informer(source, clock: ManualClock())
        let task = Task { try await informer.run() }
        #expect(await eventually { source.listRequests.count == 1 })
        task.cancel()
        try await task.value
        #expect(await informer.waitForSync() == false)
        #expect(!informer.hasSynced)
        await #expect(throws: InformerError.self) { try await informer.run() }
    }
}
