/// What the listener remembers about one client connection between its requests.
struct KafkaConnectionSession: Sendable {
    /// Whether requests other than ApiVersions and SASL are refused until SASL/PLAIN succeeds.
    var requiresAuthentication: Bool
    /// After SaslHandshake v0 the next frame is a bare SASL token, not a Kafka request.
    var expectsRawSASLToken = false
    /// The authenticated user, once SASL succeeded.
    var user: String?
    /// The peer's address, for logs and DescribeGroups.
    var clientHost: String

    init(requiresAuthentication: Bool, clientHost: String) {
        self.requiresAuthentication = requiresAuthentication
        self.clientHost = clientHost
    }
}
