extension JSONPatch {
    /// A JSON Pointer (RFC 6901): `""` is the whole document, `/a/0/b~1c` the member `b/c` of the first element
    /// of member `a`. `~0` stands for `~` and `~1` for `/`.
    struct Pointer: Hashable, Sendable, CustomStringConvertible {
        /// The unescaped reference tokens.
        var tokens: [String]
        /// The pointer as written.
        var description: String

        /// Parses a pointer; `nil` when it neither is empty nor starts with `/`, or has a `~` not followed by `0`
        /// or `1`.
        init?(_ text: String) {
            description = text
            tokens = []
            guard !text.isEmpty else { return }
            guard text.hasPrefix("/") else { return nil }
            for raw in text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst() {
                var token: [UInt8] = []
                token.reserveCapacity(raw.count)
                var iterator = raw.makeIterator()
                while let byte = iterator.next() {
                    guard byte == UInt8(ascii: "~") else {
                        token.append(byte)
                        continue
                    }
                    switch iterator.next() {
                    case UInt8(ascii: "0"): token.append(UInt8(ascii: "~"))
                    case UInt8(ascii: "1"): token.append(UInt8(ascii: "/"))
                    default: return nil
                    }
                }
                tokens.append(String(decoding: token, as: UTF8.self))
            }
        }

        /// Whether `other` points strictly inside the value this pointer designates.
        func isProperPrefix(of other: Pointer) -> Bool {
            other.tokens.count > tokens.count && other.tokens.starts(with: tokens)
        }

        /// The array index a token designates: digits without a leading zero (`"0"` alone is fine). `"-"` and
        /// anything else are not indices.
        static func arrayIndex(_ token: String) -> Int? {
            let utf8 = token.utf8
            guard let first = utf8.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { return nil }
            guard first != UInt8(ascii: "0") || utf8.count == 1 else { return nil }
            guard utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            return Int(token)
        }
    }
}
