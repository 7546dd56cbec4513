import Foundation
import Testing

@testable import APIMachinery

@Suite("Quantity")
struct QuantityTests {
    // MARK: Parsing: value, format and canonical form (Kubernetes' TestQuantityParse / ParseEmit)

    /// Input, canonical output, format after parsing.
    static let parseTable: [(String, String, Quantity.Format)] = [
        ("0", "0", .decimalSI),
        ("0n", "0", .decimalSI),
        ("0u", "0", .decimalSI),
        ("0m", "0", .decimalSI),
        ("0Ki", "0", .binarySI),
        ("0k", "0", .decimalSI),
        ("0Mi", "0", .binarySI),
        ("0M", "0", .decimalSI),
        ("0Gi", "0", .binarySI),
        ("0G", "0", .decimalSI),
        ("0Ti", "0", .binarySI),
        ("0T", "0", .decimalSI),
        ("0e3", "0", .decimalExponent),
        ("1", "1", .decimalSI),
        // Binary suffixes
        ("1Ki", "1Ki", .binarySI),
        ("8Ki", "8Ki", .binarySI),
        ("7Mi", "7Mi", .binarySI),
        ("6Gi", "6Gi", .binarySI),
        ("5Ti", "5Ti", .binarySI),
        ("4Pi", "4Pi", .binarySI),
        ("3Ei", "3Ei", .binarySI),
        ("10Ti", "10Ti", .binarySI),
        ("100Ti", "100Ti", .binarySI),
        ("1024Ki", "1Mi", .binarySI),
        ("1024Mi", "1Gi", .binarySI),
        ("1.5Gi", "1536Mi", .binarySI),
        ("1.5Ki", "1536", .binarySI),
        ("0.5Mi", "512Ki", .binarySI),
        ("1023", "1023", .decimalSI),
        // Decimal suffixes
        ("5n", "5n", .decimalSI),
        ("4u", "4u", .decimalSI),
        ("3m", "3m", .decimalSI),
        ("9", "9", .decimalSI),
        ("8k", "8k", .decimalSI),
        ("50k", "50k", .decimalSI),
        ("7M", "7M", .decimalSI),
        ("6G", "6G", .decimalSI),
        ("5T", "5T", .decimalSI),
        ("40T", "40T", .decimalSI),
        ("300T", "300T", .decimalSI),
        ("2P", "2P", .decimalSI),
        ("1E", "1E", .decimalSI),
        ("12E", "12E", .decimalSI),
        ("1000m", "1", .decimalSI),
        ("1000M", "1G", .decimalSI),
        ("100m", "100m", .decimalSI),
        // Decimal exponents
        ("1E-3", "1e-3", .decimalExponent),
        ("1e3", "1e3", .decimalExponent),
        ("2e3", "2e3", .decimalExponent),
        ("1E6", "1e6", .decimalExponent),
        ("1e9", "1e9", .decimalExponent),
        ("1E12", "1e12", .decimalExponent),
        ("1e15", "1e15", .decimalExponent),
        ("1E18", "1e18", .decimalExponent),
        ("1e14", "100e12", .decimalExponent),
        ("1e13", "10e12", .decimalExponent),
        ("1e+3", "1e3", .decimalExponent),
        ("1.5e-3", "1500e-6", .decimalExponent),
        // Fractions
        ("100.035k", "100035", .decimalSI),
        ("0.001", "1m", .decimalSI),
        ("0.0005k", "500m", .decimalSI),
        ("0.005", "5m", .decimalSI),
        ("0.05", "50m", .decimalSI),
        ("0.5", "500m", .decimalSI),
        ("0.00050k", "500m", .decimalSI),
        ("0.00500", "5m", .decimalSI),
        ("0.50000", "500m", .decimalSI),
        ("0.5e0", "500e-3", .decimalExponent),
        ("0.5e-1", "50e-3", .decimalExponent),
        ("0.5e-2", "5e-3", .decimalExponent),
        ("10.035M", "10035k", .decimalSI),
        ("1.2e3", "1200", .decimalExponent),
        ("1.3E+6", "1300e3", .decimalExponent),
        ("1.40e9", "1400e6", .decimalExponent),
        ("1.53E12", "1530e9", .decimalExponent),
        ("1.6e15", "1600e12", .decimalExponent),
        ("1.7E18", "1700e15", .decimalExponent),
        ("9.01", "9010m", .decimalSI),
        ("8.1k", "8100", .decimalSI),
        ("7.123456M", "7123456", .decimalSI),
        ("6.987654321G", "6987654321", .decimalSI),
        ("5.444T", "5444G", .decimalSI),
        ("40.1T", "40100G", .decimalSI),
        ("300.2T", "300200G", .decimalSI),
        ("2.5P", "2500T", .decimalSI),
        ("1.01E", "1010P", .decimalSI),
        // Rounded up to nano units, capped for BinarySI
        ("3.001n", "4n", .decimalSI),
        ("1.1E-9", "2e-9", .decimalExponent),
        ("0.0000000001", "1n", .decimalSI),
        ("0.0000000005", "1n", .decimalSI),
        ("0.00000000050", "1n", .decimalSI),
        ("0.5e-9", "1e-9", .decimalExponent),
        ("0.9n", "1n", .decimalSI),
        ("0.00000012345", "124n", .decimalSI),
        ("0.00000012354", "124n", .decimalSI),
        ("1e-2147483647", "1e-9", .decimalExponent),
        ("9Ei", "9223372036854775807", .binarySI),
        ("9223372036854775807Ki", "9223372036854775807", .binarySI),
        // Fractional binary amounts
        ("100.035Ki", "102435840m", .binarySI),
        ("0.05Gi", "53687091200m", .binarySI),
        ("0.025Ti", "27487790694400m", .binarySI),
        ("0.000000000001Ki", "2n", .decimalSI),
        (".001Ki", "1024m", .binarySI),
        (".000001Ki", "1024u", .decimalSI),
        (".000000001Ki", "1024n", .decimalSI),
        // Unusual but valid shapes
        (".001", "1m", .decimalSI),
        (".0001k", "100m", .decimalSI),
        ("1.", "1", .decimalSI),
        ("1.G", "1G", .decimalSI),
        ("+1Ki", "1Ki", .binarySI),
        ("007", "7", .decimalSI),
        // More digits than an Int64 holds, still exact
        ("12345678901234567890123456789", "12345678901234567890123456789", .decimalSI),
        ("123456789012345678901234.5", "123456789012345678901234500m", .decimalSI),
    ]

    @Test("parses and writes the canonical form", arguments: parseTable)
    func parse(input: String, canonical: String, format: Quantity.Format) throws {
        let quantity = try Quantity(parsing: input)
        #expect(quantity.description == canonical)
        #expect(quantity.format == format)
        // The canonical form parses back to the same value.
        #expect(try Quantity(parsing: canonical) == quantity)
    }

    @Test("a leading minus negates every value and keeps its format", arguments: parseTable)
    func parseNegative(input: String, canonical: String, format: Quantity.Format) throws {
        let unsigned = input.hasPrefix("+") ? String(input.dropFirst()) : input
        let quantity = try Quantity(parsing: "-" + unsigned)
        let positive = try Quantity(parsing: input)
        #expect(quantity == -positive)
        #expect(quantity.format == format)
        #expect(quantity.description == (canonical == "0" ? "0" : "-" + canonical))
    }

    @Test("parses exact values")
    func exactValues() throws {
        #expect(try Quantity(parsing: "1.5Gi") == Quantity(integer: 1_610_612_736))
        #expect(try Quantity(parsing: "100m") == Quantity(milli: 100))
        #expect(try Quantity(parsing: "1Ei").value == 1 << 60)
        #expect(try Quantity(parsing: "1e2147483647") > Quantity(parsing: "1e2147483646"))
        #expect(try Quantity(parsing: "1e2147483647").description == "10e2147483646")
    }

    // MARK: Errors

    static let invalidTable: [(String, QuantityError.Code)] = [
        ("", .invalidFormat),
        (" 1", .invalidFormat),
        ("1 ", .invalidFormat),
        ("1 Mi", .invalidFormat),
        ("1.5.5", .invalidFormat),
        ("1.1.M", .invalidFormat),
        ("1+1.0M", .invalidFormat),
        ("aoeu", .invalidFormat),
        ("Mi", .invalidFormat),
        (".", .invalidFormat),
        ("-", .invalidFormat),
        ("e3", .invalidFormat),
        ("1KiB", .invalidFormat),
        ("1Gb", .invalidFormat),
        ("1,5", .invalidFormat),
        ("0.1am", .invalidFormat),
        ("1mi", .invalidSuffix),
        ("0.1mi", .invalidSuffix),
        ("+-1", .invalidFormat),
        (".5i", .invalidSuffix),
        ("1i", .invalidSuffix),
        ("-3.01i", .invalidSuffix),
        ("-3.01e-", .invalidSuffix),
        ("1e", .invalidSuffix),
        ("1K", .invalidSuffix),
        ("1e4294967297", .invalidSuffix),
        ("1e2147483648", .invalidSuffix),
        ("1E-2147483648", .invalidSuffix),
    ]

    @Test("refuses malformed quantities, naming the input", arguments: invalidTable)
    func invalid(input: String, code: QuantityError.Code) {
        #expect {
            try Quantity(parsing: input)
        } throws: { error in
            guard let error = error as? QuantityError else {
                return false
            }
            return error.code == code && error.input == input && error.description.contains("\"\(input)\"")
        }
        #expect(Quantity(input) == nil)
    }

    // MARK: Comparison and hashing

    static let equalPairs: [(Quantity, Quantity)] = [
        ("1Gi", "1024Mi"),
        ("1Gi", "1073741824"),
        ("1.5Gi", "1536Mi"),
        ("1000m", "1"),
        ("2e3", "2k"),
        ("2e3", "2000"),
        ("1k", "1000"),
        ("0.5", "500m"),
        ("1Ki", "1.024k"),
        ("0", "0Gi"),
        ("0", "-0"),
        ("1E", "1e18"),
        ("1.5e-3", "1500u"),
        ("100m", "0.1"),
    ]

    @Test("equal values are equal across formats, and hash alike", arguments: equalPairs)
    func equality(lhs: Quantity, rhs: Quantity) {
        #expect(lhs == rhs)
        #expect(Quantity.compare(lhs, rhs) == 0)
        #expect(!(lhs < rhs) && !(rhs < lhs))
        #expect(lhs.hashValue == rhs.hashValue)
        #expect(Set([lhs, rhs]).count == 1)
    }

    static let orderedPairs: [(Quantity, Quantity)] = [
        ("100m", "1"),
        ("50m", "100m"),
        ("100Gi", "10000T"),
        ("1023", "1Ki"),
        ("999m", "1"),
        ("-1", "0"),
        ("0", "1n"),
        ("-1Gi", "-1G"),
        ("1E", "12E"),
        ("12E", "1e100"),
        ("1.000000001", "1.000000002"),
        ("9223372036854775807", "9223372036854775808"),
        ("-1e100", "-1"),
    ]

    @Test("orders by numeric value", arguments: orderedPairs)
    func ordering(smaller: Quantity, larger: Quantity) {
        #expect(smaller < larger)
        #expect(!(larger < smaller))
        #expect(smaller != larger)
        #expect(Quantity.compare(smaller, larger) == -1)
        #expect(Quantity.compare(larger, smaller) == 1)
    }

    @Test("sorts a mixed list")
    func sorting() {
        let quantities: [Quantity] = ["1Gi", "500Mi", "2", "1500m", "1k", "-1", "0"]
        #expect(quantities.sorted().map(\.description) == ["-1", "0", "1500m", "2", "1k", "500Mi", "1Gi"])
    }

    // MARK: Canonical form of constructed values (Kubernetes' TestQuantityString)

    /// Significand, exponent, format, canonical form, and an alternate spelling that parses to it.
    static let stringTable: [(Int64, Int, Quantity.Format, String, String?)] = [
        (1024 * 1024 * 1024, 0, .binarySI, "1Gi", "1024Mi"),
        (300 * 1024 * 1024, 0, .binarySI, "300Mi", "307200Ki"),
        (6 * 1024, 0, .binarySI, "6Ki", nil),
        (1001 * 1024 * 1024 * 1024, 0, .binarySI, "1001Gi", "1025024Mi"),
        (1024 * 1024 * 1024 * 1024, 0, .binarySI, "1Ti", "1024Gi"),
        (5, 0, .binarySI, "5", "5000m"),
        (500, -3, .binarySI, "500m", "0.5"),
        (1, 9, .decimalSI, "1G", "1000M"),
        (1000, 6, .decimalSI, "1G", "0.001T"),
        (1_000_000, 3, .decimalSI, "1G", nil),
        (1_000_000_000, 0, .decimalSI, "1G", nil),
        (1, -3, .decimalSI, "1m", "1000u"),
        (80, -3, .decimalSI, "80m", nil),
        (1080, -3, .decimalSI, "1080m", "1.08"),
        (108, -2, .decimalSI, "1080m", "1080000000n"),
        (10800, -4, .decimalSI, "1080m", nil),
        (300, 6, .decimalSI, "300M", nil),
        (1, 12, .decimalSI, "1T", nil),
        (1, 18, .decimalSI, "1E", nil),
        (1, 21, .decimalSI, "1e21", "1000E"),
        (5, 21, .decimalSI, "5e21", "5000E"),
        (1, 24, .decimalSI, "1e24", "1000000E"),
        (1, 70, .binarySI, "10e69", nil),
        (2, 70, .binarySI, "20e69", nil),
        (1, 72, .binarySI, "1e72", nil),
        (1_234_567, 6, .decimalSI, "1234567M", nil),
        (1_234_567, -3, .binarySI, "1234567m", nil),
        (3, 3, .decimalSI, "3k", nil),
        (1025, 0, .binarySI, "1025", nil),
        (2000, 0, .binarySI, "2000", nil),
        (0, 0, .decimalSI, "0", nil),
        (0, 0, .binarySI, "0", nil),
        (1, 9, .decimalExponent, "1e9", ".001e12"),
        (1, -3, .decimalExponent, "1e-3", "0.001e0"),
        (1, -9, .decimalExponent, "1e-9", "1000e-12"),
        (80, -3, .decimalExponent, "80e-3", nil),
        (300, 6, .decimalExponent, "300e6", nil),
        (1, 12, .decimalExponent, "1e12", nil),
        (1, 3, .decimalExponent, "1e3", nil),
        (3, 3, .decimalExponent, "3e3", nil),
        (0, 0, .decimalExponent, "0", "00"),
        (1, -9, .decimalSI, "1n", nil),
        (80, -9, .decimalSI, "80n", nil),
        (1080, -9, .decimalSI, "1080n", nil),
        (108, -8, .decimalSI, "1080n", nil),
        (10800, -10, .decimalSI, "1080n", nil),
        (1, -6, .decimalSI, "1u", nil),
        (80, -6, .decimalSI, "80u", nil),
        (1080, -6, .decimalSI, "1080u", nil),
    ]

    @Test("writes constructed values canonically", arguments: stringTable)
    func canonicalString(
        significand: Int64,
        exponent: Int,
        format: Quantity.Format,
        canonical: String,
        alternate: String?
    ) throws {
        let quantity = Quantity(scaled: significand, exponent: exponent, format: format)
        #expect(quantity.description == canonical)
        if significand != 0 {
            #expect((-quantity).description == "-" + canonical)
        }
        #expect(try Quantity(parsing: canonical) == quantity)
        if let alternate {
            #expect(try Quantity(parsing: alternate).description == canonical)
        }
    }

    @Test("below nano there is no suffix: exponent notation (not parse-stable: parsing rounds to nano)")
    func belowNano() throws {
        #expect(Quantity(scaled: 1, exponent: -12).description == "1e-12")
        #expect(Quantity(scaled: 1, exponent: -10).description == "100e-12")
        #expect(try Quantity(parsing: "1e-12") == Quantity(parsing: "1n"))
        #expect(try Quantity(parsing: "-100e-12") == Quantity(parsing: "-1n"))
    }

    @Test("a binary amount past Ei is written exactly in decimal")
    func binaryPastExa() throws {
        var quantity = Quantity(integer: 1 << 60, format: .binarySI)
        for _ in 0..<10 {
            quantity += quantity
        }
        #expect(quantity.description == "1180591620717411303424")
        #expect(try Quantity(parsing: quantity.description) == quantity)
    }

    // MARK: Constructors

    @Test("constructors")
    func constructors() {
        #expect(Quantity(milli: 1500).description == "1500m")
        #expect(Quantity(milli: 2000).description == "2")
        #expect(Quantity(milli: 500, format: .binarySI).description == "500m")
        #expect(Quantity(integer: 1024, format: .binarySI).description == "1Ki")
        #expect(Quantity(integer: 5, format: .binarySI).description == "5")
        #expect(Quantity(integer: 3000).description == "3k")
        #expect(Quantity(integer: .min).description == "-9223372036854775808")
        #expect(Quantity(integer: .min).value == .min)
        #expect(Quantity().isZero)
        #expect(Quantity.zero.description == "0")
        let literal: Quantity = 42
        #expect(literal == Quantity(integer: 42))
        #expect(literal.format == .decimalSI)
        #expect(Quantity("1Gi") == Quantity(integer: 1 << 30))
        #expect(Quantity("garbage" as String) == nil)
    }

    // MARK: Value accessors

    /// Input, value(), milliValue().
    static let valueTable: [(String, Int64, Int64)] = [
        ("0", 0, 0),
        ("1", 1, 1000),
        ("1.5", 2, 1500),
        ("100m", 1, 100),
        ("999m", 1, 999),
        ("1001m", 2, 1001),
        ("0.0001", 1, 1),
        ("1n", 1, 1),
        ("1.0001", 2, 1001),
        ("9.01", 10, 9010),
        ("-1.5", -2, -1500),
        ("-0.0001", -1, -1),
        ("-100m", -1, -100),
        ("1Gi", 1_073_741_824, 1_073_741_824_000),
        ("1.5Gi", 1_610_612_736, 1_610_612_736_000),
        ("2e3", 2000, 2_000_000),
        ("1E", 1_000_000_000_000_000_000, .max),
        ("-1E", -1_000_000_000_000_000_000, .min),
        ("12E", .max, .max),
        ("1e100", .max, .max),
        ("-1e100", .min, .min),
        ("9Ei", .max, .max),
    ]

    @Test("value and milliValue round up away from zero", arguments: valueTable)
    func values(input: String, value: Int64, milliValue: Int64) throws {
        let quantity = try Quantity(parsing: input)
        #expect(quantity.value == value)
        #expect(quantity.milliValue == milliValue)
    }

    @Test("scaledValue, isZero and sign")
    func scaledValueAndSign() throws {
        let quantity = try Quantity(parsing: "1.5Gi")
        #expect(quantity.scaledValue(exponent: 3) == 1_610_613)
        #expect(quantity.scaledValue(exponent: 6) == 1611)
        #expect(quantity.scaledValue(exponent: -9) == 1_610_612_736_000_000_000)
        #expect(try Quantity(parsing: "1n").scaledValue(exponent: 0) == 1)
        #expect(try Quantity(parsing: "1n").scaledValue(exponent: -9) == 1)
        #expect(try Quantity(parsing: "0Gi").isZero)
        #expect(try !Quantity(parsing: "1n").isZero)
        #expect(try Quantity(parsing: "-1n").sign == -1)
        #expect(try Quantity(parsing: "0").sign == 0)
        #expect(try Quantity(parsing: "1n").sign == 1)
    }

    // MARK: Arithmetic

    /// lhs, rhs, lhs + rhs, lhs - rhs (canonical forms).
    static let arithmeticTable: [(String, String, String, String)] = [
        ("1Gi", "512Mi", "1536Mi", "512Mi"),
        ("100m", "900m", "1", "-800m"),
        ("1", "1500m", "2500m", "-500m"),
        ("1Gi", "1G", "2073741824", "73741824"),
        ("2e3", "1k", "3e3", "1e3"),
        ("0", "1Gi", "1Gi", "-1Gi"),
        ("1Gi", "0", "1Gi", "1Gi"),
        ("0", "100m", "100m", "-100m"),
        ("100m", "0", "100m", "100m"),
        ("1Ki", "1Ki", "2Ki", "0"),
        ("9Ei", "9Ei", "18446744073709551614", "0"),
        ("1n", "1E", "1000000000000000000000000001n", "-999999999999999999999999999n"),
    ]

    @Test("adds and subtracts exactly, keeping the left format", arguments: arithmeticTable)
    func arithmetic(lhs: String, rhs: String, sum: String, difference: String) throws {
        let a = try Quantity(parsing: lhs)
        let b = try Quantity(parsing: rhs)
        #expect((a + b).description == sum)
        #expect((a - b).description == difference)
        #expect(a + b == b + a)
        #expect(a - b + b == a)
        var accumulator = a
        accumulator += b
        accumulator -= b
        #expect(accumulator == a)
    }

    @Test("sums beyond 37 digits round up at the last digit kept")
    func hugeSums() throws {
        let huge = try Quantity(parsing: "1e100")
        let tiny = try Quantity(parsing: "1n")
        #expect(huge + tiny > huge)
        #expect(huge + tiny == huge + Quantity(scaled: 1, exponent: 64))
        // The exact difference rounds up (away from zero) to the huge value itself.
        #expect(huge - tiny == huge)
        #expect(-huge + tiny == -huge)
    }

    @Test("sums many CPU requests exactly")
    func accumulate() {
        var total = Quantity.zero
        for _ in 0..<1000 {
            total += Quantity(milli: 100)
        }
        #expect(total == Quantity(integer: 100))
        #expect(total.milliValue == 100_000)
        #expect(total.description == "100")
    }

    // MARK: JSON

    private struct Resources: Codable, Equatable {
        var cpu: Quantity
        var memory: Quantity
        var storage: Quantity?
    }

    @Test("JSON round trip writes canonical strings")
    func jsonRoundTrip() throws {
        let resources = Resources(cpu: "1.5", memory: "1.5Gi", storage: "2e3")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(resources)
        #expect(String(decoding: data, as: UTF8.self) == #"{"cpu":"1500m","memory":"1536Mi","storage":"2e3"}"#)
        let decoded = try JSONDecoder().decode(Resources.self, from: data)
        #expect(decoded == resources)
        #expect(decoded.memory.format == .binarySI)
        #expect(decoded.storage?.format == .decimalExponent)
    }

    /// JSON text, canonical form of the decoded quantity.
    static let jsonInputs: [(String, String)] = [
        (#""100m""#, "100m"),
        (#"" 1Gi ""#, "1Gi"),
        (#""1.5Gi""#, "1536Mi"),
        ("2", "2"),
        ("1024", "1024"),
        ("-3", "-3"),
        ("1.5", "1500m"),
        ("0.25", "250m"),
        ("1e3", "1k"),
        ("null", "0"),
    ]

    @Test("decodes strings, numbers and null", arguments: jsonInputs)
    func jsonDecode(json: String, canonical: String) throws {
        let data = Data("[\(json)]".utf8)
        let decoded = try JSONDecoder().decode([Quantity].self, from: data)
        #expect(decoded.map(\.description) == [canonical])
    }

    @Test("refuses invalid JSON quantities", arguments: [#""1 Mi""#, #""garbage""#, "true", "{}", #""""#])
    func jsonInvalid(json: String) {
        let data = Data("[\(json)]".utf8)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Quantity].self, from: data)
        }
    }
}
