import CRdKafka

/// Builds a librdkafka configuration object (`rd_kafka_conf_t`) from property names and values,
/// e.g. `["bootstrap.servers": "kafka:9092", "acks": "all"]` (librdkafka's CONFIGURATION.md
/// lists them).
enum RDKafkaConfiguration {
    /// A new `rd_kafka_conf_t` holding `properties`, set in name order so the first bad one
    /// reported is always the same. The caller owns it: pass it to `rd_kafka_new` (which takes
    /// it on success) or destroy it with `rd_kafka_conf_destroy`.
    /// - Throws: `UpstreamError.configuration` naming the first property librdkafka rejected
    ///   (unknown name or invalid value) with librdkafka's reason; nothing is leaked.
    static func make(_ properties: [String: String]) throws(UpstreamError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw UpstreamError(code: .producerCreation, message: "librdkafka could not allocate a configuration (out of memory)")
        }
        var reason = [CChar](repeating: 0, count: 512)
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, name, value, &reason, reason.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                let kind = result == RD_KAFKA_CONF_UNKNOWN ? "is not a librdkafka property" : "has an invalid value"
                // The value is left out on purpose: it may be a password (librdkafka's reason
                // quotes invalid values of ordinary properties itself).
                throw UpstreamError(
                    code: .configuration,
                    message: "the Kafka producer property '\(name)' \(kind): \(UpstreamError.decodeCString(reason)); "
                        + "fix or remove it in the upstream settings")
            }
        }
        return conf
    }
}
