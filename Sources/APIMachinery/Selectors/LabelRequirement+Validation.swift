// Kubernetes' validation of label keys (qualified names) and label values.

extension LabelRequirement {
    private static let qualifiedNameRule =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
        + "alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc')"

    /// Why `key` is not a valid label key (a qualified name: an optional DNS-1123 subdomain prefix
    /// of at most 253 characters and a `/`, then a name of at most 63 characters matching
    /// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`), or `nil` when it is valid.
    internal static func keyProblem(_ key: String) -> SelectorError? {
        let messages = qualifiedNameProblems(key)
        guard !messages.isEmpty else {
            return nil
        }
        return SelectorError(
            code: .invalidKey,
            message: "invalid label key \"\(key)\": " + messages.joined(separator: "; ")
        )
    }

    /// Why `value` is not a valid label value (at most 63 characters, empty or matching
    /// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`), or `nil` when it is valid.
    internal static func valueProblem(_ value: String, key: String) -> SelectorError? {
        var messages: [String] = []
        if value.utf8.count > 63 {
            messages.append("must be no more than 63 characters")
        }
        if !value.isEmpty && !isQualifiedNamePart(value) {
            messages.append(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                    + "and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', "
                    + "or '12345')"
            )
        }
        guard !messages.isEmpty else {
            return nil
        }
        return SelectorError(
            code: .invalidValue,
            message: "invalid label value: \"\(value)\": at key: \"\(key)\": " + messages.joined(separator: "; ")
        )
    }

    private static func qualifiedNameProblems(_ key: String) -> [String] {
        let parts = key.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        var messages: [String] = []
        let name: Substring.UTF8View
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty {
                messages.append("prefix part must be non-empty")
            } else {
                if prefix.count > 253 {
                    messages.append("prefix part must be no more than 253 characters")
                }
                if !isDNSSubdomain(prefix) {
                    messages.append(
                        "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                            + "characters, '-' or '.', and must start and end with an alphanumeric character "
                            + "(e.g. 'example.com')"
                    )
                }
            }
        default:
            return [
                "a qualified name " + qualifiedNameRule
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        }
        if name.isEmpty {
            messages.append("name part must be non-empty")
        } else if name.count > 63 {
            messages.append("name part must be no more than 63 characters")
        }
        if !isQualifiedNamePart(name) {
            messages.append("name part " + qualifiedNameRule)
        }
        return messages
    }

    /// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`
    private static func isQualifiedNamePart<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard let first = bytes.first, isAlphanumeric(first) else {
            return false
        }
        var last = first
        for byte in bytes {
            guard
                isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                    || byte == UInt8(ascii: ".")
            else {
                return false
            }
            last = byte
        }
        return isAlphanumeric(last)
    }

    private static func isQualifiedNamePart(_ string: String) -> Bool {
        isQualifiedNamePart(string.utf8)
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*`
    private static func isDNSSubdomain(_ bytes: Substring.UTF8View) -> Bool {
        for label in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard let first = label.first, let last = label.last,
                isLowerAlphanumeric(first), isLowerAlphanumeric(last),
                label.allSatisfy({ isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") })
            else {
                return false
            }
        }
        return true
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
