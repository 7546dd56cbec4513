// Kubernetes' validation of label keys (qualified names) and label values, shared with metadata validation
// (NameValidation).

extension LabelRequirement {
    /// Why `key` is not a valid label key (a qualified name: an optional DNS-1123 subdomain prefix
    /// of at most 253 characters and a `/`, then a name of at most 63 characters matching
    /// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`), or `nil` when it is valid.
    internal static func keyProblem(_ key: String) -> SelectorError? {
        let messages = NameValidation.qualifiedNameErrors(key)
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
        if !NameValidation.isLabelValueShape(value) {
            messages.append(NameValidation.labelValueMessage)
        }
        guard !messages.isEmpty else {
            return nil
        }
        return SelectorError(
            code: .invalidValue,
            message: "invalid label value: \"\(value)\": at key: \"\(key)\": " + messages.joined(separator: "; ")
        )
    }
}
