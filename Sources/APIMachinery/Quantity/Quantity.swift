/// A fixed-point amount with a unit suffix: Kubernetes' `resource.Quantity` (`100m`, `1.5Gi`, `2e3`).
///
/// The grammar is Kubernetes' `<signedNumber><suffix>`, where the suffix is a binary unit
/// (`Ki Mi Gi Ti Pi Ei`), a decimal SI unit (`n u m k M G T P E`, or none) or a decimal exponent
/// (`e<int>` / `E<int>`). See ``init(parsing:)``.
///
/// The value is held exactly as a decimal, never as a floating-point number: `1.5Gi` is
/// 1610612736 and `100m` is one tenth. Like Kubernetes, parsing rounds a value up (away from
/// zero) to a whole number of nano units (`0.1n` is `1n`) and caps a ``Format/binarySI`` amount at
/// 2^63 - 1. Equality, hashing and ordering look at the numeric value only, so `1Gi == 1024Mi`,
/// `1000m == 1` and `2e3 == 2k`.
///
/// A quantity remembers the ``Format`` of the suffix it was parsed with and uses it again when it
/// is written out (``description``, `Codable`) in Kubernetes' canonical form: `1.5Gi` becomes
/// `1536Mi`, `0.5` becomes `500m` and `1000m` becomes `1`.
///
/// Precision: amounts carry up to 37 significant decimal digits, with any decimal exponent.
/// Inputs and sums that would need more digits are rounded up (away from zero) at the 37th digit,
/// in the spirit of Kubernetes' "numbers larger or more precise will be capped or rounded up";
/// nothing that appears in a real manifest comes near this limit.
public struct Quantity: Sendable {
    /// How a quantity is written out; chosen by the suffix it was parsed with.
    public enum Format: String, Sendable, Hashable, Codable, CaseIterable {
        /// A decimal exponent: `12e6`.
        case decimalExponent = "DecimalExponent"
        /// A binary unit: `12Mi` (12 × 2^20).
        case binarySI = "BinarySI"
        /// A decimal SI unit: `12M` (12 × 10^6).
        case decimalSI = "DecimalSI"
    }

    /// The significand: the value is `mantissa × 10^exponent`. Normalized: the mantissa has no
    /// trailing decimal zero (zero is `0 × 10^0`) and fewer than ``maximumDigits`` digits, so
    /// equal values have equal representations.
    internal private(set) var mantissa: Int128
    /// The power of ten the mantissa is scaled by.
    internal private(set) var exponent: Int64
    /// How the quantity is written out.
    public var format: Format

    /// A normalized amount; see ``normalized(negative:magnitude:exponent:inexact:)``.
    internal init(mantissa: Int128, exponent: Int64, format: Format) {
        self.mantissa = mantissa
        self.exponent = exponent
        self.format = format
    }

    /// Zero, in ``Format/decimalSI``.
    public init() {
        self.init(mantissa: 0, exponent: 0, format: .decimalSI)
    }

    /// Zero, in ``Format/decimalSI``.
    public static let zero = Quantity()

    /// A whole number of units (Kubernetes' `NewQuantity`).
    ///
    /// - Parameters:
    ///   - integer: The value.
    ///   - format: How the quantity is written out.
    public init(integer: Int64, format: Format = .decimalSI) {
        self.init(scaled: integer, exponent: 0, format: format)
    }

    /// A number of thousandths (Kubernetes' `NewMilliQuantity`): `Quantity(milli: 1500)` is `1500m`.
    ///
    /// - Parameters:
    ///   - milli: The value in thousandths.
    ///   - format: How the quantity is written out.
    public init(milli: Int64, format: Format = .decimalSI) {
        self.init(scaled: milli, exponent: -3, format: format)
    }

    /// `value × 10^exponent`, exactly (Kubernetes' `NewScaledQuantity`).
    ///
    /// - Parameters:
    ///   - value: The significand.
    ///   - exponent: The power of ten it is scaled by.
    ///   - format: How the quantity is written out.
    public init(scaled value: Int64, exponent: Int, format: Format = .decimalSI) {
        let clamped = Int64(max(-(1 << 40), min(1 << 40, exponent)))
        let (m, e) = Quantity.normalized(
            negative: value < 0,
            magnitude: UInt128(value.magnitude),
            exponent: clamped,
            inexact: false
        )
        self.init(mantissa: m, exponent: e, format: format)
    }

    /// Whether the quantity is zero.
    public var isZero: Bool { mantissa == 0 }

    /// -1 if the quantity is negative, 0 if it is zero, 1 if it is positive.
    public var sign: Int { Int(mantissa.signum()) }

    /// The value rounded up (away from zero) to a whole number (Kubernetes' `Value()`).
    ///
    /// Saturates at `Int64.min` / `Int64.max` where Kubernetes would overflow.
    public var value: Int64 { scaledValue(exponent: 0) }

    /// The value in thousandths, rounded up (away from zero) (Kubernetes' `MilliValue()`):
    /// `1.5` is 1500 and `0.0001` is 1.
    ///
    /// Saturates at `Int64.min` / `Int64.max` where Kubernetes would overflow.
    public var milliValue: Int64 { scaledValue(exponent: -3) }

    /// The value divided by `10^exponent`, rounded up (away from zero) (Kubernetes'
    /// `ScaledValue`): `scaledValue(exponent: -3)` is ``milliValue``.
    ///
    /// - Parameter scale: The power of ten to express the value in.
    /// - Returns: The rounded value, saturating at `Int64.min` / `Int64.max`.
    public func scaledValue(exponent scale: Int) -> Int64 {
        if mantissa == 0 {
            return 0
        }
        let shift = exponent - Int64(max(-(1 << 40), min(1 << 40, scale)))
        let magnitude = mantissa.magnitude
        var result: UInt128
        if shift >= 0 {
            guard shift <= 38 else {
                return mantissa < 0 ? .min : .max
            }
            let (product, overflow) = magnitude.multipliedReportingOverflow(by: Quantity.powersOfTen[Int(shift)])
            guard !overflow else {
                return mantissa < 0 ? .min : .max
            }
            result = product
        } else if -shift > 38 {
            result = 1
        } else {
            let (quotient, remainder) = magnitude.quotientAndRemainder(
                dividingBy: Quantity.powersOfTen[Int(-shift)]
            )
            result = remainder == 0 ? quotient : quotient + 1
        }
        if mantissa < 0 {
            return result > UInt128(Int64.max) ? .min : -Int64(result)
        }
        return result > UInt128(Int64.max) ? .max : Int64(result)
    }
}

extension Quantity: Hashable, Comparable {
    public static func == (lhs: Quantity, rhs: Quantity) -> Bool {
        lhs.mantissa == rhs.mantissa && lhs.exponent == rhs.exponent
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(mantissa)
        hasher.combine(exponent)
    }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// -1, 0 or 1 as `lhs` is less than, equal to or greater than `rhs` (Kubernetes' `Cmp`).
    internal static func compare(_ lhs: Quantity, _ rhs: Quantity) -> Int {
        let lhsSign = lhs.mantissa.signum()
        let rhsSign = rhs.mantissa.signum()
        if lhsSign != rhsSign {
            return lhsSign < rhsSign ? -1 : 1
        }
        if lhsSign == 0 {
            return 0
        }
        let order = compareMagnitudes(lhs.mantissa.magnitude, lhs.exponent, rhs.mantissa.magnitude, rhs.exponent)
        return lhsSign > 0 ? order : -order
    }
}

extension Quantity {
    /// Adds two quantities. The result takes the format of `lhs`, or of `rhs` when `lhs` is zero
    /// (as Kubernetes' `Add` does).
    public static func + (lhs: Quantity, rhs: Quantity) -> Quantity {
        let (m, e) = sum(lhs.mantissa, lhs.exponent, rhs.mantissa, rhs.exponent)
        return Quantity(mantissa: m, exponent: e, format: lhs.isZero ? rhs.format : lhs.format)
    }

    /// Subtracts `rhs` from `lhs`. The result takes the format of `lhs`, or of `rhs` when `lhs`
    /// is zero (as Kubernetes' `Sub` does).
    public static func - (lhs: Quantity, rhs: Quantity) -> Quantity {
        let (m, e) = sum(lhs.mantissa, lhs.exponent, -rhs.mantissa, rhs.exponent)
        return Quantity(mantissa: m, exponent: e, format: lhs.isZero ? rhs.format : lhs.format)
    }

    /// The negated quantity, in the same format.
    public static prefix func - (operand: Quantity) -> Quantity {
        Quantity(mantissa: -operand.mantissa, exponent: operand.exponent, format: operand.format)
    }

    /// Adds `rhs` to `lhs`.
    public static func += (lhs: inout Quantity, rhs: Quantity) {
        lhs = lhs + rhs
    }

    /// Subtracts `rhs` from `lhs`.
    public static func -= (lhs: inout Quantity, rhs: Quantity) {
        lhs = lhs - rhs
    }
}

extension Quantity: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// Parses a literal; an invalid literal is a programming error and traps (Kubernetes'
    /// `MustParse`).
    public init(stringLiteral value: String) {
        do {
            self = try Quantity(parsing: value)
        } catch {
            preconditionFailure("invalid quantity literal: \(error)")
        }
    }

    /// A whole number of units in ``Format/decimalSI``.
    public init(integerLiteral value: Int64) {
        self.init(integer: value)
    }
}
