// Parsing Kubernetes quantity strings.

extension Quantity {
    /// Parses a quantity the way Kubernetes' `ParseQuantity` does.
    ///
    /// The grammar:
    ///
    /// ```
    /// <quantity>        ::= <signedNumber><suffix>
    /// <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
    /// <signedNumber>    ::= <number> | "+" <number> | "-" <number>
    /// <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
    /// <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
    /// <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
    /// <decimalExponent> ::= "e" <signedInteger> | "E" <signedInteger>   (within ±2147483647)
    /// ```
    ///
    /// No whitespace is allowed. The value is rounded up (away from zero) to a whole number of
    /// nano units; a ``Format/binarySI`` value is capped at ±(2^63 - 1) and one strictly between
    /// -1 and 1 switches to ``Format/decimalSI``, as in Kubernetes. Unlike Kubernetes'
    /// implementation (but as its documented grammar says), a number needs at least one digit:
    /// `Mi`, `.` and `-` are refused rather than read as zero.
    ///
    /// - Parameter string: The text, such as `"1.5Gi"`, `"100m"` or `"2e3"`.
    /// - Throws: ``QuantityError`` naming `string` when it does not match the grammar.
    public init(parsing string: String) throws(QuantityError) {
        let bytes = Array(string.utf8)
        var index = 0
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            index = 1
        }
        let integerDigits = Quantity.scanDigits(bytes, from: &index)
        var fractionDigits = index..<index
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            fractionDigits = Quantity.scanDigits(bytes, from: &index)
        }
        guard !integerDigits.isEmpty || !fractionDigits.isEmpty else {
            throw QuantityError(code: .invalidFormat, input: string)
        }
        let suffix = try Quantity.interpretSuffix(bytes[index...], input: string)

        // Accumulate the significant digits, keeping at most `maximumDigits` of them.
        var magnitude: UInt128 = 0
        var kept = 0
        var dropped: Int64 = 0
        var inexact = false
        for position in Array(integerDigits) + Array(fractionDigits) {
            let digit = bytes[position] &- UInt8(ascii: "0")
            if kept == 0 && digit == 0 {
                continue
            }
            if kept < Quantity.maximumDigits {
                magnitude = magnitude * 10 + UInt128(digit)
                kept += 1
            } else {
                dropped += 1
                inexact = inexact || digit != 0
            }
        }
        let exponent = suffix.decimalExponent - Int64(fractionDigits.count) + dropped

        guard suffix.binaryPower > 0 else {
            let nano = Quantity.truncated(magnitude: magnitude, exponent: exponent, inexact: inexact, toExponent: -9)
            let (m, e) = Quantity.normalized(
                negative: negative,
                magnitude: nano.magnitude,
                exponent: nano.exponent,
                inexact: nano.inexact
            )
            self.init(mantissa: m, exponent: e, format: suffix.format)
            return
        }
        if inexact {
            // More than `maximumDigits` significant digits: round up at the last one kept.
            magnitude += 1
        }
        self = Quantity.binary(negative: negative, magnitude: magnitude, exponent: exponent, bits: suffix.binaryPower)
    }

    /// The value of `±magnitude × 10^exponent × 2^bits`, rounded up to nano units and capped at
    /// 2^63 - 1 in magnitude; ``Format/decimalSI`` when strictly between -1 and 1.
    private static func binary(negative: Bool, magnitude: UInt128, exponent: Int64, bits: Int) -> Quantity {
        if magnitude == 0 {
            return Quantity(mantissa: 0, exponent: 0, format: .binarySI)
        }
        let capped: Quantity = {
            let (m, e) = normalized(negative: negative, magnitude: UInt128(Int64.max), exponent: 0, inexact: false)
            return Quantity(mantissa: m, exponent: e, format: .binarySI)
        }()
        let capInNanos = UInt128(Int64.max) * powersOfTen[9]
        // The value in nano units, rounded up.
        var nanos: UInt128
        let nanoExponent = exponent + 9
        if nanoExponent >= 0 {
            guard nanoExponent <= 38 else {
                return capped
            }
            let (shifted, overflow1) = magnitude.multipliedReportingOverflow(by: UInt128(1) << bits)
            let (scaled, overflow2) = shifted.multipliedReportingOverflow(by: powersOfTen[Int(nanoExponent)])
            guard !overflow1 && !overflow2 else {
                return capped
            }
            nanos = scaled
        } else {
            // nanos = ceil(magnitude × 2^bits / 10^digits), by long division one bit at a time so
            // that nothing overflows.
            var digits = -nanoExponent
            var numerator = magnitude
            if digits > 38 {
                // Beyond 38 fractional digits below the nano: round up there first.
                let coarse = truncated(magnitude: numerator, exponent: -digits, inexact: false, toExponent: -38)
                numerator = coarse.inexact ? coarse.magnitude + 1 : coarse.magnitude
                digits = 38
            }
            let divisor = powersOfTen[Int(digits)]
            let (quotient, initialRemainder) = numerator.quotientAndRemainder(dividingBy: divisor)
            var remainder = initialRemainder
            var fraction: UInt128 = 0
            for _ in 0..<bits {
                remainder <<= 1
                fraction <<= 1
                if remainder >= divisor {
                    remainder -= divisor
                    fraction |= 1
                }
            }
            guard quotient == 0 || quotient.leadingZeroBitCount > bits else {
                return capped
            }
            nanos = (quotient << bits) + fraction
            if remainder != 0 {
                nanos += 1
            }
        }
        guard nanos <= capInNanos else {
            return capped
        }
        let (m, e) = normalized(negative: negative, magnitude: nanos, exponent: -9, inexact: false)
        return Quantity(mantissa: m, exponent: e, format: nanos < powersOfTen[9] ? .decimalSI : .binarySI)
    }

    /// Advances `index` over ASCII digits and returns their positions.
    private static func scanDigits(_ bytes: [UInt8], from index: inout Int) -> Range<Int> {
        let start = index
        while index < bytes.count && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9") {
            index += 1
        }
        return start..<index
    }

    /// What a suffix means: `value × 10^decimalExponent × 2^binaryPower`.
    private struct Suffix {
        var decimalExponent: Int64
        var binaryPower: Int
        var format: Format
    }

    private static let decimalSuffixes: [String: Int64] = [
        "": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
    ]

    private static let binarySuffixes: [String: Int] = [
        "Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60,
    ]

    private static func interpretSuffix(_ bytes: ArraySlice<UInt8>, input: String) throws(QuantityError) -> Suffix {
        let text = String(decoding: bytes, as: UTF8.self)
        if let exponent = decimalSuffixes[text] {
            return Suffix(decimalExponent: exponent, binaryPower: 0, format: .decimalSI)
        }
        if let bits = binarySuffixes[text] {
            return Suffix(decimalExponent: 0, binaryPower: bits, format: .binarySI)
        }
        if bytes.count > 1, let first = bytes.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E"),
            let exponent = parseExponent(bytes.dropFirst())
        {
            return Suffix(decimalExponent: exponent, binaryPower: 0, format: .decimalExponent)
        }
        // Kubernetes' scanner takes `[eEinumkKMGTP]*[-+]?[0-9]*` as a suffix and refuses
        // anything else as malformed; a suffix of that shape that means nothing is a suffix error.
        var rest = bytes[...]
        while let byte = rest.first, "eEinumkKMGTP".utf8.contains(byte) {
            rest = rest.dropFirst()
        }
        if let byte = rest.first, byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") {
            rest = rest.dropFirst()
        }
        let shapeIsValid = rest.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        throw QuantityError(code: shapeIsValid ? .invalidSuffix : .invalidFormat, input: input)
    }

    /// `[+-]?[0-9]+` within ±2147483647 (Kubernetes refuses what an int32 scale cannot hold).
    private static func parseExponent(_ bytes: ArraySlice<UInt8>) -> Int64? {
        var digits = bytes[...]
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else {
            return nil
        }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else {
                return nil
            }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            guard value <= Int64(Int32.max) else {
                return nil
            }
        }
        return negative ? -value : value
    }
}

extension Quantity: LosslessStringConvertible {
    /// Parses a quantity, or returns `nil` when `description` is not valid (see ``init(parsing:)``).
    public init?(_ description: String) {
        guard let parsed = try? Quantity(parsing: description) else {
            return nil
        }
        self = parsed
    }
}
