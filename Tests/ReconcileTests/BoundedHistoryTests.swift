import Testing

@testable import Reconcile

@Suite("BoundedHistory", .timeLimit(.minutes(2)))
struct BoundedHistoryTests {
    @Test("keeps the last `limit` elements in order and reports each one it pushes out")
    func keepsTheLast() {
        var history = BoundedHistory<Int>(limit: 3)
        var evicted: [Int] = []
        for value in 0..<10 {
            if let dropped = history.append(value) { evicted.append(dropped) }
            #expect(history.elements == Array(max(0, value - 2)...value))
        }
        #expect(evicted == Array(0..<7))
    }
}
