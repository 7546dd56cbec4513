/// Validation helpers the built-in types share, worded like Kubernetes' `validation` packages.
enum BuiltinValidation {
    static let configKeyMessage =
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
        + "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
    static let portRangeMessage = "must be between 1 and 65535, inclusive"
    static let nonNegativeMessage = "must be greater than or equal to 0"
    static let immutableMessage = "field is immutable"
    static let supportedProtocols = ["SCTP", "TCP", "UDP"]

    /// A string rendered as Kubernetes renders an invalid string value: quoted.
    static func quoted(_ value: String) -> String { "\"\(value)\"" }

    /// Lower-case letters and digits (the DNS-1123 alphabet without '-').
    static func isLowerAlphanumeric(_ byte: UInt8) -> Bool { NameValidation.isAlphanumericLower(byte) }

    /// Errors for a name that must be a DNS-1123 label (`spec.containers[0].name`).
    static func dns1123Label(_ value: String, field: String) -> [FieldError] {
        if value.isEmpty { return [.required(field)] }
        var errors: [FieldError] = []
        if value.utf8.count > 63 {
            errors.append(.invalid(field, value: quoted(value), "must be no more than 63 characters"))
        }
        if !NameValidation.isDNS1123Label(value)
            && !(value.utf8.count > 63 && NameValidation.isDNS1123Label(String(value.prefix(63))))
        {
            errors.append(.invalid(field, value: quoted(value), NameValidation.labelMessage))
        }
        return errors
    }

    /// Errors for a ConfigMap or Secret key (`data[key]`).
    static func configKey(_ key: String, field: String) -> [FieldError] {
        var errors: [FieldError] = []
        if key.utf8.count > 253 {
            errors.append(.invalid(field, value: quoted(key), "must be no more than 253 characters"))
        }
        let allowed = key.utf8.allSatisfy { byte in
            isLowerAlphanumeric(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        if key.isEmpty || !allowed { errors.append(.invalid(field, value: quoted(key), configKeyMessage)) }
        if key == "." {
            errors.append(.invalid(field, value: quoted(key), "must not be '.'"))
        } else if key == ".." {
            errors.append(.invalid(field, value: quoted(key), "must not be '..'"))
        } else if key.hasPrefix("..") {
            errors.append(.invalid(field, value: quoted(key), "must not start with '..'"))
        }
        return errors
    }

    /// An error if a port number is outside 1…65535.
    static func portNumber(_ port: Int32?, field: String) -> [FieldError] {
        guard let port else { return [.required(field)] }
        return (1...65535).contains(port) ? [] : [.invalid(field, value: String(port), portRangeMessage)]
    }

    /// Errors for an IANA service name (a named port: 1–15 characters, lower case, at least one letter).
    static func portName(_ name: String, field: String) -> [FieldError] {
        let bytes = Array(name.utf8)
        var errors: [FieldError] = []
        if bytes.count > 15 {
            errors.append(.invalid(field, value: quoted(name), "must be no more than 15 characters"))
        }
        if !bytes.allSatisfy({ isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }) {
            errors.append(
                .invalid(
                    field, value: quoted(name),
                    "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"))
        }
        if name.contains("--") {
            errors.append(.invalid(field, value: quoted(name), "must not contain consecutive hyphens"))
        }
        if !bytes.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) {
            errors.append(.invalid(field, value: quoted(name), "must contain at least one letter (a-z)"))
        }
        if name.hasPrefix("-") || name.hasSuffix("-") {
            errors.append(.invalid(field, value: quoted(name), "must not begin or end with a hyphen"))
        }
        return errors
    }

    /// An error if an optional number is negative.
    static func nonNegative<T: BinaryInteger>(_ value: T?, field: String) -> [FieldError] {
        guard let value, value < 0 else { return [] }
        return [.invalid(field, value: String(value), nonNegativeMessage)]
    }

    /// An error unless a value is in the supported set (a missing value is required).
    static func supported(_ value: String?, _ supported: [String], field: String) -> [FieldError] {
        guard let value, !value.isEmpty else { return [.required(field)] }
        return supported.contains(value) ? [] : [.notSupported(field, value: quoted(value), supported: supported)]
    }

    /// Errors for a non-negative integer or a percentage (`25%`), as rolling updates and budgets take.
    static func intOrPercent(_ value: IntOrString?, field: String, atMost100Percent: Bool = true) -> [FieldError] {
        guard let value else { return [] }
        switch value {
        case .int(let number):
            return number < 0 ? [.invalid(field, value: String(number), nonNegativeMessage)] : []
        case .string(let text):
            guard text.hasSuffix("%"), text.count > 1, text.dropLast().allSatisfy(\.isASCII),
                let percent = Int(text.dropLast()), percent >= 0
            else {
                return [
                    .invalid(
                        field, value: quoted(text),
                        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or "
                            + "'93%', regex used for validation is '[0-9]+%')")
                ]
            }
            if atMost100Percent && percent > 100 {
                return [.invalid(field, value: quoted(text), "must not be greater than 100%")]
            }
            return []
        }
    }

    /// The value `x` would scale to against 100 (so `0` and `"0%"` are both zero).
    static func isZero(_ value: IntOrString?) -> Bool {
        switch value {
        case .int(let number): number == 0
        case .string(let text): text == "0%"
        case nil: true
        }
    }

    /// An error if a value changed between versions.
    static func immutable<T: Equatable>(_ new: T, _ old: T, field: String, render: String) -> [FieldError] {
        new == old ? [] : [.invalid(field, value: render, immutableMessage)]
    }

    // MARK: Label selectors

    /// Whether a selector has no requirement at all.
    static func isEmpty(_ selector: LabelSelector) -> Bool { selector.isEmpty }

    /// Whether a selector matches a set of labels (an invalid selector matches nothing).
    static func matches(_ selector: LabelSelector, labels: [String: String]) -> Bool {
        (try? selector.query())?.matches(labels) ?? false
    }

    /// An error for a selector whose keys, values or operators are invalid.
    static func validate(_ selector: LabelSelector, field: String) -> [FieldError] {
        do {
            _ = try selector.query()
            return []
        } catch {
            return [.invalid(field, value: render(selector), error.message)]
        }
    }

    /// A selector rendered for messages (`{"matchLabels":{"app":"web"}}`).
    static func render(_ selector: LabelSelector) -> String {
        ((try? JSONValueEncoder().encode(selector)) ?? .null).jsonString
    }

    /// Labels rendered for messages (`{"app":"web"}`).
    static func render(_ labels: [String: String]) -> String {
        "{" + labels.keys.sorted().map { "\(quoted($0)):\(quoted(labels[$0]!))" }.joined(separator: ",") + "}"
    }
}
