import Foundation

/// The opaque `continue` token of a paged list: the revision the first page was read at and the key to
/// resume from (relative to the type's prefix), encoded like Kubernetes' (base64 of a small JSON object).
struct ContinueToken: Sendable, Hashable {
    var revision: Int64
    var start: String

    func encoded() -> String {
        let value: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(revision), "start": .string(start)]
        return Data(value.serialized()).base64EncodedString()
    }

    init(revision: Int64, start: String) {
        self.revision = revision
        self.start = start
    }

    init(decoding token: String) throws(APIError) {
        var padded = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while padded.count % 4 != 0 { padded += "=" }
        guard let data = Data(base64Encoded: padded), let value = try? JSONValue(parsing: Array(data)),
            value["v"]?.stringValue == "meta.k8s.io/v1", let revision = value["rv"]?.intValue,
            let start = value["start"]?.stringValue, !start.hasPrefix("/"), !start.contains("..")
        else {
            throw APIError.badRequest("continue key is not valid: the provided continue parameter is not valid")
        }
        self.revision = revision
        self.start = start
    }
}
