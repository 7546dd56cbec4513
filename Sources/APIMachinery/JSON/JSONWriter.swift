/// Writes JSON the way Go's `encoding/json` (and so the Kubernetes API server) does: compact, members in
/// order, `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u003c`…, integral floats without a fraction.
struct JSONWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .int(let number): writeInteger(number)
        case .double(let number): writeDouble(number)
        case .string(let string): writeString(string)
        case .array(let array):
            bytes.append(UInt8(ascii: "["))
            var first = true
            for element in array {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            var first = true
            for (key, member) in object {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                writeString(key)
                bytes.append(UInt8(ascii: ":"))
                write(member)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    mutating func append(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    mutating func writeInteger(_ number: Int64) {
        if number >= 0 && number < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(number))
            return
        }
        var magnitude = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, enough for 20 digits
        let count = withUnsafeMutableBytes(of: &digits) { raw -> Int in
            var index = raw.count
            repeat {
                index -= 1
                raw[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if number < 0 {
                index -= 1
                raw[index] = UInt8(ascii: "-")
            }
            bytes.append(contentsOf: raw[index...])
            return raw.count - index
        }
        _ = count
    }

    mutating func writeDouble(_ number: Double) {
        // Integral values up to 2^53 are written exactly; other numbers as Go's strconv 'f'/'e' -1 formatting
        // (shortest round-tripping digits), which is what `encoding/json` writes.
        if number.rounded() == number && abs(number) <= 9_007_199_254_740_992
            && !(number == 0 && number.sign == .minus)
        {
            writeInteger(Int64(number))
            return
        }
        bytes.append(contentsOf: Array(String(goFloat: number).utf8))
    }

    mutating func writeString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var utf8 = string.utf8
        let handled = utf8.withContiguousStorageIfAvailable { buffer -> Bool in
            writeEscaped(buffer)
            return true
        }
        if handled == nil {
            var copy = string
            copy.makeContiguousUTF8()
            utf8 = copy.utf8
            utf8.withContiguousStorageIfAvailable { writeEscaped($0) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func writeEscaped(_ buffer: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        var index = 0
        let hex: StaticString = "0123456789abcdef"
        while index < buffer.count {
            let byte = buffer[index]
            var escape: (UInt8, UInt8)? = nil  // (short escape, 0) or (0, byte for \u00XX)
            var width = 1
            switch byte {
            case UInt8(ascii: "\""): escape = (UInt8(ascii: "\""), 0)
            case UInt8(ascii: "\\"): escape = (UInt8(ascii: "\\"), 0)
            case 0x0A: escape = (UInt8(ascii: "n"), 0)
            case 0x0D: escape = (UInt8(ascii: "r"), 0)
            case 0x09: escape = (UInt8(ascii: "t"), 0)
            case 0x08: escape = (UInt8(ascii: "b"), 0)  // Go 1.22+ writes \b and \f short
            case 0x0C: escape = (UInt8(ascii: "f"), 0)
            case 0x00..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"): escape = (0, byte)
            case 0xE2 where index + 2 < buffer.count && buffer[index + 1] == 0x80
                && (buffer[index + 2] == 0xA8 || buffer[index + 2] == 0xA9):
                // U+2028 / U+2029: Go escapes them so the output is safe inside JavaScript.
                width = 3
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<index]))
                append(buffer[index + 2] == 0xA8 ? "\\u2028" : "\\u2029")
                index += width
                runStart = index
                continue
            default: break
            }
            if let (short, raw) = escape {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<index]))
                bytes.append(UInt8(ascii: "\\"))
                if short != 0 {
                    bytes.append(short)
                } else {
                    append("u00")
                    bytes.append(hex.utf8Start[Int(raw >> 4)])
                    bytes.append(hex.utf8Start[Int(raw & 0xF)])
                }
                runStart = index + 1
            }
            index += width
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<buffer.count]))
    }
}

extension String {
    /// A finite double as Go's `encoding/json` writes it: the shortest digits that round-trip, in plain
    /// decimal when 1e-6 <= |x| < 1e21 (`0.00001`, `12345678901234567000`), otherwise in exponent form with
    /// no leading zero in a negative exponent (`1e-7`, `1e+21`).
    fileprivate init(goFloat number: Double) {
        if number == 0 {
            self = number.sign == .minus ? "-0" : "0"
            return
        }
        var text = number.magnitude.description
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var integerPart = Substring(text)
        var fraction = Substring("")
        if let dot = text.firstIndex(of: ".") {
            integerPart = text[..<dot]
            fraction = text[text.index(after: dot)...]
        }
        // value = 0.digits × 10^point
        var digits = Array(integerPart + fraction)
        var point = integerPart.count + exponent
        while digits.count > 1 && digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.count > 1 && digits.last == "0" { digits.removeLast() }
        let sign = number < 0 ? "-" : ""
        let magnitude = number.magnitude
        if magnitude >= 1e-6 && magnitude < 1e21 {
            if point <= 0 {
                self = sign + "0." + String(repeating: "0", count: -point) + String(digits)
            } else if point >= digits.count {
                self = sign + String(digits) + String(repeating: "0", count: point - digits.count)
            } else {
                self = sign + String(digits[..<point]) + "." + String(digits[point...])
            }
            return
        }
        let power = point - 1
        var mantissa = String(digits[0])
        if digits.count > 1 { mantissa += "." + String(digits[1...]) }
        let powerText = power < 0 ? "-\(-power)" : (power < 10 ? "+0\(power)" : "+\(power)")
        self = sign + mantissa + "e" + powerText
    }
}

extension JSONValue {
    /// This value as compact JSON text bytes.
    public func serialized() -> [UInt8] {
        var writer = JSONWriter()
        writer.write(self)
        return writer.bytes
    }

    /// This value as compact JSON text.
    public var jsonString: String { String(decoding: serialized(), as: UTF8.self) }
}
