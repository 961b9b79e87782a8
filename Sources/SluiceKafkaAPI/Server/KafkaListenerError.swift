/// The listener could not start (its address is taken or not permitted).
public struct KafkaListenerError: Error, Sendable, CustomStringConvertible {
    /// What happened and what to change.
    public var message: String
    /// The message.
    public var description: String { message }
}
