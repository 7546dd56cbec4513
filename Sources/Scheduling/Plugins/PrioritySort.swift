/// Orders the active queue by priority (higher first), then by the time the pod entered the queue.
public struct PrioritySort: QueueSortPlugin {
    public let name = "PrioritySort"

    public init() {}

    public func less(_ lhs: QueuedPodInfo, _ rhs: QueuedPodInfo) -> Bool { Self.ordered(lhs, rhs) }

    static func ordered(_ lhs: QueuedPodInfo, _ rhs: QueuedPodInfo) -> Bool {
        let left = lhs.podInfo.priority
        let right = rhs.podInfo.priority
        return left > right || (left == right && lhs.timestamp < rhs.timestamp)
    }
}
