/// Items waiting for a time, as client-go's delaying queue: a binary min-heap on (ready time, arrival
/// order) with each item's position indexed, so re-adding a waiting item finds and moves it.
struct DelayHeap<Item: Hashable> {
    struct Entry {
        var readyAt: Duration
        /// Breaks ties between equal times: first scheduled, first out.
        var sequence: UInt64
        var item: Item
    }

    private var entries: [Entry] = []
    private var positions: [Item: Int] = [:]
    private var nextSequence: UInt64 = 0

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }
    var first: Entry? { entries.first }

    /// Schedules `item` at `readyAt`; a waiting item only ever moves earlier.
    mutating func schedule(_ item: Item, at readyAt: Duration) {
        if let index = positions[item] {
            guard readyAt < entries[index].readyAt else { return }
            entries[index].readyAt = readyAt
            siftUp(index)
            return
        }
        nextSequence += 1
        entries.append(Entry(readyAt: readyAt, sequence: nextSequence, item: item))
        positions[item] = entries.count - 1
        siftUp(entries.count - 1)
    }

    mutating func popFirst() -> Entry? {
        guard !entries.isEmpty else { return nil }
        swapAt(0, entries.count - 1)
        let entry = entries.removeLast()
        positions[entry.item] = nil
        if !entries.isEmpty { siftDown(0) }
        return entry
    }

    mutating func removeAll() {
        entries.removeAll()
        positions.removeAll()
    }

    private func precedes(_ a: Int, _ b: Int) -> Bool {
        let lhs = entries[a]
        let rhs = entries[b]
        return lhs.readyAt < rhs.readyAt || (lhs.readyAt == rhs.readyAt && lhs.sequence < rhs.sequence)
    }

    private mutating func swapAt(_ a: Int, _ b: Int) {
        guard a != b else { return }
        entries.swapAt(a, b)
        positions[entries[a].item] = a
        positions[entries[b].item] = b
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(child, parent) else { return }
            swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { return }
            var smallest = left
            if left + 1 < entries.count, precedes(left + 1, left) { smallest = left + 1 }
            guard precedes(smallest, parent) else { return }
            swapAt(parent, smallest)
            parent = smallest
        }
    }
}
