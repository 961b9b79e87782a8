/// librdkafka's final word on one produced record: acknowledged by the broker, or failed.
///
/// Every record `RDKafkaProducer.produce` accepted gets exactly one report, served by
/// `RDKafkaProducer.poll` or `flush` on the thread that calls them (unless the producer is
/// destroyed first: records still queued then get none).
public struct DeliveryReport: Sendable {
    /// The `correlation` number given to `produce` for this record.
    public var correlation: UInt64
    /// Why the record was not delivered, or nil if the broker acknowledged it (with the
    /// configured `acks`). Its code is `.deliveryFailed` (or `.unrecoverable` when the producer hit
    /// a fatal error); `isRetriable` says whether sending it again may succeed.
    public var error: UpstreamError?
    /// The partition the record went to (or was meant for; -1 if none was chosen).
    public var partition: Int32
    /// The record's offset in that partition, or -1001 (librdkafka's "invalid offset") when
    /// unknown: failed deliveries, and brokers that do not return it.
    public var offset: Int64

    /// Creates a report.
    public init(correlation: UInt64, error: UpstreamError?, partition: Int32, offset: Int64) {
        self.correlation = correlation
        self.error = error
        self.partition = partition
        self.offset = offset
    }

    /// Whether the broker acknowledged the record.
    public var isDelivered: Bool { error == nil }
}
