/// The last `limit` elements appended, oldest first, in amortized O(1) per append: dropped elements are
/// skipped by an offset and compacted away once they fill half the buffer.
struct BoundedHistory<Element: Sendable>: Sendable {
    let limit: Int
    private var buffer: [Element] = []
    private var head = 0

    init(limit: Int) { self.limit = max(1, limit) }

    /// Appends `element`; returns the element it pushed out, if any.
    @discardableResult
    mutating func append(_ element: Element) -> Element? {
        buffer.append(element)
        guard buffer.count - head > limit else { return nil }
        let dropped = buffer[head]
        head += 1
        if head >= limit {
            buffer.removeFirst(head)
            head = 0
        }
        return dropped
    }

    var elements: [Element] { Array(buffer[head...]) }
}
