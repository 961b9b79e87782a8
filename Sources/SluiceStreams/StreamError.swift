/// The one error type of stream processing: what failed, what to do, and the cause.
public struct StreamError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// A checkpoint's state could not be decoded.
        public static let corruptState = Code("corruptState")
        /// The log could not be read or written.
        public static let log = Code("log")
        /// The catalog could not be read or written.
        public static let catalog = Code("catalog")
        public var description: String { name }
    }

    /// The kind of problem.
    public var code: Code
    /// What happened and what to do.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    static let truncatedState = StreamError(
        code: .corruptState, message: "the checkpointed operator state is truncated or malformed; the job starts with empty state")

    public var description: String { "\(code): \(message)" }
}
