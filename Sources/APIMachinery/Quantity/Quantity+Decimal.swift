// Exact decimal arithmetic on `mantissa × 10^exponent` pairs for Quantity.

extension Quantity {
    /// Amounts keep fewer than this many significant digits (|mantissa| < 10^37), so a sum of
    /// two aligned mantissas always fits in an `Int128`.
    internal static let maximumDigits = 37

    /// 10^0 through 10^38 (10^38 < 2^127).
    internal static let powersOfTen: [UInt128] = {
        var powers: [UInt128] = []
        var power: UInt128 = 1
        for index in 0...38 {
            powers.append(power)
            if index < 38 {
                power *= 10
            }
        }
        return powers
    }()

    /// The number of decimal digits of a magnitude (1 for zero).
    internal static func digitCount(_ magnitude: UInt128) -> Int {
        var count = 1
        while count <= 38 && magnitude >= powersOfTen[count] {
            count += 1
        }
        return count
    }

    /// Brings `±(magnitude + θ) × 10^exponent` into normal form, where θ is in (0, 1) when
    /// `inexact` is set: the magnitude is rounded up to at most ``maximumDigits`` digits and its
    /// trailing zeros move into the exponent.
    internal static func normalized(
        negative: Bool,
        magnitude: UInt128,
        exponent: Int64,
        inexact: Bool
    ) -> (mantissa: Int128, exponent: Int64) {
        var magnitude = magnitude
        var exponent = exponent
        var inexact = inexact
        let limit = powersOfTen[maximumDigits]
        while magnitude >= limit {
            let (quotient, remainder) = magnitude.quotientAndRemainder(dividingBy: 10)
            inexact = inexact || remainder != 0
            magnitude = quotient
            exponent += 1
        }
        if inexact {
            magnitude += 1
        }
        if magnitude == 0 {
            return (0, 0)
        }
        while magnitude % 10 == 0 {
            magnitude /= 10
            exponent += 1
        }
        let signed = Int128(magnitude)
        return (negative ? -signed : signed, exponent)
    }

    /// Drops the digits of `magnitude × 10^exponent` below `10^minimum`, reporting whether any
    /// of them was non-zero (for rounding up afterwards).
    internal static func truncated(
        magnitude: UInt128,
        exponent: Int64,
        inexact: Bool,
        toExponent minimum: Int64
    ) -> (magnitude: UInt128, exponent: Int64, inexact: Bool) {
        guard exponent < minimum else {
            return (magnitude, exponent, inexact)
        }
        let drop = minimum - exponent
        guard drop <= 38 else {
            // Every digit goes: 10^39 exceeds any UInt128.
            return (0, minimum, inexact || magnitude != 0)
        }
        let (quotient, remainder) = magnitude.quotientAndRemainder(dividingBy: powersOfTen[Int(drop)])
        return (quotient, minimum, inexact || remainder != 0)
    }

    /// Compares two non-negative amounts `a × 10^ea` and `b × 10^eb` (neither with leading zeros).
    internal static func compareMagnitudes(_ a: UInt128, _ ea: Int64, _ b: UInt128, _ eb: Int64) -> Int {
        if a == 0 || b == 0 {
            return a == b ? 0 : (a == 0 ? -1 : 1)
        }
        // The position of the leading digit decides unless it is the same for both.
        let leadingA = Int64(digitCount(a)) + ea
        let leadingB = Int64(digitCount(b)) + eb
        if leadingA != leadingB {
            return leadingA < leadingB ? -1 : 1
        }
        var a = a
        var b = b
        if ea > eb {
            let (scaled, overflow) = a.multipliedReportingOverflow(by: powersOfTen[Int(min(38, ea - eb))])
            if overflow {
                return 1
            }
            a = scaled
        } else if eb > ea {
            let (scaled, overflow) = b.multipliedReportingOverflow(by: powersOfTen[Int(min(38, eb - ea))])
            if overflow {
                return -1
            }
            b = scaled
        }
        return a == b ? 0 : (a < b ? -1 : 1)
    }

    /// The normalized sum of two normalized amounts: exact when it fits in ``maximumDigits``
    /// digits, otherwise rounded up (away from zero) at the last digit kept.
    internal static func sum(
        _ m1: Int128,
        _ e1: Int64,
        _ m2: Int128,
        _ e2: Int64
    ) -> (mantissa: Int128, exponent: Int64) {
        if m1 == 0 {
            return (m2, m2 == 0 ? 0 : e2)
        }
        if m2 == 0 {
            return (m1, e1)
        }
        let (big, bigExponent, small, smallExponent) = e1 >= e2 ? (m1, e1, m2, e2) : (m2, e2, m1, e1)
        let shift = bigExponent - smallExponent
        let bigDigits = Int64(digitCount(big.magnitude))
        if shift <= Int64(maximumDigits) - bigDigits {
            // Both fit at the smaller exponent: |sum| < 2 × 10^37.
            let total = big * Int128(powersOfTen[Int(shift)]) + small
            return normalized(negative: total < 0, magnitude: total.magnitude, exponent: smallExponent, inexact: false)
        }
        // Widen the larger-exponent operand to the full width, then drop the smaller operand's
        // digits below its last digit, remembering whether any was non-zero.
        let widen = Int64(maximumDigits) - bigDigits
        let widened = big * Int128(powersOfTen[Int(widen)])
        let drop = shift - widen
        var kept: Int128 = 0
        var inexact = true
        if drop <= Int64(maximumDigits) {
            let divisor = Int128(powersOfTen[Int(drop)])
            kept = small / divisor
            inexact = small % divisor != 0
        }
        // |kept| < 10^36 <= |widened|, so the sum has the sign of `widened`.
        let total = widened + kept
        var magnitude = total.magnitude
        if inexact && (small < 0) == (big < 0) {
            // The dropped part adds to the magnitude: round it up.
            magnitude += 1
        }
        // When the dropped part subtracts, the truncated magnitude is already the rounded-up one.
        return normalized(negative: total < 0, magnitude: magnitude, exponent: bigExponent - widen, inexact: false)
    }
}
