import Store
import Testing

@testable import APIMachinery

@Suite("REST: watch")
struct RESTWatchTests {
    static let widgets = RESTHandlerTests.widgets

    @Test(.timeLimit(.minutes(1))) func initialEventsThenChanges() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        #expect(await handler.send("POST", Self.widgets, json: widgetJSON("a")).status == 201)
        let response = await handler.send("GET", Self.widgets + "?watch=true")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        let stream = try #require(response.watchStream)
        defer { stream.cancel() }
        #expect(await handler.send("POST", Self.widgets, json: widgetJSON("b")).status == 201)
        #expect(await handler.send("PATCH", Self.widgets + "/a", json: ["spec": ["color": "blue"]]).status == 200)
        #expect(await handler.send("DELETE", Self.widgets + "/b").status == 200)

        let frames = try await readFrames(response, count: 4)
        #expect(frames.map { $0["type"]?.stringValue } == ["ADDED", "ADDED", "MODIFIED", "DELETED"])
        #expect(frames.map { $0["object"]?["metadata"]?["name"]?.stringValue } == ["a", "b", "a", "b"])
        #expect(frames[0].objectValue?.keys == ["type", "object"])
        #expect(frames[0]["object"]?["kind"] == "Widget")
        #expect(frames[0]["object"]?["apiVersion"] == "example.com/v1")
        #expect(frames[2]["object"]?["spec"]?["color"] == "blue")
    }

    @Test(.timeLimit(.minutes(1))) func watchFromAResourceVersionWithSelectors() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        let created = await handler.send("POST", Self.widgets, json: widgetJSON("a", labels: ["app": "web"]))
        let version = try #require(created.json["metadata"]?["resourceVersion"]?.stringValue)
        let response = await handler.send(
            "GET",
            Self.widgets + "?watch=1&resourceVersion=\(version)&labelSelector=app%3Dweb")
        let stream = try #require(response.watchStream)
        defer { stream.cancel() }
        #expect(await handler.send("POST", Self.widgets, json: widgetJSON("b", labels: ["app": "db"])).status == 201)
        #expect(await handler.send("POST", Self.widgets, json: widgetJSON("c", labels: ["app": "web"])).status == 201)
        let frames = try await readFrames(response, count: 1)
        #expect(frames.first?["type"] == "ADDED")
        #expect(frames.first?["object"]?["metadata"]?["name"] == "c")
    }

    @Test(.timeLimit(.minutes(1))) func watchOfOneObjectByName() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        #expect(await handler.send("POST", Self.widgets, json: widgetJSON("a")).status == 201)
        #expect(await handler.send("POST", Self.widgets, json: widgetJSON("b")).status == 201)
        // kubectl delete --wait: a watch with fieldSelector=metadata.name=X; also the legacy /watch/ path.
        for target in [
            Self.widgets + "?watch=true&fieldSelector=metadata.name%3Db",
            "/apis/example.com/v1/watch/namespaces/default/widgets/b",
        ] {
            let response = await handler.send("GET", target)
            defer { response.watchStream?.cancel() }
            let frames = try await readFrames(response, count: 1)
            #expect(frames.first?["object"]?["metadata"]?["name"] == "b")
        }
    }

    @Test(.timeLimit(.minutes(1))) func sendInitialEventsEndsWithAnnotatedBookmark() async throws {
        let (handler, _, store) = try await makeRESTHandler()
        for name in ["a", "b"] {
            #expect(await handler.send("POST", Self.widgets, json: widgetJSON(name)).status == 201)
        }
        let revision = store.status().revision
        let response = await handler.send(
            "GET",
            Self.widgets
                + "?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan")
        #expect(response.status == 200)
        defer { response.watchStream?.cancel() }
        let frames = try await readFrames(response, count: 3)
        #expect(frames.map { $0["type"]?.stringValue } == ["ADDED", "ADDED", "BOOKMARK"])
        let bookmark = try #require(frames.last?["object"])
        #expect(bookmark["kind"] == "Widget")
        #expect(bookmark["apiVersion"] == "example.com/v1")
        #expect(bookmark["metadata"]?["resourceVersion"]?.stringValue == String(revision))
        #expect(bookmark["metadata"]?["annotations"] == ["k8s.io/initial-events-end": "true"])
        #expect(bookmark["spec"] == nil)

        // sendInitialEvents without bookmarks is refused clearly rather than hanging the client.
        let refused = await handler.send(
            "GET",
            Self.widgets + "?watch=true&sendInitialEvents=true"
                + "&resourceVersionMatch=NotOlderThan")
        #expect(refused.status == 422)
        #expect(refused.watchStream == nil)
    }

    @Test(.timeLimit(.minutes(1))) func compactedResourceVersionIsAnErrorFrame() async throws {
        let (handler, _, store) = try await makeRESTHandler()
        let created = await handler.send("POST", Self.widgets, json: widgetJSON("a"))
        let old = try #require(created.json["metadata"]?["resourceVersion"]?.stringValue)
        for color in ["blue", "green"] {
            #expect(
                await handler.send("PATCH", Self.widgets + "/a", json: ["spec": ["color": .string(color)]]).status
                    == 200)
        }
        try await store.compact(store.status().revision)
        let response = await handler.send("GET", Self.widgets + "?watch=true&resourceVersion=\(old)")
        #expect(response.status == 200)
        let stream = try #require(response.watchStream)
        var iterator = stream.makeAsyncIterator()
        let frame = try JSONValue(parsing: try #require(await iterator.next()).dropLast())
        #expect(frame["type"] == "ERROR")
        let status = try #require(frame["object"])
        #expect(status["kind"] == "Status")
        #expect(status["apiVersion"] == "v1")
        #expect(status["status"] == "Failure")
        #expect(status["code"] == 410)
        #expect(status["reason"] == "Expired")
        #expect(await iterator.next() == nil)  // an ERROR ends the stream
    }

    @Test func compactedListSnapshotIsGone() async throws {
        let (handler, _, store) = try await makeRESTHandler()
        for name in ["a", "b", "c"] {
            #expect(await handler.send("POST", Self.widgets, json: widgetJSON(name)).status == 201)
        }
        let page = await handler.send("GET", Self.widgets + "?limit=1").json
        let token = try #require(page["metadata"]?["continue"]?.stringValue)
        let version = try #require(page["metadata"]?["resourceVersion"]?.stringValue)
        #expect(await handler.send("DELETE", Self.widgets + "/c").status == 200)
        try await store.compact(store.status().revision)
        let exact = await handler.send("GET", Self.widgets + "?resourceVersion=\(version)&resourceVersionMatch=Exact")
        #expect(exact.status == 410)
        #expect(exact.json["reason"] == "Expired")
        let expired = await handler.send("GET", Self.widgets + "?limit=1&continue=\(queryEscape(token))")
        #expect(expired.status == 410)
        #expect(expired.json["code"] == 410)
        // The Status carries a fresh token that continues at the latest state.
        let fresh = try #require(expired.json["metadata"]?["continue"]?.stringValue)
        let rest = await handler.send("GET", Self.widgets + "?continue=\(queryEscape(fresh))")
        #expect(rest.json.itemNames == ["b"])
    }

    @Test func frameEncoding() throws {
        let codec = ObjectCodec(type: .typed(Widget.self))
        let added = WatchEventStream.frame(
            WatchEvent(
                type: .added, object: Widget(name: "x", namespace: "ns"),
                resourceVersion: "5"), codec: codec)
        #expect(String(decoding: added, as: UTF8.self).hasPrefix("{\"type\":\"ADDED\",\"object\":{"))
        #expect(added.last == UInt8(ascii: "\n"))
        let bookmark = WatchEventStream.frame(
            WatchEvent<any APIObject>(
                type: .bookmark, object: nil,
                resourceVersion: "9"), codec: codec)
        #expect(
            String(decoding: bookmark, as: UTF8.self)
                == "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Widget\",\"apiVersion\":\"example.com/v1\","
                + "\"metadata\":{\"resourceVersion\":\"9\"}}}\n")
    }
}
