/// An HTTP request as the ``RESTHandler`` sees it, independent of any server: method, decoded path,
/// query parameters, headers and body.
public struct RESTRequest: Sendable {
    /// The HTTP method in upper case (`GET`, `POST`, …).
    public var method: String
    /// The percent-decoded path (`/api/v1/namespaces/default/pods`).
    public var path: String
    /// Query parameters in order, percent-decoded (`+` is a space). A name may repeat.
    public var query: [(name: String, value: String)]
    /// Headers in order; look them up with ``header(_:)`` (names compare case-insensitively).
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// - Parameters:
    ///   - method: the HTTP method (upper-cased here).
    ///   - path: the decoded path, without the query.
    ///   - query: decoded query parameters.
    public init(
        method: String, path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// A request from a raw request target (`/api/v1/pods?labelSelector=app%3Dweb&limit=500`): the path is
    /// percent-decoded and the query parsed like Go's `url.ParseQuery`.
    public init(
        method: String, target: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) {
        let path: Substring
        let rawQuery: Substring
        if let mark = target.firstIndex(of: "?") {
            path = target[..<mark]
            rawQuery = target[target.index(after: mark)...]
        } else {
            path = target[...]
            rawQuery = ""
        }
        self.init(
            method: method, path: Self.percentDecode(path, plusIsSpace: false),
            query: Self.parseQuery(rawQuery), headers: headers, body: body)
    }

    /// The first value of a query parameter.
    public func queryValue(_ name: String) -> String? {
        for item in query where item.name == name { return item.value }
        return nil
    }

    /// Every value of a query parameter, in order.
    public func queryValues(_ name: String) -> [String] {
        query.filter { $0.name == name }.map(\.value)
    }

    /// The first value of a header, its name compared case-insensitively.
    public func header(_ name: String) -> String? {
        for item in headers where Self.equalsIgnoringCase(item.name, name) { return item.value }
        return nil
    }

    /// Parses `a=1&b=x%20y&c` into pairs; `+` decodes to a space and a name without `=` has an empty value.
    public static func parseQuery(_ raw: some StringProtocol) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for part in raw.split(separator: "&", omittingEmptySubsequences: true) {
            if let equals = part.firstIndex(of: "=") {
                result.append(
                    (
                        percentDecode(part[..<equals], plusIsSpace: true),
                        percentDecode(part[part.index(after: equals)...], plusIsSpace: true)
                    ))
            } else {
                result.append((percentDecode(part, plusIsSpace: true), ""))
            }
        }
        return result
    }

    /// Decodes `%XX` escapes (malformed escapes stay as written) and, for queries, `+` as a space.
    public static func percentDecode(_ text: some StringProtocol, plusIsSpace: Bool) -> String {
        let utf8 = Array(text.utf8)
        guard utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else {
            return String(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), index + 2 < utf8.count, let high = hexValue(utf8[index + 1]),
                let low = hexValue(utf8[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 3
                continue
            }
            bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func equalsIgnoringCase(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        AuthenticationHeaders.asciiCaseInsensitiveEquals(lhs, rhs)
    }
}
