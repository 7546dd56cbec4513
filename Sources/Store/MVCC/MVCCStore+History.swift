extension MVCCStore {
    /// What a watcher catching up from history gets: whole revisions, in revision then
    /// sub-revision order.
    package struct HistoryBatch: Sendable {
        package var events: [Event]
        /// The first revision not covered: the watcher's next start.
        package var next: Int64
    }

    /// Collects the changes to keys in `[key, rangeEnd)` at revisions `from...` (up to the current
    /// revision), at most `maxRevisions` revisions that hold a matching change, never splitting one.
    /// Each event carries its previous state when history still holds it.
    ///
    /// The scan visits every key in the range once, so a watcher far behind on a wide range pays
    /// O(keys in range) per batch; empty stretches of history are skipped in one step.
    package func history(key: [UInt8], rangeEnd: [UInt8], from: Int64, maxRevisions: Int) -> HistoryBatch {
        let through = revision
        if from > through { return HistoryBatch(events: [], next: from) }
        var window = Int64(max(1, maxRevisions))
        // Matching revisions in the window are counted per pass; a window holding too many is narrowed.
        while true {
            let end = from > through - window + 1 ? through : from + window - 1
            var collected: [(Event, Int32)] = []
            var revisions = Set<Int64>()
            var nextBeyond = Int64.max
            visitVersions(key: key, rangeEnd: rangeEnd) { copyKey, versions in
                var key: [UInt8]? = nil
                // The first version at or after `from`.
                var low = 0
                var high = versions.count
                while low < high {
                    let mid = (low + high) / 2
                    if versions[mid].modRevision < from { low = mid + 1 } else { high = mid }
                }
                var i = low
                while i < versions.count {
                    let version = versions[i]
                    if version.modRevision > end {
                        nextBeyond = min(nextBeyond, version.modRevision)
                        break
                    }
                    if key == nil { key = copyKey() }
                    let kv = version.keyValue(key!)
                    let previous = i > 0 && versions[i - 1].version != 0 ? versions[i - 1].keyValue(key!) : nil
                    let event =
                        kv.version == 0
                        ? Event(kind: .delete, kv: kv, prevKV: previous) : Event(kind: .put, kv: kv, prevKV: previous)
                    collected.append((event, kv.subRevision))
                    revisions.insert(kv.modRevision)
                    i += 1
                }
            }
            if revisions.count > maxRevisions && window > 1 {
                window = max(1, window / 2)
                continue
            }
            if collected.isEmpty {
                // Nothing in the window: jump to the next change in range, or past the current revision.
                if nextBeyond == .max { return HistoryBatch(events: [], next: through + 1) }
                return history(key: key, rangeEnd: rangeEnd, from: nextBeyond, maxRevisions: maxRevisions)
            }
            collected.sort { a, b in
                a.0.kv.modRevision != b.0.kv.modRevision ? a.0.kv.modRevision < b.0.kv.modRevision : a.1 < b.1
            }
            return HistoryBatch(events: collected.map(\.0), next: end + 1)
        }
    }

    /// Visits the version lists of keys in `[key, rangeEnd)`, each with a function that copies its key.
    func visitVersions(key: [UInt8], rangeEnd: [UInt8], _ body: (_ key: () -> [UInt8], _ versions: KeyVersions) -> Void) {
        if rangeEnd.isEmpty {
            if let versions = index[key] { body({ key }, versions) }
            return
        }
        let upper = KeyRange.upperBound(rangeEnd)
        if let upper, compareBytes(upper, key) <= 0 { return }
        index.forEachEntry(from: key, to: upper) { key, versions in
            body({ Array(key) }, versions)
            return true
        }
    }
}
