extension StrategicMergePatch.Merger {
    typealias SMP = StrategicMergePatch

    /// Merges a patch object into an original object (Go's `mergeMap`).
    func mergeObject(_ original: JSONObject, _ patch: JSONObject, path: String) throws(PatchError) -> JSONObject {
        var patch = patch
        if let directive = patch[SMP.directiveMarker] {
            switch directive.stringValue {
            case "replace":
                patch[SMP.directiveMarker] = nil
                return try mergeObject(JSONObject(), patch, path: path)
            case "delete":
                return JSONObject()
            case "merge":
                patch[SMP.directiveMarker] = nil
            default:
                throw .invalidPatch(
                    "unknown patch type \(directive.jsonString) in \(JSONValue.object(patch).jsonString)",
                    path: displayPath(path)
                )
            }
        }
        var original = original
        if let retained = patch[SMP.retainKeysDirective] {
            patch[SMP.retainKeysDirective] = nil
            try retainKeys(retained, in: &original, patch: patch, path: path)
        }

        // $setElementOrder lists, merged together with the list they order.
        var handled: Set<String> = []
        for (key, order) in patch where key.hasPrefix(SMP.setElementOrderPrefix) {
            let field = try directiveField(key, prefix: SMP.setElementOrderPrefix, path: displayPath(path))
            let fieldPath = childPath(path, field)
            guard case .array(let order) = order else {
                throw .invalidPatch("\(key) must be a list", path: displayPath(path))
            }
            let originalList = original[field]?.arrayValue
            var patchList: [JSONValue]?
            if let value = patch[field] {
                guard case .array(let list) = value else {
                    throw .invalidPatch("\(field) must be a list to go with \(key)", path: fieldPath)
                }
                patchList = list
            }
            handled.insert(field)
            var mergeKey: String? = nil
            if case .merge(let key) = listStrategy(fieldPath) { mergeKey = key }
            try validateOrder(
                patchList ?? [], order, mergeKey: objectKey(mergeKey, patchList ?? [], order), path: fieldPath)
            let merged: [JSONValue]
            switch (originalList, patchList) {
            case (let originalList?, nil): merged = originalList
            case (nil, let patchList?): merged = try mergeList([], patchList, path: fieldPath)
            case (let originalList?, let patchList?): merged = try mergeList(originalList, patchList, path: fieldPath)
            case (nil, nil): continue
            }
            let key = objectKey(mergeKey, merged, order)
            let (patchItems, serverOnly) = partition(merged, presentIn: order, mergeKey: key)
            original[field] = .array(
                normalizeOrder(
                    patchItems, serverOnly, patchOrder: order, serverOrder: originalList ?? [], mergeKey: key)
            )
        }

        var deletions: [(field: String, values: JSONValue)] = []
        for (key, patchValue) in patch {
            if handled.contains(key) || key.hasPrefix(SMP.setElementOrderPrefix) { continue }
            if key.hasPrefix(SMP.deleteFromPrimitiveListPrefix) {
                let field = try directiveField(key, prefix: SMP.deleteFromPrimitiveListPrefix, path: displayPath(path))
                deletions.append((field, patchValue))
                continue
            }
            let fieldPath = childPath(path, key)
            if patchValue.isNull {
                original[key] = nil
                continue
            }
            guard let originalValue = original[key] else {
                original[key] = try fresh(patchValue, path: fieldPath)
                continue
            }
            switch (originalValue, patchValue) {
            case (.object(let originalObject), .object(let patchObject)):
                if schema.replacedObjects.contains(fieldPath) {
                    original[key] = try fresh(patchValue, path: fieldPath)
                } else {
                    original[key] = .object(try mergeObject(originalObject, patchObject, path: fieldPath))
                }
            case (.array(let originalList), .array(let patchList)):
                original[key] = .array(try mergeList(originalList, patchList, path: fieldPath))
            default:
                original[key] = try fresh(patchValue, path: fieldPath)
            }
        }
        for (field, values) in deletions {
            guard case .array(let toDelete) = values else {
                throw .invalidPatch(
                    "\(SMP.deleteFromPrimitiveListPrefix)/\(field) must be a list", path: displayPath(path))
            }
            guard case .array(let current)? = original[field] else { continue }
            original[field] = .array(current.filter { !toDelete.contains($0) })
        }
        return original
    }

    func displayPath(_ path: String) -> String { path.isEmpty ? "<root>" : path }

    /// Applies `$retainKeys`: drops the original's members not listed, after checking that the patch sets no
    /// member it does not list.
    func retainKeys(_ retained: JSONValue, in original: inout JSONObject, patch: JSONObject, path: String)
        throws(PatchError)
    {
        guard case .array(let list) = retained else {
            throw .invalidPatch("\(SMP.retainKeysDirective) must be a list of field names", path: displayPath(path))
        }
        let keep = Set(list.compactMap(\.stringValue))
        for (key, value) in patch
        where !value.isNull && !key.hasPrefix(SMP.deleteFromPrimitiveListPrefix)
            && !key.hasPrefix(SMP.setElementOrderPrefix) && !keep.contains(key)
        {
            throw .invalidPatch(
                "field \"\(key)\" is set by the patch but not listed in \(SMP.retainKeysDirective)",
                path: displayPath(path))
        }
        for key in original.keys where !keep.contains(key) {
            original[key] = nil
        }
    }

    /// A patch value for a member the original lacks (or holds with another type): merged into nothing, so
    /// its directives are processed and its `null`s dropped.
    func fresh(_ value: JSONValue, path: String) throws(PatchError) -> JSONValue {
        switch value {
        case .object(let object): return .object(try mergeObject(JSONObject(), object, path: path))
        case .array(let list):
            do throws(PatchError) {
                return .array(try mergeList([], list, path: path))
            } catch {
                // Elements that cannot merge (mixed types, …) are taken whole, as Kubernetes does.
                guard error.code == .invalidDocument else { throw error }
                return value
            }
        default: return value
        }
    }

    enum ElementKind { case objects, scalars }

    /// What a list's elements are; lists of lists and lists mixing types cannot be merged.
    func elementKind(_ lists: [JSONValue]..., path: String) throws(PatchError) -> ElementKind {
        var typeName: String?
        for list in lists {
            for element in list {
                if case .array = element {
                    throw .invalidDocument("lists of lists cannot be merged", path: path)
                }
                if let typeName, typeName != element.typeName {
                    throw .invalidDocument(
                        "list elements are not all of one type (\(typeName), \(element.typeName))",
                        path: path)
                }
                typeName = element.typeName
            }
        }
        return typeName == "object" ? .objects : .scalars
    }

    /// The merge key to order by: the schema's, when the lists hold objects.
    func objectKey(_ mergeKey: String?, _ lists: [JSONValue]...) -> String? {
        guard let mergeKey else { return nil }
        for list in lists {
            if let first = list.first { return first.objectValue == nil ? nil : mergeKey }
        }
        return mergeKey
    }

    /// Merges a patch list into an original list (Go's `mergeSliceHandler` and `mergeSlice`).
    func mergeList(_ original: [JSONValue], _ patch: [JSONValue], path: String) throws(PatchError) -> [JSONValue] {
        guard case .merge(let mergeKey) = listStrategy(path) else { return patch }
        if original.isEmpty && patch.isEmpty { return original }
        let kind = try elementKind(original, patch, path: path)
        var original = original
        var patch = patch
        let merged: [JSONValue]
        let orderKey: String?
        switch kind {
        case .scalars:
            merged = deduplicated(original + patch)
            orderKey = nil
        case .objects:
            guard let mergeKey else {
                throw .invalidDocument("cannot merge a list of objects without a merge key", path: path)
            }
            (original, patch) = try applySpecialElements(original, patch, mergeKey: mergeKey, path: path)
            merged = try mergeElements(original, patch, mergeKey: mergeKey, path: path)
            orderKey = mergeKey
        }
        let (patchItems, serverOnly) = partition(merged, presentIn: patch, mergeKey: orderKey)
        return normalizeOrder(patchItems, serverOnly, patchOrder: patch, serverOrder: original, mergeKey: orderKey)
    }

    /// Handles the patch elements carrying `$patch` (Go's `mergeSliceWithSpecialElements`): returns the
    /// original with deleted elements removed and the patch without its special elements, or, for
    /// `$patch: replace`, the patch's other elements as the new original and nothing left to merge.
    func applySpecialElements(_ original: [JSONValue], _ patch: [JSONValue], mergeKey: String, path: String)
        throws(PatchError) -> ([JSONValue], [JSONValue])
    {
        var original = original
        var rest: [JSONValue] = []
        var replace = false
        for element in patch {
            guard case .object(let object) = element, let directive = object[SMP.directiveMarker] else {
                rest.append(element)
                continue
            }
            switch directive.stringValue {
            case "delete":
                guard let value = object[mergeKey] else {
                    throw .invalidPatch("a $patch: delete element has no merge key \"\(mergeKey)\"", path: path)
                }
                original.removeAll { $0.objectValue?[mergeKey] == value }
            case "replace":
                replace = true
            case "merge":
                throw .invalidPatch("merging lists cannot yet be specified in the patch", path: path)
            default:
                throw .invalidPatch("unknown patch type \(directive.jsonString) in \(element.jsonString)", path: path)
            }
        }
        guard replace else { return (original, rest) }
        var replacement: [JSONValue] = []
        for element in rest {
            replacement.append(try fresh(element, path: path))
        }
        return (replacement, [])
    }

    /// Merges each patch element into the original element with the same merge key, or appends it.
    func mergeElements(_ original: [JSONValue], _ patch: [JSONValue], mergeKey: String, path: String)
        throws(PatchError) -> [JSONValue]
    {
        var result = original
        for element in patch {
            guard case .object(let object) = element else { continue }
            guard let value = object[mergeKey] else {
                throw .invalidPatch(
                    "a list element has no merge key \"\(mergeKey)\": \(element.jsonString)", path: path)
            }
            if let index = result.firstIndex(where: { $0.objectValue?[mergeKey] == value }),
                case .object(let existing) = result[index]
            {
                result[index] = .object(try mergeObject(existing, object, path: path))
            } else {
                result.append(.object(try mergeObject(JSONObject(), object, path: path)))
            }
        }
        return result
    }

    /// Checks that the patch list's elements appear in the `$setElementOrder` list in the same relative order
    /// (Go's `validatePatchWithSetOrderList`).
    func validateOrder(_ patchList: [JSONValue], _ order: [JSONValue], mergeKey: String?, path: String)
        throws(PatchError)
    {
        guard !patchList.isEmpty, !order.isEmpty else { return }
        let relevant = patchList.filter { $0.objectValue?[SMP.directiveMarker] == nil }
        var patchIndex = 0
        var orderIndex = 0
        while patchIndex < relevant.count && orderIndex < order.count {
            if try sameElement(relevant[patchIndex], order[orderIndex], mergeKey: mergeKey, path: path) {
                patchIndex += 1
            }
            orderIndex += 1
        }
        if patchIndex < relevant.count {
            throw .invalidPatch(
                "the order in the patch list \(JSONValue.array(patchList).jsonString) doesn't match the "
                    + "\(SMP.setElementOrderPrefix) list \(JSONValue.array(order).jsonString)",
                path: path
            )
        }
    }

    func sameElement(_ left: JSONValue, _ right: JSONValue, mergeKey: String?, path: String) throws(PatchError) -> Bool
    {
        guard let mergeKey else { return left == right }
        guard let leftValue = left.objectValue?[mergeKey], let rightValue = right.objectValue?[mergeKey] else {
            throw .invalidPatch(
                "an element of a \(SMP.setElementOrderPrefix) list or of its list has no merge key "
                    + "\"\(mergeKey)\"", path: path)
        }
        return leftValue == rightValue
    }

    /// Order-preserving removal of duplicate scalars.
    func deduplicated(_ values: [JSONValue]) -> [JSONValue] {
        var seen: Set<JSONValue> = []
        return values.filter { seen.insert($0).inserted }
    }

    /// The position of an element in a list: by merge key for objects, by value for scalars.
    func position(of element: JSONValue, in list: [JSONValue], mergeKey: String?) -> Int? {
        guard let mergeKey else { return list.firstIndex(of: element) }
        guard let value = element.objectValue?[mergeKey] else { return nil }
        return list.firstIndex { $0.objectValue?[mergeKey] == value }
    }

    /// Splits elements into those present in `list` and the rest, keeping their order.
    func partition(_ elements: [JSONValue], presentIn list: [JSONValue], mergeKey: String?)
        -> (present: [JSONValue], absent: [JSONValue])
    {
        var present: [JSONValue] = []
        var absent: [JSONValue] = []
        for element in elements {
            if position(of: element, in: list, mergeKey: mergeKey) != nil {
                present.append(element)
            } else {
                absent.append(element)
            }
        }
        return (present, absent)
    }

    /// Sorts the patch's elements by `patchOrder` and the original-only ones by `serverOrder`, then merges the
    /// two (Go's `normalizeElementOrder` and `mergeSortedSlice`): an original-only element goes first only when
    /// both are in the original and it comes first there.
    func normalizeOrder(
        _ patchItems: [JSONValue], _ serverOnly: [JSONValue], patchOrder: [JSONValue], serverOrder: [JSONValue],
        mergeKey: String?
    ) -> [JSONValue] {
        let right = sorted(patchItems, by: patchOrder, mergeKey: mergeKey)
        let left = sorted(serverOnly, by: serverOrder, mergeKey: mergeKey)
        var result: [JSONValue] = []
        result.reserveCapacity(left.count + right.count)
        var leftIndex = 0
        var rightIndex = 0
        while leftIndex < left.count || rightIndex < right.count {
            if leftIndex == left.count {
                result.append(right[rightIndex])
                rightIndex += 1
            } else if rightIndex == right.count {
                result.append(left[leftIndex])
                leftIndex += 1
            } else if let leftPosition = position(of: left[leftIndex], in: serverOrder, mergeKey: mergeKey),
                let rightPosition = position(of: right[rightIndex], in: serverOrder, mergeKey: mergeKey),
                leftPosition < rightPosition
            {
                result.append(left[leftIndex])
                leftIndex += 1
            } else {
                result.append(right[rightIndex])
                rightIndex += 1
            }
        }
        return result
    }

    /// A stable sort by position in `order`; elements not in it go last.
    func sorted(_ elements: [JSONValue], by order: [JSONValue], mergeKey: String?) -> [JSONValue] {
        elements.enumerated()
            .map {
                (
                    position: position(of: $0.element, in: order, mergeKey: mergeKey) ?? Int.max, index: $0.offset,
                    element: $0.element
                )
            }
            .sorted { ($0.position, $0.index) < ($1.position, $1.index) }
            .map(\.element)
    }
}
