// JSON form of a quantity: a string in canonical form; a number is accepted on decode.

extension Quantity: Codable {
    /// Decodes a quantity from a string (surrounding whitespace ignored, as Kubernetes does), a
    /// JSON number, or null (zero).
    ///
    /// An integer number is read exactly; any other number is read through its shortest `Double`
    /// form, so it is exact to about 15 significant digits (write larger precision as a string).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self.init()
            return
        }
        let text: String
        if let string = try? container.decode(String.self) {
            text = Quantity.trimmingWhitespace(string)
        } else if let integer = try? container.decode(Int64.self) {
            self.init(integer: integer)
            return
        } else if let number = try? container.decode(Double.self), number.isFinite {
            text = String(number)
        } else {
            throw DecodingError.typeMismatch(
                Quantity.self,
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: "a quantity must be a string or a number"
                )
            )
        }
        do {
            self = try Quantity(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the canonical string (``description``).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static func trimmingWhitespace(_ string: String) -> String {
        func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
        }
        let bytes = string.utf8
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
            let last = bytes.lastIndex(where: { !isSpace($0) })
        else {
            return ""
        }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
