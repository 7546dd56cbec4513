// Kubernetes' canonical form of a quantity (`CanonicalizeBytes`).

extension Quantity: CustomStringConvertible {
    /// The canonical form, as Kubernetes writes it: no fractional digits, the largest suffix that
    /// loses no precision, and a sign only when negative.
    ///
    /// - ``Format/decimalSI``: `1.5` → `1500m`, `1000m` → `1`, `1000M` → `1G`; past `E` or below
    ///   `n`, a decimal exponent (`1e21`).
    /// - ``Format/decimalExponent``: `2e3` → `2e3`, `1.5e3` → `1500`, `0.08` → `80e-3`.
    /// - ``Format/binarySI``: `1.5Gi` → `1536Mi`, `1024Mi` → `1Gi`, `1.5Ki` → `1536`; a value
    ///   strictly between -1024 and 1024, or one that is not a whole number, is written as
    ///   ``Format/decimalSI`` (`0.5Mi` → `512Ki`, but `0.5Ki` → `512` and `100.035Ki` → `102435840m`).
    public var description: String {
        if mantissa == 0 {
            return "0"
        }
        let magnitude = mantissa.magnitude
        let body: String
        switch format {
        case .decimalSI, .decimalExponent:
            body = Quantity.decimalBody(magnitude, exponent, format)
        case .binarySI:
            body = binaryBody(magnitude)
        }
        return mantissa < 0 ? "-" + body : body
    }

    private func binaryBody(_ magnitude: UInt128) -> String {
        // Small or fractional binary amounts are written as DecimalSI: no rounding, no confusion.
        guard exponent >= 0, Quantity.compareMagnitudes(magnitude, exponent, 1024, 0) >= 0 else {
            return Quantity.decimalBody(magnitude, exponent, .decimalSI)
        }
        guard exponent <= 38,
            case let (whole, overflow) = magnitude.multipliedReportingOverflow(
                by: Quantity.powersOfTen[Int(exponent)]
            ),
            !overflow
        else {
            return Quantity.decimalBody(magnitude, exponent, .decimalExponent)
        }
        var value = whole
        var power = 0
        while power < 7 && value & 1023 == 0 {
            value >>= 10
            power += 1
        }
        guard power <= 6 else {
            // No binary suffix past Ei: an exact decimal form instead.
            return Quantity.decimalBody(magnitude, exponent, .decimalExponent)
        }
        return String(value) + ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][power]
    }

    private static func decimalBody(_ magnitude: UInt128, _ exponent: Int64, _ format: Format) -> String {
        var digits = String(magnitude)
        var exponent = exponent
        // Bring the exponent down to a multiple of three.
        let excess = ((exponent % 3) + 3) % 3
        if excess > 0 {
            digits += String(repeating: "0", count: Int(excess))
            exponent -= excess
        }
        if format == .decimalSI, let suffix = decimalSISuffix(exponent) {
            return digits + suffix
        }
        return exponent == 0 ? digits : digits + "e" + String(exponent)
    }

    private static func decimalSISuffix(_ exponent: Int64) -> String? {
        switch exponent {
        case -9: "n"
        case -6: "u"
        case -3: "m"
        case 0: ""
        case 3: "k"
        case 6: "M"
        case 9: "G"
        case 12: "T"
        case 15: "P"
        case 18: "E"
        default: nil
        }
    }
}
