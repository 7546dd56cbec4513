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
        if number.rounded() == number && abs(number) < 1e21 {
            if abs(number) < 9.2e18 {
                writeInteger(Int64(number))
            } else {
                bytes.append(contentsOf: Array(String(format21: number).utf8))
            }
            return
        }
        bytes.append(contentsOf: Array(number.description.utf8))
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
    /// A large integral double written in plain decimal digits, as Go does below 1e21.
    fileprivate init(format21 number: Double) {
        var digits: [Character] = []
        var value = abs(number)
        while value >= 1 {
            let digit = value.truncatingRemainder(dividingBy: 10)
            digits.append(Character(String(Int(digit))))
            value = (value - digit) / 10
        }
        self = (number < 0 ? "-" : "") + String(digits.reversed())
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
