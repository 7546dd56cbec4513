/// Fills unset fields of typed resources with their defaults (``Resource/applyDefaults()``), on create and
/// update.
public struct DefaultingAdmission: MutatingAdmissionPlugin {
    public var name: String { "Defaulting" }

    public init() {}

    public func admit(_ request: inout AdmissionRequest) async throws(APIError) {
        guard request.operation != .delete, let object = request.object,
            let type = object as? any Resource
        else { return }
        request.object = Self.defaulted(type)
    }

    static func defaulted<R: Resource>(_ object: R) -> R {
        var copy = object
        copy.applyDefaults()
        return copy
    }
}
