import Testing

@testable import SluiceLog

@Suite("RecordBatch v2 encoding")
struct RecordBatchTests {
    let records: [Record] = [
        Record(timestamp: 1_700_000_000_500, key: Array("dev-1".utf8), value: Array(#"{"t":21.5}"#.utf8),
               headers: [RecordHeader(key: "mqtt.topic", value: Array("sensors/dev-1/env".utf8)), RecordHeader(key: "qos", value: [0x31])]),
        Record(timestamp: 1_700_000_000_100, key: nil, value: Array("no key".utf8)),  // earlier: negative delta
        Record(timestamp: 1_700_000_002_000, key: Array("dev-2".utf8), value: nil, headers: [RecordHeader(key: "empty", value: nil)]),
    ]

    @Test("header fields follow the spec", arguments: [CompressionCodec.none, .lz4, .zstd])
    func headerFields(codec: CompressionCodec) throws {
        var encoder = RecordBatchEncoder()
        var bytes: [UInt8] = []
        try encoder.encode(records, compression: codec, baseOffset: 42, into: &bytes)
        let batch = try RecordBatch(bytes[...])
        let header = batch.header
        #expect(header.baseOffset == 42)
        #expect(header.totalSize == bytes.count)
        #expect(header.magic == 2)
        #expect(header.compression == codec)
        #expect(header.lastOffsetDelta == 2)
        #expect(header.recordCount == 3)
        #expect(header.baseTimestamp == 1_700_000_000_500)
        #expect(header.maxTimestamp == 1_700_000_002_000)
        #expect(header.producerId == -1 && header.producerEpoch == -1 && header.baseSequence == -1)
        #expect(header.isTransactional == false && header.isControl == false && header.isLogAppendTime == false)
        #expect(batch.isChecksumValid)
    }

    @Test("records round-trip with null keys, null values and headers", arguments: [CompressionCodec.none, .lz4, .zstd])
    func roundTrip(codec: CompressionCodec) throws {
        var encoder = RecordBatchEncoder()
        var bytes: [UInt8] = []
        try encoder.encode(records, compression: codec, baseOffset: 100, into: &bytes)
        let decoded = try RecordBatch(bytes[...]).records()
        #expect(decoded == numbered(records, from: 100))
    }

    @Test("the exact bytes of a one-record batch, field by field")
    func exactBytes() throws {
        var encoder = RecordBatchEncoder()
        var bytes: [UInt8] = []
        try encoder.encode([Record(timestamp: 1000, key: [0x6B], value: [0x76])], into: &bytes)
        let recordSection: [UInt8] = [
            0x10,  // record length 8, zigzag encoded
            0x00,  // attributes
            0x00,  // timestamp delta 0
            0x00,  // offset delta 0
            0x02, 0x6B,  // key length 1, "k"
            0x02, 0x76,  // value length 1, "v"
            0x00,  // no headers
        ]
        #expect(Array(bytes[61...]) == recordSection)
        #expect(Array(bytes[8..<12]) == [0, 0, 0, UInt8(61 - 12 + recordSection.count)])  // batch length
        #expect(bytes[16] == 2)  // magic
        let crc = UInt32(bytes[17]) << 24 | UInt32(bytes[18]) << 16 | UInt32(bytes[19]) << 8 | UInt32(bytes[20])
        #expect(crc == CRC32C.checksum(bytes[21...]))
    }

    @Test("compression shrinks telemetry")
    func compressionShrinks() throws {
        let telemetry = telemetryRecords(count: 500)
        var plain: [UInt8] = []
        var zstd: [UInt8] = []
        var encoder = RecordBatchEncoder()
        try encoder.encode(telemetry, compression: .none, into: &plain)
        try encoder.encode(telemetry, compression: .zstd, into: &zstd)
        #expect(zstd.count * 4 < plain.count)
        #expect(try RecordBatch(zstd[...]).records() == numbered(telemetry, from: 0))
    }

    @Test("an empty batch and gzip are refused")
    func refusals() {
        var encoder = RecordBatchEncoder()
        var bytes: [UInt8] = []
        #expect(throws: LogError.self) { try encoder.encode([Record](), into: &bytes) }
        #expect(throws: LogError.self) { try encoder.encode(records, compression: .gzip, into: &bytes) }
        #expect(bytes.isEmpty)
    }

    @Test("damaged bytes are detected: CRC, magic, length, record layout")
    func damage() throws {
        var encoder = RecordBatchEncoder()
        var bytes: [UInt8] = []
        try encoder.encode(records, into: &bytes)
        var flipped = bytes
        flipped[70] ^= 0x01
        #expect(try RecordBatch(flipped[...]).isChecksumValid == false)
        var badMagic = bytes
        badMagic[16] = 1
        #expect(throws: LogError.self) { try RecordBatch(badMagic[...]) }
        #expect(throws: LogError.self) { try RecordBatch(bytes.dropLast()) }
        #expect(throws: LogError.self) { try RecordBatch(bytes.prefix(60)) }
        var badRecordLength = bytes
        badRecordLength[61] = 0x7E  // first record claims 63 bytes
        #expect(throws: LogError.self) { try RecordBatch(badRecordLength[...]).records() }
    }

    @Test("a sequence walks concatenated batches and stops at a partial one")
    func sequence() throws {
        var encoder = RecordBatchEncoder()
        var bytes: [UInt8] = []
        try encoder.encode(records, baseOffset: 0, into: &bytes)
        try encoder.encode(records, compression: .zstd, baseOffset: 3, into: &bytes)
        let firstTwo = bytes.count
        try encoder.encode(records, baseOffset: 6, into: &bytes)
        bytes.removeLast(5)
        var sequence = RecordBatchSequence(bytes)
        var bases: [Int64] = []
        while let batch = sequence.next() { bases.append(batch.header.baseOffset) }
        #expect(bases == [0, 3])
        #expect(sequence.nextPosition == firstTwo)
        #expect(sequence.problem != nil)
    }
}

@Suite("RecordBatchBuilder: records from borrowed bytes")
struct RecordBatchBuilderTests {
    @Test("builds the same batch as the encoder, for every codec", arguments: [CompressionCodec.none, .lz4, .zstd])
    func sameAsEncoder(codec: CompressionCodec) throws {
        let records = telemetryRecords(count: 50)
        var builder = RecordBatchBuilder(compression: codec)
        for record in records {
            let headerKey = Array(record.headers[0].key.utf8)
            let headerValue = record.headers[0].value!
            record.key!.withUnsafeBytes { key in
                record.value!.withUnsafeBytes { value in
                    headerKey.withUnsafeBytes { hk in
                        headerValue.withUnsafeBytes { hv in
                            builder.append(timestamp: record.timestamp, key: key, value: value, headers: [.init(key: hk, value: hv)])
                        }
                    }
                }
            }
        }
        #expect(builder.count == 50)
        var built: [UInt8] = []
        try builder.finish(into: &built)
        #expect(builder.isEmpty)
        var encoder = RecordBatchEncoder()
        var encoded: [UInt8] = []
        try encoder.encode(records, compression: codec, into: &encoded)
        #expect(built == encoded)
        var nothing: [UInt8] = []
        try builder.finish(into: &nothing)
        #expect(nothing.isEmpty)
    }
}
