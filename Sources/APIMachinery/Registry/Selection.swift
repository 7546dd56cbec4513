/// A list or watch's label and field selectors, parsed and checked against the type's selectable fields.
struct Selection: Sendable {
    let labels: LabelQuery
    let fields: FieldQuery
    let type: ResourceType

    init(labelSelector: String, fieldSelector: String, type: ResourceType) throws(APIError) {
        do {
            labels = try LabelQuery(parsing: labelSelector)
        } catch {
            throw APIError.badRequest("unable to parse requirement: \(error)")
        }
        do {
            fields = try FieldQuery(parsing: fieldSelector)
        } catch {
            throw APIError.badRequest("invalid field selector: \(error)")
        }
        let supported = Set(["metadata.name", "metadata.namespace"] + type.descriptor.selectableFields)
        for requirement in fields.requirements where !supported.contains(requirement.field) {
            throw APIError.badRequest("field label not supported: \(requirement.field)")
        }
        self.type = type
    }

    var isEverything: Bool { labels.isEverything && fields.requirements.isEmpty }

    /// The single name a `metadata.name=` selector pins, if any.
    var exactName: String? { fields.exactValue(for: "metadata.name") }

    func matches(_ entry: ObjectCache.Entry) -> Bool {
        guard labels.matches(entry.labels) else { return false }
        if fields.requirements.isEmpty { return true }
        return fields.matches { path in
            switch path {
            case "metadata.name": entry.name
            case "metadata.namespace": entry.namespace
            default: type.fieldValue(entry.object, path)
            }
        }
    }

    func matches(_ object: any APIObject) -> Bool {
        let meta = object.metadata
        guard labels.matches(meta.labels) else { return false }
        if fields.requirements.isEmpty { return true }
        return fields.matches { path in
            switch path {
            case "metadata.name": meta.name
            case "metadata.namespace": meta.namespace
            default: type.fieldValue(object, path)
            }
        }
    }
}
