import CRdKafka
import Logging

/// A thin owner of one librdkafka producer (`rd_kafka_t`): queue records with `produce`, serve
/// their delivery reports with `poll`, wait for the queue to drain with `flush`.
///
/// Records are copied into librdkafka's queue (`RD_KAFKA_MSG_F_COPY`), so the caller's buffers
/// may be reused as soon as `produce` returns. Each record carries a caller-chosen `correlation`
/// number that comes back in its `DeliveryReport`.
///
/// Blocking: `poll` and `flush` block up to their timeout and run the delivery handler on the
/// calling thread. Call them from a dedicated thread (the forwarder's poll thread), never from
/// Swift's cooperative pool. `produce` does not block: when the local queue is full it throws
/// `.queueFull` instead.
///
/// Thread-safety: librdkafka's producer API is thread-safe, so `produce` may be called from one
/// thread while another polls; serve reports (`poll`, `flush`) from one thread at a time so the
/// handler is never called concurrently.
///
/// librdkafka's log lines go to the given `Logger` (see `RDKafkaCallbackContext`), never to stderr.
public final class RDKafkaProducer: @unchecked Sendable {
    // @unchecked Sendable: the only state is the handle and the context, both set once in init.
    // librdkafka documents rd_kafka_produceva, rd_kafka_poll, rd_kafka_flush, rd_kafka_outq_len
    // and rd_kafka_fatal_error as safe to call from any thread; the context is immutable.

    // Owned by this object: created by rd_kafka_new in init, destroyed in deinit; librdkafka
    // synchronises every call made on it (see above), so it may be shared across threads.
    nonisolated(unsafe) private let handle: OpaquePointer
    // The +1 reference librdkafka's opaque pointer holds; released in deinit after the handle is gone.
    private let context: Unmanaged<RDKafkaCallbackContext>

    /// librdkafka's "unassigned partition": let the configured partitioner choose.
    private static let unassignedPartition: Int32 = -1

    /// Creates a producer. Nothing is connected yet: librdkafka connects in the background.
    ///
    /// No property is set beyond what `properties` says (plus the log and delivery-report
    /// callbacks); librdkafka's defaults apply to the rest.
    /// - Parameters:
    ///   - properties: librdkafka properties, e.g. `bootstrap.servers`, `acks`,
    ///     `enable.idempotence`, `compression.type`, `linger.ms`, `partitioner`.
    ///   - logger: receives librdkafka's log lines, at info level or below.
    ///   - deliveryHandler: called once per record `produce` accepted, on the thread that calls
    ///     `poll` or `flush`; keep it short (record the result, signal a waiter).
    ///   - errorHandler: called with librdkafka's client-level errors (kind, text) on one of its
    ///     threads; nil leaves them to librdkafka's log lines.
    /// - Throws: `UpstreamError.configuration` naming an unknown or invalid property;
    ///   `UpstreamError.producerCreation` if librdkafka cannot create the producer.
    public init(
        properties: [String: String], logger: Logger,
        deliveryHandler: @escaping @Sendable (DeliveryReport) -> Void,
        errorHandler: (@Sendable (_ kind: String, _ reason: String) -> Void)? = nil
    ) throws(UpstreamError) {
        let conf = try RDKafkaConfiguration.make(properties)
        let context = RDKafkaCallbackContext(logger: logger, deliveryHandler: deliveryHandler, errorHandler: errorHandler).install(on: conf)
        var reason = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &reason, reason.count) else {
            // rd_kafka_new takes `conf` only on success.
            rd_kafka_conf_destroy(conf)
            context.release()
            throw UpstreamError(
                code: .producerCreation,
                message: "librdkafka could not create the Kafka producer: \(UpstreamError.decodeCString(reason)); "
                    + "check the upstream settings")
        }
        // Stored only now that nothing can fail: a throwing init that fails after setting every
        // stored property still runs deinit, which would destroy and release twice.
        self.handle = handle
        self.context = context
    }

    /// Destroys the producer without flushing: records still queued or in flight are dropped
    /// without delivery reports. Call `flush(timeout:)` first to deliver them.
    ///
    /// `rd_kafka_destroy` blocks while librdkafka joins its threads (milliseconds when the queue
    /// is empty or flushed); drop the last reference off the cooperative pool if that matters.
    deinit {
        rd_kafka_destroy(handle)
        context.release()
    }

    /// Queues one record. Returns at once; its `DeliveryReport` arrives later through `poll`.
    /// - Parameters:
    ///   - topic: the Kafka topic.
    ///   - partition: the partition, or nil to let the `partitioner` property choose from the key.
    ///   - key: the key bytes, or nil for a null key; copied.
    ///   - value: the value bytes, or nil for a null value; copied.
    ///   - headers: record headers in order, names UTF-8; an empty value stays empty (not null).
    ///   - timestampMillis: the record's timestamp in milliseconds since the epoch (0: now).
    ///   - correlation: any number; it comes back in the record's `DeliveryReport`.
    /// - Throws: `UpstreamError.queueFull` (retriable: poll, then produce again) when the local
    ///   queue is full; `.unrecoverable` after a fatal error; `.produceFailed` otherwise.
    public func produce(
        topic: String, partition: Int32?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        headers: [(String, [UInt8])], timestampMillis: Int64, correlation: UInt64
    ) throws(UpstreamError) {
        let handle = self.handle
        // The correlation travels as the per-message opaque pointer (`_private`).
        let opaque = Self.opaque(fromCorrelation: correlation)
        let fixedCount = 7
        let failure: OpaquePointer? = topic.withCString { topicName in
            withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: fixedCount + headers.count) { arguments in
                var count = 0
                func append(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) {
                    var argument = rd_kafka_vu_t()
                    argument.vtype = type
                    set(&argument)
                    arguments.initializeElement(at: count, to: argument)
                    count += 1
                }
                append(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topicName }
                append(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition ?? Self.unassignedPartition }
                append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                append(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestampMillis }
                append(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque }
                // A nil pointer would make an empty key or value null; the topic name's pointer
                // is valid and zero bytes are read from it.
                if let key {
                    append(RD_KAFKA_VTYPE_KEY) {
                        $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress ?? UnsafeRawPointer(topicName))
                        $0.u.mem.size = key.count
                    }
                }
                if let value {
                    append(RD_KAFKA_VTYPE_VALUE) {
                        $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress ?? UnsafeRawPointer(topicName))
                        $0.u.mem.size = value.count
                    }
                }
                // rd_kafka_vu_t is a trivial C struct: the arguments need no deinitialisation.
                return Self.withHeaderArguments(headers, from: 0, into: arguments, count: count) { total in
                    rd_kafka_produceva(handle, arguments.baseAddress, total)
                }
            }
        }
        if let failure {
            throw UpstreamError.produceFailure(failure, topic: topic, handle: handle)
        }
    }

    /// Serves queued callbacks: runs the delivery handler for each finished record, on this
    /// thread. Blocks up to `timeoutMilliseconds` waiting for the first one (0: do not wait,
    /// -1: wait forever). Call it from a dedicated thread, never the cooperative pool.
    /// - Returns: how many events were served.
    @discardableResult
    public func poll(timeoutMilliseconds: Int) -> Int {
        Int(rd_kafka_poll(handle, Int32(clamping: timeoutMilliseconds)))
    }

    /// Waits until every queued record has its delivery report (served on this thread, like
    /// `poll`) or `timeout` passed. Blocks: call it from a dedicated thread.
    /// - Returns: how many records are still queued or in flight (0: all reported).
    @discardableResult
    public func flush(timeout: Duration) -> Int {
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        _ = rd_kafka_flush(handle, Int32(clamping: milliseconds))
        return outQueueLength
    }

    /// Records (and librdkafka requests) waiting to be sent, in flight, or waiting for their
    /// delivery report to be served (`rd_kafka_outq_len`).
    public var outQueueLength: Int { Int(rd_kafka_outq_len(handle)) }

    /// The fatal error librdkafka raised, if any (`rd_kafka_fatal_error`): after one, the producer
    /// fails every record and must be replaced by a new one. Nil while the producer is healthy.
    public var fatalError: UpstreamError? { UpstreamError.fatal(of: handle) }

    /// The version of the librdkafka loaded at run time (`rd_kafka_version_str`), which may be
    /// newer than the headers Sluice was built with (see `scripts/librdkafka-path.sh`).
    public static var librdkafkaVersion: String { String(cString: rd_kafka_version_str()) }

    /// A correlation number as librdkafka's per-message opaque pointer (nil for 0).
    static func opaque(fromCorrelation correlation: UInt64) -> UnsafeMutableRawPointer? {
        // Sluice runs on 64-bit platforms only (x86_64, aarch64): a pointer holds all 64 bits.
        guard let bits = UInt(exactly: correlation) else {
            preconditionFailure("correlation \(correlation) does not fit a pointer on this platform")
        }
        return UnsafeMutableRawPointer(bitPattern: bits)
    }

    /// The correlation number a per-message opaque pointer carries.
    static func correlation(fromOpaque opaque: UnsafeMutableRawPointer?) -> UInt64 {
        UInt64(UInt(bitPattern: opaque))
    }

    /// Appends one `RD_KAFKA_VTYPE_HEADER` argument per header, keeping every name and value
    /// pinned while `body` runs (recursion instead of copies: each level pins one header).
    /// - Returns: what `body` returned, given the total argument count.
    private static func withHeaderArguments(
        _ headers: [(String, [UInt8])], from index: Int, into arguments: UnsafeMutableBufferPointer<rd_kafka_vu_t>,
        count: Int, _ body: (Int) -> OpaquePointer?
    ) -> OpaquePointer? {
        guard index < headers.count else { return body(count) }
        return headers[index].0.withCString { name in
            headers[index].1.withUnsafeBytes { bytes in
                var argument = rd_kafka_vu_t()
                argument.vtype = RD_KAFKA_VTYPE_HEADER
                argument.u.header.name = name
                // librdkafka reads a nil value as a null header; an empty one needs a non-nil
                // pointer, and the name's is valid (zero bytes are read from it).
                argument.u.header.val = bytes.baseAddress ?? UnsafeRawPointer(name)
                argument.u.header.size = bytes.count
                arguments.initializeElement(at: count, to: argument)
                return withHeaderArguments(headers, from: index + 1, into: arguments, count: count + 1, body)
            }
        }
    }
}
