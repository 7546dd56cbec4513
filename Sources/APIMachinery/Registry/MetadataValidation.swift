/// Kubernetes' name and metadata validation rules (apimachinery `validation` and `ValidateObjectMeta`).
public enum NameValidation {
    static let subdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
        + "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
        + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let labelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
        + "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
        + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    static let qualifiedNameMessage =
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
        + "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
        + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    static let labelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
        + "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
        + "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

    static func isAlphanumericLower(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isAlphanumericLower(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    /// RFC 1123 label: at most 63 of `[a-z0-9-]`, alphanumeric at both ends.
    public static func isDNS1123Label(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 63, let first = bytes.first, let last = bytes.last,
            isAlphanumericLower(first), isAlphanumericLower(last)
        else { return false }
        return bytes.allSatisfy { isAlphanumericLower($0) || $0 == UInt8(ascii: "-") }
    }

    /// RFC 1123 subdomain: at most 253 characters of dot-separated labels.
    public static func isDNS1123Subdomain(_ text: some StringProtocol) -> Bool {
        text.utf8.count <= 253 && hasDNS1123SubdomainShape(text)
    }

    /// Dot-separated RFC 1123 labels, whatever the length (Kubernetes reports length separately).
    static func hasDNS1123SubdomainShape(_ text: some StringProtocol) -> Bool {
        guard !text.isEmpty else { return false }
        return Array(text.utf8).split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy {
            part in
            let bytes = part
            guard let first = bytes.first, let last = bytes.last, isAlphanumericLower(first), isAlphanumericLower(last)
            else { return false }
            return bytes.allSatisfy { isAlphanumericLower($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// A label key, annotation key or finalizer: optional `prefix/` (a subdomain) and a name of at most 63.
    public static func qualifiedNameErrors(_ text: String) -> [String] {
        var name = Substring(text)
        var errors: [String] = []
        if let slash = text.firstIndex(of: "/") {
            let prefix = text[..<slash]
            name = text[text.index(after: slash)...]
            if prefix.isEmpty {
                errors.append("prefix part must be non-empty")
            } else if prefix.utf8.count > 253 {
                errors.append("prefix part must be no more than 253 characters")
            } else if !isDNS1123Subdomain(prefix) {
                errors.append("prefix part " + subdomainMessage)
            }
            if name.contains("/") {
                return ["a qualified name " + qualifiedNameMessage + " with an optional DNS subdomain prefix and '/'"]
            }
        }
        if name.isEmpty {
            errors.append("name part must be non-empty")
        } else if name.utf8.count > 63 {
            errors.append("name part must be no more than 63 characters")
        } else if !isLabelValueShape(name) {
            errors.append(qualifiedNameMessage)
        }
        return errors
    }

    static func isLabelValueShape(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last else { return true }
        guard isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
        }
    }

    /// Whether a label value is valid: empty, or at most 63 of `[A-Za-z0-9-_.]` with alphanumeric ends.
    public static func isLabelValue(_ text: String) -> Bool { text.utf8.count <= 63 && isLabelValueShape(text) }

    static func quoted(_ text: String) -> String { JSONValue.string(text).jsonString }

    /// Validates an object's metadata for a type; `isCreate` checks the fields a create must not set.
    static func validate(_ meta: ObjectMeta, descriptor: ResourceDescriptor) -> [FieldError] {
        var errors: [FieldError] = []
        if meta.name.isEmpty {
            if meta.generateName.isEmpty {
                errors.append(.required("metadata.name", "name or generateName is required"))
            }
        } else {
            errors += nameErrors(meta.name, descriptor: descriptor, field: "metadata.name")
        }
        if descriptor.isNamespaced {
            if meta.namespace.isEmpty {
                errors.append(.required("metadata.namespace"))
            } else if !isDNS1123Label(meta.namespace) {
                errors.append(.invalid("metadata.namespace", value: quoted(meta.namespace), labelMessage))
            }
        } else if !meta.namespace.isEmpty {
            errors.append(.forbidden("metadata.namespace", "not allowed on this type"))
        }
        for key in meta.labels.keys.sorted() {
            for message in qualifiedNameErrors(key) {
                errors.append(.invalid("metadata.labels", value: quoted(key), message))
            }
            let value = meta.labels[key]!
            if !isLabelValue(value) {
                let detail = value.utf8.count > 63 ? "must be no more than 63 characters" : labelValueMessage
                errors.append(.invalid("metadata.labels", value: quoted(value), detail))
            }
        }
        var annotationBytes = 0
        for key in meta.annotations.keys.sorted() {
            for message in qualifiedNameErrors(key.lowercased()) {
                errors.append(.invalid("metadata.annotations", value: quoted(key), message))
            }
            annotationBytes += key.utf8.count + meta.annotations[key]!.utf8.count
        }
        if annotationBytes > 262_144 {
            errors.append(FieldError(.tooLong, field: "metadata.annotations", detail: "may not be more than 262144 bytes"))
        }
        for (index, finalizer) in meta.finalizers.enumerated() {
            for message in qualifiedNameErrors(finalizer) {
                errors.append(.invalid("metadata.finalizers[\(index)]", value: quoted(finalizer), message))
            }
        }
        var controllers = 0
        for (index, reference) in meta.ownerReferences.enumerated() {
            let field = "metadata.ownerReferences[\(index)]"
            if reference.apiVersion.isEmpty { errors.append(.invalid("\(field).apiVersion", value: "\"\"", "version must not be empty")) }
            if reference.kind.isEmpty { errors.append(.invalid("\(field).kind", value: "\"\"", "kind must not be empty")) }
            if reference.name.isEmpty { errors.append(.invalid("\(field).name", value: "\"\"", "name must not be empty")) }
            if reference.uid.isEmpty { errors.append(.invalid("\(field).uid", value: "\"\"", "uid must not be empty")) }
            if reference.controller == true { controllers += 1 }
        }
        if controllers > 1 {
            errors.append(.invalid("metadata.ownerReferences", value: "\(controllers)",
                "Only one reference can have Controller set to true"))
        }
        if let grace = meta.deletionGracePeriodSeconds, grace < 0 {
            errors.append(.invalid("metadata.deletionGracePeriodSeconds", value: "\(grace)", "must be >= 0"))
        }
        return errors
    }

    /// Name rules by type: namespaces and services are labels, RBAC objects path segments, others subdomains.
    static func nameErrors(_ name: String, descriptor: ResourceDescriptor, field: String) -> [FieldError] {
        if descriptor.group == "rbac.authorization.k8s.io" {
            if name == "." || name == ".." || name.contains("/") || name.contains("%") {
                return [.invalid(field, value: quoted(name), "may not be '.' or '..' and may not contain '/' or '%'")]
            }
            return []
        }
        if descriptor.isNamespaceType || (descriptor.group.isEmpty && descriptor.plural == "services") {
            return isDNS1123Label(name) ? [] : [.invalid(field, value: quoted(name), labelMessage)]
        }
        return isDNS1123Subdomain(name) ? [] : [.invalid(field, value: quoted(name), subdomainMessage)]
    }
}
