import Store
import Testing

@testable import APIMachinery

/// A handler over a fresh server with the test types (Widget, Gadget) registered.
func makeRESTHandler(
    _ configure: (inout APIServer.Options) -> Void = { _ in }, authenticate: RESTHandler.Authenticate? = nil
) async throws -> (RESTHandler, APIServer, KeyValueStore) {
    let (server, store) = try await makeServer(configure)
    let handler = authenticate.map { RESTHandler(server: server, authenticate: $0) } ?? RESTHandler(server: server)
    return (handler, server, store)
}

extension RESTHandler {
    /// Sends a request built from a raw target (`/api/v1/pods?limit=1`) with an optional JSON body.
    func send(
        _ method: String, _ target: String, json: JSONValue? = nil, body: [UInt8]? = nil,
        contentType: String? = nil, headers: [(name: String, value: String)] = []
    ) async -> RESTResponse {
        var headers = headers
        let bytes = body ?? json?.serialized() ?? []
        if let contentType {
            headers.append((name: "Content-Type", value: contentType))
        } else if !bytes.isEmpty {
            headers.append(
                (
                    name: "Content-Type",
                    value: method == "PATCH"
                        ? "application/merge-patch+json" : "application/json"
                ))
        }
        return await handle(RESTRequest(method: method, target: target, headers: headers, body: bytes))
    }
}

extension RESTResponse {
    /// The body parsed as JSON (`null` when it is not JSON).
    var json: JSONValue { (try? JSONValue(parsing: bodyBytes)) ?? .null }

    /// The body as text.
    var text: String { String(decoding: bodyBytes, as: UTF8.self) }
}

/// Reads up to `count` frames of a watch response, as JSON.
func readFrames(_ response: RESTResponse, count: Int) async throws -> [JSONValue] {
    let stream = try #require(response.watchStream)
    var frames: [JSONValue] = []
    var iterator = stream.makeAsyncIterator()
    while frames.count < count, let frame = await iterator.next() {
        #expect(frame.last == UInt8(ascii: "\n"))
        frames.append(try JSONValue(parsing: frame.dropLast()))
    }
    return frames
}

/// A widget body as a client sends it.
func widgetJSON(_ name: String, color: String = "red", replicas: Int64 = 1, labels: JSONValue? = nil) -> JSONValue {
    var metadata = JSONObject()
    metadata["name"] = .string(name)
    if let labels { metadata["labels"] = labels }
    return [
        "apiVersion": "example.com/v1", "kind": "Widget", "metadata": .object(metadata),
        "spec": ["color": .string(color), "replicas": .int(replicas)],
    ]
}

extension JSONValue {
    /// The names of a list's items.
    var itemNames: [String] {
        (self["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue }
    }
}

/// Percent-encodes everything but unreserved characters, for query values.
func queryEscape(_ text: String) -> String {
    var result = ""
    for byte in text.utf8 {
        let scalar = Unicode.Scalar(byte)
        if (scalar.properties.isAlphabetic && byte < 128) || (byte >= 48 && byte <= 57)
            || "-._~".unicodeScalars.contains(scalar)
        {
            result.unicodeScalars.append(scalar)
        } else {
            let hex = String(byte, radix: 16, uppercase: true)
            result += "%" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return result
}
