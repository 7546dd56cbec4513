extension StrategicMergePatch.Merger {
    /// The patch turning one object into another (Go's `diffMaps` with `SetElementOrder`).
    func diffObjects(_ original: JSONObject, _ modified: JSONObject, path: String) -> JSONObject {
        var patch = JSONObject()
        for (key, value) in modified {
            let fieldPath = childPath(path, key)
            guard let old = original[key] else {
                if case .array(let list) = value, lacksMergeKeys(list, path: fieldPath) {
                    patch[key] = .array([[SMP.directiveMarker: "replace"]] + list)
                } else {
                    patch[key] = value
                }
                continue
            }
            if old == value { continue }
            switch (old, value) {
            case (.object(let oldObject), .object(let newObject)):
                if schema.replacedObjects.contains(fieldPath) {
                    patch[key] = value
                } else {
                    let diff = diffObjects(oldObject, newObject, path: fieldPath)
                    if !diff.isEmpty { patch[key] = .object(diff) }
                }
            case (.array(let oldList), .array(let newList)):
                diffLists(key, oldList, newList, path: fieldPath, into: &patch)
            default:
                patch[key] = value
            }
        }
        for (key, _) in original where modified[key] == nil {
            patch[key] = .null
        }
        return patch
    }

    /// Whether a list at a merge-key path has objects without the key (so it can only be replaced whole).
    func lacksMergeKeys(_ list: [JSONValue], path: String) -> Bool {
        guard case .merge(let mergeKey?) = listStrategy(path) else { return false }
        return list.contains { $0.objectValue != nil && $0.objectValue?[mergeKey] == nil }
    }

    /// Adds to `patch` what turns one list into another (Go's `diffLists`).
    func diffLists(
        _ key: String, _ original: [JSONValue], _ modified: [JSONValue], path: String,
        into patch: inout JSONObject
    ) {
        guard case .merge(let mergeKey) = listStrategy(path) else {
            patch[key] = .array(modified)
            return
        }
        let all = original + modified
        let setOrderKey = "\(SMP.setElementOrderPrefix)/\(key)"
        if let mergeKey, all.allSatisfy({ $0.objectValue?[mergeKey] != nil }) {
            var changes: [JSONValue] = []
            for element in modified {
                let value = element.objectValue![mergeKey]!
                guard let old = original.first(where: { $0.objectValue?[mergeKey] == value })?.objectValue else {
                    changes.append(element)
                    continue
                }
                let diff = diffObjects(old, element.objectValue!, path: path)
                guard !diff.isEmpty else { continue }
                var change = JSONObject()
                change[mergeKey] = value
                for (member, memberValue) in diff { change[member] = memberValue }
                changes.append(.object(change))
            }
            for element in original {
                let value = element.objectValue![mergeKey]!
                if !modified.contains(where: { $0.objectValue?[mergeKey] == value }) {
                    changes.append([mergeKey: value, SMP.directiveMarker: "delete"])
                }
            }
            let sameOrder =
                original.count == modified.count
                && zip(original, modified).allSatisfy { $0.objectValue![mergeKey] == $1.objectValue![mergeKey] }
            if !changes.isEmpty { patch[key] = .array(changes) }
            if (!changes.isEmpty || !sameOrder) && !modified.isEmpty {
                patch[setOrderKey] = .array(modified.map { [mergeKey: $0.objectValue![mergeKey]!] })
            }
        } else if !all.contains(where: { $0.objectValue != nil || $0.arrayValue != nil }) {
            var additions: [JSONValue] = []
            for value in modified where !original.contains(value) && !additions.contains(value) {
                additions.append(value)
            }
            var deletions: [JSONValue] = []
            for value in original where !modified.contains(value) && !deletions.contains(value) {
                deletions.append(value)
            }
            if !additions.isEmpty { patch[key] = .array(additions) }
            if !deletions.isEmpty { patch["\(SMP.deleteFromPrimitiveListPrefix)/\(key)"] = .array(deletions) }
            if !modified.isEmpty { patch[setOrderKey] = .array(modified) }
        } else {
            // Not mergeable element by element (objects without their merge key): replace the list whole.
            patch[key] = .array([[SMP.directiveMarker: "replace"]] + modified)
        }
    }
}
