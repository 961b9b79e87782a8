/// The one error type of the upstream module: what failed while forwarding to Kafka, librdkafka's
/// reason, whether trying again can help, and what to do.
///
/// Compare `code` against the static members (`error.code == .queueFull`); the set of codes may
/// grow, so `switch` over them with a `default`.
public struct UpstreamError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// A librdkafka property was unknown or had an invalid value; fix the upstream settings.
        public static let configuration = Code("configuration")
        /// librdkafka could not create the producer from otherwise accepted properties.
        public static let producerCreation = Code("producerCreation")
        /// The producer's local queue is full (`queue.buffering.max.messages` or `.kbytes`): poll
        /// for delivery reports, then produce again. Always retriable.
        public static let queueFull = Code("queueFull")
        /// librdkafka refused to queue a record for another reason (too large, unknown partition…).
        public static let produceFailed = Code("produceFailed")
        /// A queued record was not acknowledged by the broker (timed out, refused…); see
        /// `isRetriable`.
        public static let deliveryFailed = Code("deliveryFailed")
        /// The producer hit a fatal error (for example an idempotence sequence it cannot repair):
        /// it is unusable and must be replaced by a new one.
        public static let unrecoverable = Code("unrecoverable")
        public var description: String { name }
    }

    /// librdkafka's own error: its numeric `rd_kafka_resp_err_t`, its name and its text.
    public struct Cause: Hashable, Sendable, CustomStringConvertible {
        /// The `rd_kafka_resp_err_t` value (negative for local errors, positive for broker errors).
        public var code: Int32
        /// librdkafka's name for it, e.g. `_MSG_TIMED_OUT` or `NOT_ENOUGH_REPLICAS`.
        public var name: String
        /// librdkafka's human-readable text for this occurrence.
        public var reason: String

        /// Creates a cause.
        public init(code: Int32, name: String, reason: String) {
            self.code = code
            self.name = name
            self.reason = reason
        }

        public var description: String { "\(name) (\(code)): \(reason)" }
    }

    /// Where in Sluice the error was raised.
    public struct Location: Hashable, Sendable, CustomStringConvertible {
        /// The function.
        public var function: String
        /// The source file (`#fileID`).
        public var file: String
        /// The line.
        public var line: Int

        /// Creates a location.
        public init(function: String, file: String, line: Int) {
            self.function = function
            self.file = file
            self.line = line
        }

        public var description: String { "\(file):\(line) in \(function)" }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened and what to do, for a person.
    public var message: String
    /// librdkafka's error, when it gave one.
    public var cause: Cause?
    /// Whether the same operation may succeed if tried again (librdkafka's own verdict where it
    /// gives one, otherwise Kafka's list of retriable errors). A fatal error is never retriable.
    public var isRetriable: Bool
    /// Whether the producer is unusable from now on (librdkafka raised a fatal error).
    public var isFatal: Bool
    /// Where it was raised.
    public var location: Location

    /// Creates an error.
    /// - Parameters:
    ///   - code: the kind of failure.
    ///   - message: what happened and what to do.
    ///   - cause: librdkafka's error, if any.
    ///   - isRetriable: whether trying again may help.
    ///   - isFatal: whether the producer is unusable from now on.
    public init(
        code: Code, message: String, cause: Cause? = nil, isRetriable: Bool = false, isFatal: Bool = false,
        function: String = #function, file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.cause = cause
        self.isRetriable = isRetriable && !isFatal
        self.isFatal = isFatal
        self.location = Location(function: function, file: file, line: line)
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let cause { text += " (librdkafka \(cause))" }
        if isFatal { text += " [fatal]" } else if isRetriable { text += " [retriable]" }
        return text
    }
}
