import CRdKafka

/// Turning librdkafka's error values into `UpstreamError`s: the only place that reads
/// `rd_kafka_resp_err_t` and `rd_kafka_error_t`.
extension UpstreamError.Cause {
    /// librdkafka's code, name and generic text for `error`.
    init(_ error: rd_kafka_resp_err_t, reason: String? = nil) {
        self.init(
            code: error.rawValue, name: String(cString: rd_kafka_err2name(error)),
            reason: reason ?? String(cString: rd_kafka_err2str(error)))
    }
}

extension UpstreamError {
    /// Errors after which sending the same record again may succeed: librdkafka's local
    /// timeouts, connection and purge errors, and the broker errors Kafka's Java client marks
    /// `RetriableException` (leader moves, too few in-sync replicas, storage and network errors).
    private static let retriableErrors: Set<Int32> = [
        RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE,
        RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__RESOLVE,
        RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__PURGE_QUEUE, RD_KAFKA_RESP_ERR__PURGE_INFLIGHT,
        RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
        RD_KAFKA_RESP_ERR_INVALID_MSG, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
        RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR,
        RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH, RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH,
        RD_KAFKA_RESP_ERR_PREFERRED_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_ELIGIBLE_LEADERS_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED,
    ].reduce(into: []) { $0.insert($1.rawValue) }

    /// Whether Kafka considers `error` retriable.
    static func isRetriable(_ error: rd_kafka_resp_err_t) -> Bool {
        retriableErrors.contains(error.rawValue)
    }

    /// The producer's fatal error, if librdkafka raised one: `.unrecoverable`, `isFatal`.
    /// - Parameter handle: the `rd_kafka_t`.
    static func fatal(of handle: OpaquePointer) -> UpstreamError? {
        var reason = [CChar](repeating: 0, count: 512)
        let error = rd_kafka_fatal_error(handle, &reason, reason.count)
        guard error != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        let text = decodeCString(reason)
        return UpstreamError(
            code: .unrecoverable,
            message: "the Kafka producer hit a fatal error and cannot be used any more: create a new producer and "
                + "send again every record not yet acknowledged",
            cause: Cause(error, reason: text.isEmpty ? nil : text), isFatal: true)
    }

    /// The error for a failed `rd_kafka_produceva`; destroys `error` (an `rd_kafka_error_t`).
    /// - Parameters:
    ///   - error: the `rd_kafka_error_t *` librdkafka returned; owned and destroyed here.
    ///   - topic: the record's topic, for the message.
    ///   - handle: the `rd_kafka_t`, to read the underlying fatal error if there is one.
    static func produceFailure(_ error: OpaquePointer, topic: String, handle: OpaquePointer) -> UpstreamError {
        defer { rd_kafka_error_destroy(error) }
        let code = rd_kafka_error_code(error)
        if rd_kafka_error_is_fatal(error) != 0 || code == RD_KAFKA_RESP_ERR__FATAL, let fatal = fatal(of: handle) {
            return fatal
        }
        let cause = Cause(code, reason: String(cString: rd_kafka_error_string(error)))
        if code == RD_KAFKA_RESP_ERR__QUEUE_FULL {
            return UpstreamError(
                code: .queueFull,
                message: "the Kafka producer's queue is full (queue.buffering.max.messages / .kbytes): poll for "
                    + "delivery reports, then produce the record to '\(topic)' again",
                cause: cause, isRetriable: true)
        }
        return UpstreamError(
            code: .produceFailed,
            message: "librdkafka refused to queue a record for topic '\(topic)': check the record's size against "
                + "message.max.bytes and the partition against the topic's partition count",
            cause: cause, isRetriable: rd_kafka_error_is_retriable(error) != 0 || isRetriable(code))
    }

    /// The error of a delivery report whose `err` is set.
    /// - Parameters:
    ///   - message: the reported message (valid only during the delivery callback).
    ///   - handle: the `rd_kafka_t`, to read the underlying fatal error if there is one.
    static func deliveryFailure(_ message: UnsafePointer<rd_kafka_message_t>, handle: OpaquePointer?) -> UpstreamError {
        let code = message.pointee.err
        if code == RD_KAFKA_RESP_ERR__FATAL, let handle, let fatal = fatal(of: handle) {
            return fatal
        }
        let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
        return UpstreamError(
            code: .deliveryFailed,
            message: "the broker did not acknowledge a record for topic '\(topic)': send it again if the error is "
                + "retriable, otherwise check the topic and the broker",
            // Not rd_kafka_message_errstr: librdkafka forbids it for producer messages (it reads
            // `_private`, which here is our correlation number).
            cause: Cause(code),
            isRetriable: isRetriable(code))
    }

    /// The text in a NUL-terminated C buffer.
    static func decodeCString(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
