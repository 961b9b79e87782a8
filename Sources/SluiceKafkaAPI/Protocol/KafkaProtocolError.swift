/// A request the listener cannot decode: the connection that sent it is closed, and the reason
/// logged. (Errors a client can act on travel as Kafka error codes in responses instead.)
public struct KafkaProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, and what the client should change.
    public var message: String

    /// Creates an error with its message.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }

    static func truncated(_ what: String) -> KafkaProtocolError {
        KafkaProtocolError("the request ends inside \(what): it is truncated or its fields do not match its version")
    }
}
