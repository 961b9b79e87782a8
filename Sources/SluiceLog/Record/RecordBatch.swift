import SluiceCompression

/// One RecordBatch v2 as stored: its parsed header and its bytes, exactly as on disk.
public struct RecordBatch: Sendable {
    /// The parsed fixed header.
    public var header: RecordBatchHeader
    /// The whole batch, header included.
    public var bytes: ArraySlice<UInt8>

    /// The most bytes a batch may decompress to before it is refused (64 MiB).
    public static let defaultMaxDecompressedBytes = 64 << 20

    /// Parses the batch at the start of `bytes`, checking its layout (not its CRC).
    /// - Throws: `LogError.corruptBatch` saying which field is wrong.
    public init(_ bytes: ArraySlice<UInt8>) throws(LogError) {
        let parsed = bytes.withUnsafeBytes { RecordBatchHeader($0) }
        guard let header = parsed else {
            throw LogError(code: .corruptBatch, message: "\(bytes.count) bytes are too few for a batch header (61)")
        }
        if let problem = header.layoutProblem(available: bytes.count) {
            throw LogError(code: .corruptBatch, message: problem)
        }
        self.header = header
        self.bytes = bytes.prefix(header.totalSize)
    }

    /// The CRC-32C computed over the batch's bytes.
    public var computedChecksum: UInt32 {
        bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[RecordBatchHeader.crcCoverageStart...])) }
    }

    /// Whether the stored CRC matches the bytes.
    public var isChecksumValid: Bool { computedChecksum == header.crc }

    /// Decodes the records, decompressing if needed; each record gets its absolute offset and timestamp.
    /// - Parameter maxDecompressedBytes: guard against decompression bombs.
    /// - Throws: `LogError.corruptBatch` or `.compressionFailure`.
    public func records(maxDecompressedBytes: Int = defaultMaxDecompressedBytes) throws(LogError) -> [Record] {
        let header = self.header
        let body = bytes.dropFirst(RecordBatchHeader.size)
        guard let codec = header.compression else {
            throw LogError(code: .corruptBatch, message: "unknown compression codec \(header.attributes & 7)")
        }
        switch codec {
        case .none:
            return try body.withUnsafeBytes { raw in Result { () throws(LogError) in try Self.decodeRecords(raw, header: header) } }.get()
        case .zstd, .lz4:
            var plain: [UInt8] = []
            do {
                try body.withUnsafeBytes { raw in
                    Result { () throws(CompressionError) in
                        if codec == .zstd {
                            try Zstd.decompress(raw, appendingTo: &plain, maxBytes: maxDecompressedBytes)
                        } else {
                            try LZ4Frame.decompress(raw, appendingTo: &plain, maxBytes: maxDecompressedBytes)
                        }
                    }
                }.get()
            } catch {
                throw LogError(code: .compressionFailure, message: "batch at offset \(header.baseOffset): \(error)")
            }
            return try plain.withUnsafeBytes { raw in Result { () throws(LogError) in try Self.decodeRecords(raw, header: header) } }.get()
        case .gzip, .snappy:
            throw LogError(
                code: .compressionFailure,
                message: "batch at offset \(header.baseOffset) uses \(codec), which Sluice does not decode; produce with lz4 or zstd")
        }
    }

    private static func decodeRecords(_ raw: UnsafeRawBufferPointer, header: RecordBatchHeader) throws(LogError) -> [Record] {
        var reader = ByteReader(raw)
        var records: [Record] = []
        records.reserveCapacity(Int(min(header.recordCount, 100_000)))
        func corrupt(_ index: Int, _ what: String) -> LogError {
            LogError(code: .corruptBatch, message: "batch at offset \(header.baseOffset), record \(index): \(what)")
        }
        for index in 0..<Int(header.recordCount) {
            guard let length = reader.readVarint(), length >= 0, length <= Int64(reader.remaining) else {
                throw corrupt(index, "bad record length")
            }
            let end = reader.position + Int(length)
            guard reader.readBigEndian(UInt8.self) != nil,
                let timestampDelta = reader.readVarint(),
                let offsetDelta = reader.readVarint(),
                let key = reader.readNullableBytes(),
                let value = reader.readNullableBytes(),
                let headerCount = reader.readVarint(), headerCount >= 0, headerCount <= Int64(reader.remaining)
            else { throw corrupt(index, "truncated record fields") }
            var headers: [RecordHeader] = []
            headers.reserveCapacity(Int(headerCount))
            for _ in 0..<Int(headerCount) {
                guard let keyBytes = reader.readNullableBytes(), let keyBytes, let headerValue = reader.readNullableBytes() else {
                    throw corrupt(index, "truncated header")
                }
                headers.append(RecordHeader(key: String(decoding: keyBytes, as: UTF8.self), value: headerValue))
            }
            guard reader.position == end else { throw corrupt(index, "record length does not match its fields") }
            let timestamp = header.isLogAppendTime ? header.maxTimestamp : header.baseTimestamp &+ timestampDelta
            records.append(
                Record(offset: header.baseOffset &+ offsetDelta, timestamp: timestamp, key: key, value: value, headers: headers))
        }
        return records
    }
}

/// Walks the batches laid end to end in a buffer (a segment read, a Fetch response), stopping at
/// the first incomplete one.
public struct RecordBatchSequence: Sequence, IteratorProtocol, Sendable {
    private let bytes: [UInt8]
    private var position: Int
    /// Bytes not consumed by a complete batch, e.g. a partial batch at the end.
    public private(set) var problem: String?

    /// Creates a sequence over `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
    }

    /// The position (byte offset in the buffer) of the next batch.
    public var nextPosition: Int { position }

    public mutating func next() -> RecordBatch? {
        guard position < bytes.count, problem == nil else { return nil }
        do {
            let batch = try RecordBatch(bytes[position...])
            position += batch.header.totalSize
            return batch
        } catch {
            problem = error.message
            return nil
        }
    }
}
