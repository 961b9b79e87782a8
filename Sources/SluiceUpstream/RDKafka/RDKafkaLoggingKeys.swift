/// Logging metadata keys of librdkafka's log lines, declared in one place.
enum RDKafkaLoggingKeys {
    /// librdkafka's facility ("BROKER", "FAIL", "TOPIC"…).
    static let facility = "rdkafka.facility"
    /// librdkafka's syslog severity (0 emergency … 7 debug), before mapping to a swift-log level.
    static let severity = "rdkafka.severity"
    /// The client instance name ("rdkafka#producer-1").
    static let client = "rdkafka.client"
}
