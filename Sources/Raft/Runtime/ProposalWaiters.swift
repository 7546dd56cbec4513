/// Requests waiting for the entry at a log index, in a ring addressed by index: the driver appends
/// in index order and applies in index order, so no hashing is needed.
struct ProposalWaiters {
    typealias Waiter = RaftNode.State.Waiter

    private var slots: [Waiter?] = []
    /// Slots before `head` are consumed.
    private var head = 0
    /// The index of `slots[0]`.
    private var base: UInt64 = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Stores `waiter` for `index`; returns the waiter it replaces (the index was reused after the
    /// log was truncated by a new leader).
    mutating func insert(_ waiter: Waiter, at index: UInt64) -> Waiter? {
        if count == 0 {
            slots.removeAll(keepingCapacity: true)
            head = 0
            base = index
        } else if index < base {
            // Rare: a re-elected leader reuses indexes below everything pending.
            slots.insert(contentsOf: repeatElement(nil, count: Int(base - index)), at: 0)
            base = index
            head = 0
        }
        let position = Int(index - base)
        if position < head { head = position }
        if position >= slots.count {
            slots.reserveCapacity(position + 1)
            while slots.count < position { slots.append(nil) }
            slots.append(waiter)
            count += 1
            return nil
        }
        let old = slots[position]
        slots[position] = waiter
        if old == nil { count += 1 }
        return old
    }

    /// Removes and returns the waiter for `index`.
    mutating func take(_ index: UInt64) -> Waiter? {
        guard count > 0, index >= base + UInt64(head), index < base + UInt64(slots.count) else { return nil }
        let position = Int(index - base)
        guard let waiter = slots[position] else { return nil }
        slots[position] = nil
        count -= 1
        while head < slots.count && slots[head] == nil { head += 1 }
        if head >= 1024 && head * 2 >= slots.count {
            slots.removeFirst(head)
            base += UInt64(head)
            head = 0
        }
        return waiter
    }

    /// Removes and returns the waiters matching `predicate`.
    mutating func removeAll(where predicate: (Waiter) -> Bool) -> [(index: UInt64, waiter: Waiter)] {
        guard count > 0 else { return [] }
        var removed: [(UInt64, Waiter)] = []
        for position in head..<slots.count {
            if let waiter = slots[position], predicate(waiter) {
                slots[position] = nil
                count -= 1
                removed.append((base + UInt64(position), waiter))
            }
        }
        while head < slots.count && slots[head] == nil { head += 1 }
        return removed
    }
}
