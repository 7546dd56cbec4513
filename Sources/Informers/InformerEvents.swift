/// An informer's notifications as an async sequence (see ``SharedInformer/events(bufferCapacity:)``).
public struct InformerEvents<Object: Sendable>: AsyncSequence, Sendable {
    public typealias Element = InformerEvent<Object>
    public typealias Failure = Never

    /// Unsubscribes when the sequence and all its iterators are gone.
    final class Subscription: Sendable {
        let buffer: NotificationBuffer<Object>
        let onDrop: @Sendable () -> Void

        init(buffer: NotificationBuffer<Object>, onDrop: @escaping @Sendable () -> Void) {
            self.buffer = buffer
            self.onDrop = onDrop
        }

        deinit { onDrop() }
    }

    let subscription: Subscription

    public func makeAsyncIterator() -> Iterator { Iterator(subscription: subscription) }

    public struct Iterator: AsyncIteratorProtocol, Sendable {
        let subscription: Subscription
        var batch: [NotificationBuffer<Object>.Entry] = []
        var index = 0

        /// The next notification; nil once the informer stopped or the task is cancelled. The previous
        /// notification counts as handled (for ``SharedInformer/isIdle``) when this is called.
        public mutating func next() async -> InformerEvent<Object>? {
            while index >= batch.count {
                guard let next = await subscription.buffer.next(max: 64) else { return nil }
                batch = next
                index = 0
            }
            defer { index += 1 }
            return batch[index].event
        }
    }
}
