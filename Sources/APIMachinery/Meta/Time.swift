#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A wall-clock instant with second precision, written as RFC 3339 in UTC (`2024-05-01T10:00:00Z`),
/// like Kubernetes' `metav1.Time`.
public struct Time: Sendable, Hashable, Comparable, RFC3339Coded {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) { self.secondsSinceEpoch = secondsSinceEpoch }

    /// The current wall-clock time, truncated to the second.
    public static func now() -> Time { Time(secondsSinceEpoch: MicroTime.now().microsecondsSinceEpoch / 1_000_000) }

    /// Parses RFC 3339 (any offset, optional fraction; the fraction is dropped).
    public init?(rfc3339 text: String) {
        guard let micros = RFC3339.parse(text) else { return nil }
        secondsSinceEpoch = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
    }

    public var description: String { RFC3339.format(seconds: secondsSinceEpoch, micros: nil) }

    public static func < (lhs: Time, rhs: Time) -> Bool { lhs.secondsSinceEpoch < rhs.secondsSinceEpoch }

    /// This instant moved by a number of seconds.
    public func adding(seconds: Int64) -> Time { Time(secondsSinceEpoch: secondsSinceEpoch + seconds) }
}

/// A wall-clock instant with microsecond precision (`2024-05-01T10:00:00.000000Z`), like `metav1.MicroTime`
/// (Lease renew times, Event times).
public struct MicroTime: Sendable, Hashable, Comparable, RFC3339Coded {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) { self.microsecondsSinceEpoch = microsecondsSinceEpoch }

    /// The current wall-clock time.
    public static func now() -> MicroTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return MicroTime(microsecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000)
    }

    public init?(rfc3339 text: String) {
        guard let micros = RFC3339.parse(text) else { return nil }
        microsecondsSinceEpoch = micros
    }

    public var description: String {
        let seconds = microsecondsSinceEpoch >= 0
            ? microsecondsSinceEpoch / 1_000_000 : (microsecondsSinceEpoch - 999_999) / 1_000_000
        return RFC3339.format(seconds: seconds, micros: microsecondsSinceEpoch - seconds * 1_000_000)
    }

    public static func < (lhs: MicroTime, rhs: MicroTime) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }
}

/// A time written in JSON as its RFC 3339 text.
public protocol RFC3339Coded: Codable, CustomStringConvertible {
    init?(rfc3339 text: String)
}

extension RFC3339Coded {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let time = Self(rfc3339: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "invalid RFC 3339 time \"\(text)\"")
            )
        }
        self = time
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// RFC 3339 without Foundation: civil-date arithmetic on the proleptic Gregorian calendar.
enum RFC3339 {
    static func daysFromCivil(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func format(seconds: Int64, micros: Int64?) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilFromDays(days)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        func pad(_ value: Int64, _ width: Int) {
            var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
            var rest = value
            for index in stride(from: width - 1, through: 0, by: -1) {
                digits[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            bytes.append(contentsOf: digits)
        }
        pad(year, 4)
        bytes.append(UInt8(ascii: "-"))
        pad(month, 2)
        bytes.append(UInt8(ascii: "-"))
        pad(day, 2)
        bytes.append(UInt8(ascii: "T"))
        pad(secondOfDay / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        pad(secondOfDay / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        pad(secondOfDay % 60, 2)
        if let micros {
            bytes.append(UInt8(ascii: "."))
            pad(micros, 6)
        }
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Microseconds since the epoch, or nil when the text is not RFC 3339.
    static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int64? {
            guard index + width <= bytes.count else { return nil }
            var value: Int64 = 0
            for _ in 0..<width {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
                index += 1
            }
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            expect("Tt "), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
            let second = number(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60,
            second < 61
        else { return nil }
        var micros: Int64 = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                if digits < 6 { micros = micros * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) { micros *= 10 }
        }
        var offset: Int64 = 0
        guard index < bytes.count else { return nil }
        if expect("Zz") {
        } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign: Int64 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHours = number(2), expect(":"), let offsetMinutes = number(2), offsetHours < 24,
                offsetMinutes < 60
            else { return nil }
            offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return seconds * 1_000_000 + micros
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
