/// The fixed 61-byte header of a Kafka RecordBatch v2 (magic 2).
///
/// Layout (big-endian): baseOffset i64 · batchLength i32 · partitionLeaderEpoch i32 · magic i8 ·
/// crc u32 (CRC-32C of everything from attributes to the end) · attributes i16 · lastOffsetDelta i32 ·
/// baseTimestamp i64 · maxTimestamp i64 · producerId i64 · producerEpoch i16 · baseSequence i32 ·
/// recordCount i32, then the records (compressed as a whole when the codec says so).
public struct RecordBatchHeader: Sendable, Hashable {
    /// Size of the header in bytes.
    public static let size = 61
    /// Bytes before `batchLength` counts: baseOffset and batchLength themselves.
    public static let lengthPrefixSize = 12
    /// Where the CRC-covered part starts (the attributes field).
    public static let crcCoverageStart = 21
    /// Smallest legal `batchLength`: a header with no records.
    public static let minimumBatchLength = Int32(size - lengthPrefixSize)

    /// Offset of the first record.
    public var baseOffset: Int64
    /// Bytes after the `batchLength` field.
    public var batchLength: Int32
    /// Leader epoch (0 on a gateway: there is one leader).
    public var partitionLeaderEpoch: Int32
    /// Format version; always 2 here.
    public var magic: Int8
    /// Stored CRC-32C.
    public var crc: UInt32
    /// Attribute bits: codec (0–2), timestamp type (3), transactional (4), control (5).
    public var attributes: Int16
    /// Offset of the last record relative to `baseOffset`.
    public var lastOffsetDelta: Int32
    /// Timestamp of the first record (ms).
    public var baseTimestamp: Int64
    /// Largest timestamp in the batch (ms).
    public var maxTimestamp: Int64
    /// Idempotent producer id, -1 if none.
    public var producerId: Int64
    /// Producer epoch, -1 if none.
    public var producerEpoch: Int16
    /// Sequence number of the first record, -1 if none.
    public var baseSequence: Int32
    /// Number of records.
    public var recordCount: Int32

    /// Total size of the batch on disk.
    public var totalSize: Int { Int(batchLength) + Self.lengthPrefixSize }
    /// Offset of the last record.
    public var lastOffset: Int64 { baseOffset + Int64(lastOffsetDelta) }
    /// The codec, or nil for an unknown codec number.
    public var compression: CompressionCodec? { CompressionCodec(rawValue: attributes & 0x07) }
    /// Whether timestamps are log-append time rather than create time.
    public var isLogAppendTime: Bool { attributes & 0x08 != 0 }
    /// Whether the batch belongs to a transaction.
    public var isTransactional: Bool { attributes & 0x10 != 0 }
    /// Whether the batch is a control batch (transaction markers).
    public var isControl: Bool { attributes & 0x20 != 0 }

    /// Parses the header at the start of `bytes`; nil if fewer than 61 bytes.
    /// Only the layout is read: call `validate` to check lengths and magic.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= Self.size else { return nil }
        var reader = ByteReader(bytes)
        baseOffset = reader.readBigEndian()!
        batchLength = reader.readBigEndian()!
        partitionLeaderEpoch = reader.readBigEndian()!
        magic = reader.readBigEndian()!
        crc = reader.readBigEndian()!
        attributes = reader.readBigEndian()!
        lastOffsetDelta = reader.readBigEndian()!
        baseTimestamp = reader.readBigEndian()!
        maxTimestamp = reader.readBigEndian()!
        producerId = reader.readBigEndian()!
        producerEpoch = reader.readBigEndian()!
        baseSequence = reader.readBigEndian()!
        recordCount = reader.readBigEndian()!
    }

    /// Why these header bytes cannot start a batch of at most `available` bytes, or nil if they can.
    public func layoutProblem(available: Int) -> String? {
        if magic != 2 { return "magic is \(magic), expected 2 (only RecordBatch v2 is supported)" }
        if batchLength < Self.minimumBatchLength { return "batch length \(batchLength) is below the minimum \(Self.minimumBatchLength)" }
        if totalSize > available { return "batch length \(batchLength) runs past the end of the data (\(available) bytes)" }
        if lastOffsetDelta < 0 { return "last offset delta \(lastOffsetDelta) is negative" }
        if recordCount < 0 { return "record count \(recordCount) is negative" }
        return nil
    }
}
