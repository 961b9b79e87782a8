import SluiceLog

/// Appends messages the way MQTT ingest does (`SluiceMQTT/Ingest/IngestLoop.swift`): each goes into
/// a `RecordBatchBuilder` from borrowed bytes (key, payload, `mqtt.topic` and `mqtt.qos` headers),
/// the batch is finished into a reused buffer and handed to `Partition.append(builtBatch:)` (the
/// trusted path: no re-validation, base offset patched in place).
struct IngestAppender {
    private var builder: RecordBatchBuilder
    private var batchBuffer: [UInt8] = []

    init(compression: CompressionCodec) {
        builder = RecordBatchBuilder(compression: compression)
    }

    /// Builds one batch of `burst`'s messages and appends it to `partition`.
    mutating func append(_ burst: MessageBurst, to partition: Partition) throws(LogError) {
        burst.bytes.withUnsafeBytes { bytes in
            func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[range]) }
            var headers = [
                RecordBatchBuilder.BorrowedHeader(key: slice(MessageBurst.topicHeader), value: nil),
                RecordBatchBuilder.BorrowedHeader(key: slice(MessageBurst.qosHeader), value: slice(MessageBurst.qosValue)),
            ]
            for message in burst.messages {
                headers[0].value = slice(message.topic)
                builder.append(timestamp: message.timestamp, key: slice(message.key), value: slice(message.payload), headers: headers)
            }
        }
        batchBuffer.removeAll(keepingCapacity: true)
        try builder.finish(into: &batchBuffer)
        try partition.append(builtBatch: &batchBuffer)
    }
}
