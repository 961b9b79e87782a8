/// One partition of one topic: the key under which cursors and committed offsets are kept.
///
/// A plain value; `Sendable` and safe to share between threads.
public struct TopicPartitionKey: Hashable, Sendable, CustomStringConvertible {
    /// The topic's name, as the log names it (`sensors`, `_dead_letters`…).
    public var topic: String
    /// The partition's number, from 0.
    public var partition: Int

    /// Creates a key.
    /// - Parameters:
    ///   - topic: The topic's name.
    ///   - partition: The partition's number, from 0.
    public init(topic: String, partition: Int) {
        self.topic = topic
        self.partition = partition
    }

    /// `topic-partition`, as Kafka tools print it.
    public var description: String { "\(topic)-\(partition)" }
}
