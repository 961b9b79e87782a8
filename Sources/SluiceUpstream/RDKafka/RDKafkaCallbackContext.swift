import CRdKafka
import Logging

/// What librdkafka's C callbacks need, reached through the `rd_kafka_t`'s opaque pointer:
/// the logger for librdkafka's log lines and the handler for delivery reports.
///
/// Thread-safety: immutable and `Sendable`. The log callback runs on any librdkafka thread; the
/// delivery-report callback runs on the thread calling `rd_kafka_poll` / `rd_kafka_flush`.
final class RDKafkaCallbackContext: Sendable {
    /// Receives librdkafka's log lines.
    let logger: Logger
    /// Receives one report per produced record.
    let deliveryHandler: @Sendable (DeliveryReport) -> Void
    /// Receives librdkafka's client-level errors (broker down, name resolution, authentication),
    /// as their kind (the error's name, e.g. `transport`) and text; nil leaves them to the log.
    let errorHandler: (@Sendable (_ kind: String, _ reason: String) -> Void)?

    init(
        logger: Logger, deliveryHandler: @escaping @Sendable (DeliveryReport) -> Void,
        errorHandler: (@Sendable (_ kind: String, _ reason: String) -> Void)? = nil
    ) {
        self.logger = logger
        self.deliveryHandler = deliveryHandler
        self.errorHandler = errorHandler
    }

    /// Sets `conf`'s opaque to a retained reference to this context and registers the log and
    /// delivery-report callbacks. The caller owns the returned reference: release it after the
    /// `rd_kafka_t` made from `conf` is destroyed (or when `conf` is destroyed unused).
    ///
    /// A plain nonisolated function, so no callback can inherit an actor's isolation (a C
    /// callback that did would trap when librdkafka calls it from its own thread).
    func install(on conf: OpaquePointer) -> Unmanaged<RDKafkaCallbackContext> {
        let retained = Unmanaged.passRetained(self)
        rd_kafka_conf_set_opaque(conf, retained.toOpaque())
        rd_kafka_conf_set_log_cb(conf, rdKafkaLog)
        rd_kafka_conf_set_dr_msg_cb(conf, rdKafkaDeliveryReport)
        if errorHandler != nil { rd_kafka_conf_set_error_cb(conf, rdKafkaError) }
        return retained
    }
}

/// The context behind a `rd_kafka_t`'s opaque pointer (borrowed, not retained).
private func context(_ opaque: UnsafeMutableRawPointer?) -> RDKafkaCallbackContext? {
    opaque.map { Unmanaged<RDKafkaCallbackContext>.fromOpaque($0).takeUnretainedValue() }
}

/// librdkafka's log callback: routes a line to the context's Logger instead of stderr.
///
/// Library code logs at info or below (swift-log's guidance), so librdkafka's severities map
/// down: emergency…warning → info, notice and info → debug, debug → trace. The original
/// severity travels as `rdkafka.severity` metadata.
private func rdKafkaLog(_ handle: OpaquePointer?, _ severity: Int32, _ facility: UnsafePointer<CChar>?, _ line: UnsafePointer<CChar>?) {
    guard let handle, let context = context(rd_kafka_opaque(handle)) else { return }
    let level: Logger.Level =
        switch severity {
        case ...4: .info
        case 5...6: .debug
        default: .trace
        }
    guard context.logger.logLevel <= level else { return }
    context.logger.log(
        level: level, "\(line.map { String(cString: $0) } ?? "")",
        metadata: [
            RDKafkaLoggingKeys.facility: "\(facility.map { String(cString: $0) } ?? "")",
            RDKafkaLoggingKeys.severity: "\(severity)",
            RDKafkaLoggingKeys.client: "\(String(cString: rd_kafka_name(handle)))",
        ])
}

/// librdkafka's delivery-report callback: turns the message into a `DeliveryReport` for the
/// handler. Runs on the thread serving `rd_kafka_poll` / `rd_kafka_flush`.
private func rdKafkaDeliveryReport(_ handle: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?) {
    guard let message, let context = context(opaque) else { return }
    let error: UpstreamError? =
        message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : .deliveryFailure(message, handle: handle)
    context.deliveryHandler(
        DeliveryReport(
            correlation: RDKafkaProducer.correlation(fromOpaque: message.pointee._private), error: error,
            partition: message.pointee.partition, offset: message.pointee.offset))
}

/// librdkafka's error callback (client-level errors; librdkafka retries them itself): hands the
/// error's kind — its name without the leading `_`, lowercased (`transport`, `all_brokers_down`,
/// `resolve`, `authentication`) — and text to the context's handler.
private func rdKafkaError(_ handle: OpaquePointer?, _ code: Int32, _ reason: UnsafePointer<CChar>?, _ opaque: UnsafeMutableRawPointer?) {
    guard let context = context(opaque), let handler = context.errorHandler else { return }
    let name = String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: code)))
    let kind = String(name.drop { $0 == "_" }).lowercased()
    handler(kind.isEmpty ? "unknown" : kind, reason.map { String(cString: $0) } ?? name)
}
