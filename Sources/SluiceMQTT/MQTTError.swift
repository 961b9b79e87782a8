/// The one error type of the MQTT module: what failed, with libmosquitto's reason and what to do.
public struct MQTTError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The client could not be created or configured (bad option, bad TLS files).
        public static let setupFailed = Code("setupFailed")
        /// The broker could not be reached or refused the connection.
        public static let connectFailed = Code("connectFailed")
        /// The connection broke.
        public static let connectionLost = Code("connectionLost")
        /// A publish or subscribe was refused.
        public static let requestFailed = Code("requestFailed")
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened and what to do.
    public var message: String
    /// libmosquitto's error text, if it gave one.
    public var cause: String?

    /// Creates an error.
    public init(code: Code, message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { "\(code): \(message)" + (cause.map { " (\($0))" } ?? "") }
}
