/// The append messages in flight to one follower: a ring buffer of (last index, bytes) bounded in
/// count and in total bytes, freed as acknowledgements arrive.
struct Inflights: Sendable, Hashable {
    private var buffer: [(index: UInt64, bytes: UInt64)] = []
    private var start = 0
    private(set) var count = 0
    private(set) var bytes: UInt64 = 0
    let capacity: Int
    let maxBytes: UInt64

    init(capacity: Int, maxBytes: UInt64) {
        self.capacity = capacity
        self.maxBytes = maxBytes
    }

    var isFull: Bool {
        count == capacity || (maxBytes != 0 && bytes >= maxBytes)
    }

    mutating func add(index: UInt64, bytes entryBytes: UInt64) {
        precondition(count < capacity, "inflights overflow")
        if buffer.count < capacity { buffer.reserveCapacity(capacity) }
        var slot = start + count
        if slot >= capacity { slot -= capacity }
        if slot < buffer.count {
            buffer[slot] = (index, entryBytes)
        } else {
            // Grow lazily: most followers never have many messages in flight.
            while buffer.count < slot { buffer.append((0, 0)) }
            buffer.append((index, entryBytes))
        }
        count += 1
        bytes &+= entryBytes
    }

    /// Frees the messages whose last index is ≤ `index`.
    mutating func freeLE(_ index: UInt64) {
        guard count > 0, buffer[start].index <= index else { return }
        var i = start
        var freed = 0
        var freedBytes: UInt64 = 0
        while freed < count {
            if buffer[i].index > index { break }
            freedBytes &+= buffer[i].bytes
            freed += 1
            i += 1
            if i >= capacity { i -= capacity }
        }
        count -= freed
        bytes &-= freedBytes
        start = count == 0 ? 0 : i
    }

    mutating func reset() {
        count = 0
        start = 0
        bytes = 0
    }

    static func == (lhs: Inflights, rhs: Inflights) -> Bool {
        lhs.count == rhs.count && lhs.bytes == rhs.bytes && lhs.capacity == rhs.capacity
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        hasher.combine(bytes)
    }
}
