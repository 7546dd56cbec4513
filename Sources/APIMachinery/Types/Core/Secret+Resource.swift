extension Secret: Resource {
    public static let descriptor = ResourceDescriptor(
        group: "", version: "v1", kind: "Secret", plural: "secrets", selectableFields: ["type"],
        allowsUnconditionalUpdate: true
    )

    /// Type `Opaque`; `stringData` is folded into `data` (base64), as Kubernetes' conversion does.
    public mutating func applyDefaults() {
        if type == nil { type = "Opaque" }
        if let stringData {
            var data = self.data ?? [:]
            for (key, value) in stringData { data[key] = SecretDataEncoding.encode(Array(value.utf8)) }
            self.data = data
            self.stringData = nil
        }
    }

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        var total = 0
        let keys = Set((data ?? [:]).keys).union((stringData ?? [:]).keys)
        for key in keys.sorted() {
            errors += BuiltinValidation.configKey(key, field: "data[\(key)]")
            if let value = data?[key] {
                if SecretDataEncoding.decode(value) == nil {
                    errors.append(.invalid("data[\(key)]", value: "<secret contents redacted>", "illegal base64 data"))
                }
                total += value.utf8.count / 4 * 3
            }
            total += stringData?[key]?.utf8.count ?? 0
        }
        if total > ConfigMap.maximumDataSize {
            errors.append(
                FieldError(.tooLong, field: "data", detail: "must have at most \(ConfigMap.maximumDataSize) bytes"))
        }
        let present = { (key: String) in data?[key] != nil || stringData?[key] != nil }
        switch type ?? "Opaque" {
        case "kubernetes.io/service-account-token":
            if (metadata.annotations["kubernetes.io/service-account.name"] ?? "").isEmpty {
                errors.append(.required("metadata.annotations[kubernetes.io/service-account.name]"))
            }
        case "kubernetes.io/dockercfg":
            if !present(".dockercfg") { errors.append(.required("data[.dockercfg]")) }
        case "kubernetes.io/dockerconfigjson":
            if !present(".dockerconfigjson") { errors.append(.required("data[.dockerconfigjson]")) }
        case "kubernetes.io/basic-auth":
            if !present("username") && !present("password") {
                errors.append(.required("data[username]", "either username or password is required"))
            }
        case "kubernetes.io/ssh-auth":
            if !present("ssh-privatekey") { errors.append(.required("data[ssh-privatekey]")) }
        case "kubernetes.io/tls":
            if !present("tls.crt") { errors.append(.required("data[tls.crt]")) }
            if !present("tls.key") { errors.append(.required("data[tls.key]")) }
        default: break
        }
        return errors
    }

    /// The type never changes; an immutable Secret keeps its data and stays immutable.
    public func validateUpdate(from old: Secret) -> [FieldError] {
        var errors = validate()
        if (type ?? "Opaque") != (old.type ?? "Opaque") {
            errors.append(.invalid("type", value: BuiltinValidation.quoted(type ?? ""), "field is immutable"))
        }
        if old.immutable == true {
            if immutable != true {
                errors.append(.forbidden("immutable", "field is immutable when `immutable` is set"))
            }
            if data ?? [:] != old.data ?? [:] {
                errors.append(.forbidden("data", "field is immutable when `immutable` is set"))
            }
        }
        return errors
    }

    public func fieldValue(_ path: String) -> String? {
        switch path {
        case "metadata.name": metadata.name
        case "metadata.namespace": metadata.namespace
        case "type": type ?? ""
        default: nil
        }
    }

    public static let strategicMergeSchema: StrategicMergeSchema? = StrategicMergeSchema.objectMeta
}

/// Standard base64 with padding (Secret data), without Foundation.
enum SecretDataEncoding {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
            let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for (position, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "=") {
                guard position >= bytes.count - 2, bytes[position...].allSatisfy({ $0 == UInt8(ascii: "=") }) else {
                    return nil
                }
                break
            }
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }
}
