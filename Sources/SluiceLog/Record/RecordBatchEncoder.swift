
/// Encodes records as one Kafka RecordBatch v2, compressed as a whole when asked.
///
/// The encoder keeps a scratch buffer between calls so that encoding a batch allocates nothing
/// once warm; one encoder per thread (it is a value type: copies do not share the scratch).
public struct RecordBatchEncoder: Sendable {
    private var scratch: [UInt8] = []

    /// Creates an encoder.
    public init() {}

    /// Appends one batch holding `records` to `output`; offsets are numbered from `baseOffset`.
    /// - Parameters:
    ///   - records: at least one record; `offset` fields are ignored.
    ///   - compression: none, lz4 or zstd.
    ///   - baseOffset: the offset of the first record (patched later by the partition on append).
    ///   - output: the buffer the batch is appended to.
    /// - Throws: `LogError` `.invalidArgument` for no records or an unwritable codec,
    ///   `.compressionFailure` if the codec fails.
    public mutating func encode(
        _ records: some Collection<Record>, compression: CompressionCodec = .none, baseOffset: Int64 = 0,
        into output: inout [UInt8]
    ) throws(LogError) {
        guard let first = records.first else {
            throw LogError(code: .invalidArgument, message: "a batch needs at least one record")
        }
        guard compression.isWritable else {
            throw LogError(code: .invalidArgument, message: "Sluice writes batches with none, lz4 or zstd, not \(compression)")
        }
        let start = output.count
        let baseTimestamp = first.timestamp
        var maxTimestamp = baseTimestamp
        output.append(contentsOf: repeatElement(0, count: RecordBatchHeader.size))

        if compression == .none {
            maxTimestamp = Self.appendRecords(records, baseTimestamp: baseTimestamp, to: &output)
        } else {
            scratch.removeAll(keepingCapacity: true)
            maxTimestamp = Self.appendRecords(records, baseTimestamp: baseTimestamp, to: &scratch)
            try RecordBatchBuilder.appendCompressed(scratch, codec: compression, to: &output, batchStart: start)
        }

        RecordBatchBuilder.writeHeader(
            into: &output, at: start, compression: compression, count: Int32(records.count), baseTimestamp: baseTimestamp,
            maxTimestamp: maxTimestamp)
        output.storeBigEndian(baseOffset, at: start)
    }

    /// Appends the records section (length-prefixed records) and returns the largest timestamp.
    private static func appendRecords(
        _ records: some Collection<Record>, baseTimestamp: Int64, to buffer: inout [UInt8]
    ) -> Int64 {
        var maxTimestamp = baseTimestamp
        var offsetDelta: Int64 = 0
        for record in records {
            maxTimestamp = max(maxTimestamp, record.timestamp)
            let timestampDelta = record.timestamp - baseTimestamp
            var bodySize = 1 + varintSize(timestampDelta) + varintSize(offsetDelta)
            bodySize += fieldSize(record.key) + fieldSize(record.value) + varintSize(Int64(record.headers.count))
            for header in record.headers {
                let keyLength = header.key.utf8.count
                bodySize += varintSize(Int64(keyLength)) + keyLength + fieldSize(header.value)
            }
            buffer.appendVarint(Int64(bodySize))
            buffer.append(0)  // record attributes (unused)
            buffer.appendVarint(timestampDelta)
            buffer.appendVarint(offsetDelta)
            appendField(record.key, to: &buffer)
            appendField(record.value, to: &buffer)
            buffer.appendVarint(Int64(record.headers.count))
            for header in record.headers {
                buffer.appendVarint(Int64(header.key.utf8.count))
                buffer.append(contentsOf: header.key.utf8)
                appendField(header.value, to: &buffer)
            }
            offsetDelta += 1
        }
        return maxTimestamp
    }

    @inline(__always)
    private static func fieldSize(_ field: [UInt8]?) -> Int {
        guard let field else { return 1 }
        return varintSize(Int64(field.count)) + field.count
    }

    @inline(__always)
    private static func appendField(_ field: [UInt8]?, to buffer: inout [UInt8]) {
        guard let field else {
            buffer.appendVarint(-1)
            return
        }
        buffer.appendVarint(Int64(field.count))
        buffer.append(contentsOf: field)
    }
}
