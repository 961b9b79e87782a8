import SluiceCompression

/// Builds one RecordBatch v2 record by record, straight from borrowed bytes (an MQTT message
/// buffer), so the ingest hot path copies each payload once, into the batch, and allocates nothing
/// per record once warm.
///
/// Thread-safety: a value type; use one builder per thread.
public struct RecordBatchBuilder: Sendable {
    /// A header borrowed for the duration of one `append` call.
    public struct BorrowedHeader {
        /// The header name, UTF-8.
        public var key: UnsafeRawBufferPointer
        /// The header value, or nil.
        public var value: UnsafeRawBufferPointer?

        /// Creates a borrowed header.
        public init(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?) {
            self.key = key
            self.value = value
        }
    }

    /// The codec `finish` compresses with.
    public var compression: CompressionCodec
    private var records: [UInt8] = []
    private var scratch: [UInt8] = []
    private var baseTimestamp: Int64 = 0
    private var maxTimestamp: Int64 = 0
    /// Records appended since the last `finish`.
    public private(set) var count = 0
    /// Bytes of records (before compression and the 61-byte header) appended since the last `finish`.
    public var recordBytes: Int { records.count }
    /// Whether no record was appended since the last `finish`.
    public var isEmpty: Bool { count == 0 }

    /// Creates a builder for batches compressed with `compression` (none, lz4 or zstd).
    public init(compression: CompressionCodec) {
        self.compression = compression.isWritable ? compression : .none
    }

    /// Appends one record; offsets are numbered in append order.
    public mutating func append(
        timestamp: Int64, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, headers: [BorrowedHeader] = []
    ) {
        if count == 0 {
            baseTimestamp = timestamp
            maxTimestamp = timestamp
        } else if timestamp > maxTimestamp {
            maxTimestamp = timestamp
        }
        let timestampDelta = timestamp &- baseTimestamp
        let offsetDelta = Int64(count)
        var bodySize = 1 + varintSize(timestampDelta) + varintSize(offsetDelta)
        bodySize += Self.fieldSize(key) + Self.fieldSize(value) + varintSize(Int64(headers.count))
        for header in headers { bodySize += Self.fieldSize(header.key) + Self.fieldSize(header.value) }
        // Grow once per record, then write through a pointer (no per-byte capacity checks).
        let start = records.count
        records.append(contentsOf: repeatElement(0, count: varintSize(Int64(bodySize)) + bodySize))
        records.withUnsafeMutableBytes { raw in
            var writer = RawWriter(raw.baseAddress! + start)
            writer.varint(Int64(bodySize))
            writer.byte(0)
            writer.varint(timestampDelta)
            writer.varint(offsetDelta)
            writer.field(key)
            writer.field(value)
            writer.varint(Int64(headers.count))
            for header in headers {
                writer.field(header.key)
                writer.field(header.value)
            }
        }
        count += 1
    }

    /// Appends the finished batch (base offset 0, to be assigned on append) to `output` and starts
    /// a new one. Does nothing if no record was appended.
    /// - Throws: `LogError.compressionFailure` if the codec fails (the builder is reset either way).
    public mutating func finish(into output: inout [UInt8]) throws(LogError) {
        guard count > 0 else { return }
        defer {
            records.removeAll(keepingCapacity: true)
            count = 0
        }
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: RecordBatchHeader.size))
        if compression == .none {
            output.append(contentsOf: records)
        } else {
            try Self.appendCompressed(records, codec: compression, to: &output, batchStart: start)
        }
        Self.writeHeader(
            into: &output, at: start, compression: compression, count: Int32(count), baseTimestamp: baseTimestamp,
            maxTimestamp: maxTimestamp)
    }

    /// Appends `records` compressed with `codec` (lz4 or zstd); on failure cuts `output` back to
    /// `batchStart` and throws `LogError.compressionFailure`.
    static func appendCompressed(_ records: [UInt8], codec: CompressionCodec, to output: inout [UInt8], batchStart: Int) throws(LogError) {
        do {
            try records.withUnsafeBytes { raw in
                Result { () throws(CompressionError) in
                    if codec == .zstd {
                        try Zstd.compress(raw, appendingTo: &output)
                    } else {
                        try LZ4Frame.compress(raw, appendingTo: &output)
                    }
                }
            }.get()
        } catch {
            output.removeSubrange(batchStart...)
            throw LogError(code: .compressionFailure, message: "could not compress a batch: \(error)")
        }
    }

    /// Fills the 61-byte header at `start` (records already follow it) and its CRC.
    static func writeHeader(
        into output: inout [UInt8], at start: Int, compression: CompressionCodec, count: Int32, baseTimestamp: Int64,
        maxTimestamp: Int64
    ) {
        output.storeBigEndian(Int64(0), at: start)
        output.storeBigEndian(Int32(output.count - start - RecordBatchHeader.lengthPrefixSize), at: start + 8)
        output.storeBigEndian(Int32(0), at: start + 12)  // partition leader epoch
        output[start + 16] = 2  // magic
        output.storeBigEndian(compression.rawValue, at: start + 21)
        output.storeBigEndian(count - 1, at: start + 23)
        output.storeBigEndian(baseTimestamp, at: start + 27)
        output.storeBigEndian(maxTimestamp, at: start + 35)
        output.storeBigEndian(Int64(-1), at: start + 43)  // producer id
        output.storeBigEndian(Int16(-1), at: start + 51)  // producer epoch
        output.storeBigEndian(Int32(-1), at: start + 53)  // base sequence
        output.storeBigEndian(count, at: start + 57)
        let crc = output.withUnsafeBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[(start + RecordBatchHeader.crcCoverageStart)...]))
        }
        output.storeBigEndian(crc, at: start + 17)
    }

    @inline(__always)
    private static func fieldSize(_ field: UnsafeRawBufferPointer?) -> Int {
        guard let field else { return 1 }
        return varintSize(Int64(field.count)) + field.count
    }

}

/// Writes varints and fields through a raw pointer into space already reserved.
struct RawWriter {
    var pointer: UnsafeMutableRawPointer

    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }

    @inline(__always) mutating func byte(_ value: UInt8) {
        pointer.storeBytes(of: value, as: UInt8.self)
        pointer += 1
    }

    @inline(__always) mutating func varint(_ value: Int64) {
        var zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        while zigzag >= 0x80 {
            byte(UInt8(truncatingIfNeeded: zigzag) | 0x80)
            zigzag >>= 7
        }
        byte(UInt8(zigzag))
    }

    @inline(__always) mutating func field(_ field: UnsafeRawBufferPointer?) {
        guard let field else { return varint(-1) }
        varint(Int64(field.count))
        if let base = field.baseAddress, field.count > 0 {
            pointer.copyMemory(from: base, byteCount: field.count)
            pointer += field.count
        }
    }
}
