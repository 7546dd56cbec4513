/// What the ``RESTHandler`` answers: a status code, headers and either a complete body or a stream of watch
/// frames.
public struct RESTResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Headers in order (`Content-Type`, `Warning`, …).
    public var headers: [(name: String, value: String)]
    public var body: Body

    /// A response body.
    public enum Body: Sendable {
        /// The whole body.
        case bytes([UInt8])
        /// A watch: newline-terminated JSON frames, produced as the client reads them.
        case watch(WatchEventStream)
    }

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, its name compared case-insensitively.
    public func header(_ name: String) -> String? {
        for item in headers where RESTRequest.equalsIgnoringCase(item.name, name) { return item.value }
        return nil
    }

    /// Every value of a header (several `Warning`s), in order.
    public func headerValues(_ name: String) -> [String] {
        headers.filter { RESTRequest.equalsIgnoringCase($0.name, name) }.map(\.value)
    }

    /// The body bytes; empty for a watch.
    public var bodyBytes: [UInt8] {
        if case .bytes(let bytes) = body { return bytes }
        return []
    }

    /// The watch stream, when the response is one.
    public var watchStream: WatchEventStream? {
        if case .watch(let stream) = body { return stream }
        return nil
    }

    /// A JSON response.
    static func json(_ value: JSONValue, status: Int = 200, warnings: [String] = []) -> RESTResponse {
        var headers = [(name: "Content-Type", value: "application/json")]
        for warning in warnings { headers.append((name: "Warning", value: warning)) }
        return RESTResponse(status: status, headers: headers, body: .bytes(value.serialized()))
    }

    /// An error response: the Status as the body and its code as the status.
    static func error(_ error: APIError) -> RESTResponse {
        let value = (try? JSONValueEncoder().encode(error.status)) ?? .object(JSONObject())
        return json(value, status: error.code)
    }

    static func text(_ text: String, status: Int = 200) -> RESTResponse {
        RESTResponse(
            status: status, headers: [(name: "Content-Type", value: "text/plain; charset=utf-8")],
            body: .bytes(Array(text.utf8)))
    }
}

/// A watch as the wire sees it: each element is one frame, `{"type":"ADDED","object":{…}}` and a newline,
/// encoded only when the consumer asks for it (memory stays bounded by the store watch's buffer).
///
/// BOOKMARK frames carry an object of the watched kind with only `metadata.resourceVersion` (and the
/// annotation `k8s.io/initial-events-end: "true"` that ends a `sendInitialEvents` burst); ERROR frames carry
/// a Status and end the stream.
public struct WatchEventStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    public typealias Failure = Never

    let watch: ObjectWatch
    let codec: ObjectCodec

    init(watch: ObjectWatch, codec: ObjectCodec) {
        self.watch = watch
        self.codec = codec
    }

    /// Stops the underlying watch (call it when the client goes away); the sequence then ends.
    public func cancel() { watch.cancel() }

    public func makeAsyncIterator() -> Iterator { Iterator(events: watch.makeAsyncIterator(), codec: codec) }

    public struct Iterator: AsyncIteratorProtocol {
        var events: ObjectWatch.Iterator
        let codec: ObjectCodec

        public mutating func next() async -> [UInt8]? {
            guard let event = await events.next() else { return nil }
            return WatchEventStream.frame(event, codec: codec)
        }
    }

    /// One event as a frame.
    static func frame(_ event: WatchEvent<any APIObject>, codec: ObjectCodec) -> [UInt8] {
        var type = event.type
        let object: JSONValue
        switch event.type {
        case .error:
            let status = event.status ?? APIError.internalError("watch failed").status
            object = (try? JSONValueEncoder().encode(status)) ?? .object(JSONObject())
        case .bookmark:
            var metadata = JSONObject()
            metadata["resourceVersion"] = .string(event.resourceVersion)
            if event.isInitialEventsEnd {
                metadata["annotations"] = ["k8s.io/initial-events-end": "true"]
            }
            var tree = JSONObject()
            tree["kind"] = .string(codec.descriptor.kind)
            tree["apiVersion"] = .string(codec.descriptor.apiVersion)
            tree["metadata"] = .object(metadata)
            object = .object(tree)
        case .added, .modified, .deleted:
            do throws(APIError) {
                guard let item = event.object else { throw APIError.internalError("watch event without an object") }
                object = .object(try codec.tree(item))
            } catch {
                type = .error
                object = (try? JSONValueEncoder().encode(error.status)) ?? .object(JSONObject())
            }
        }
        var frame = JSONObject()
        frame["type"] = .string(type.rawValue)
        frame["object"] = object
        var bytes = JSONValue.object(frame).serialized()
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
