import Foundation
import Testing

@testable import SluiceLog

/// Batches produced by a real Kafka client, librdkafka 2.16 (the one bundled in the
/// `confluent-kafka` wheel). Captured once by `Fixtures/capture_librdkafka_batches.py`: it starts
/// tansu behind a recording TCP proxy on loopback, produces five records per codec with
/// confluent-kafka, and cuts the RecordBatch v2 (found by magic and a valid CRC-32C) out of the
/// captured Produce request. `librdkafka-batches.json` holds what was produced.
@Suite("Golden batches from librdkafka")
struct GoldenBatchTests {
    struct Manifest: Decodable {
        struct Codec: Decodable {
            struct Header: Decodable {
                var baseOffset: Int64, lastOffsetDelta: Int32, baseTimestamp: Int64, maxTimestamp: Int64
                var producerId: Int64, producerEpoch: Int16, baseSequence: Int32, recordCount: Int32, attributes: Int16, crc: UInt32
            }
            struct Expected: Decodable {
                var offsetDelta: Int64, timestamp: Int64, key: String?, value: String?, headers: [[String]]
            }
            var file: String
            var header: Header
            var records: [Expected]
        }
        var codecs: [String: Codec]
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
        return Array(try Data(contentsOf: url))
    }

    static func manifest() throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(fixture("librdkafka-batches.json")))
    }

    @Test("librdkafka's batch decodes to what it was given", arguments: ["none", "lz4", "zstd"])
    func decodes(codec: String) throws {
        let expected = try #require(try Self.manifest().codecs[codec])
        let bytes = try Self.fixture(expected.file)
        let batch = try RecordBatch(bytes[...])
        #expect(batch.header.totalSize == bytes.count)
        #expect(batch.isChecksumValid)
        #expect(batch.header.crc == expected.header.crc)
        #expect(batch.header.compression == CompressionCodec(name: codec))
        #expect(batch.header.recordCount == expected.header.recordCount)
        #expect(batch.header.lastOffsetDelta == expected.header.lastOffsetDelta)
        #expect(batch.header.baseTimestamp == expected.header.baseTimestamp)
        #expect(batch.header.maxTimestamp == expected.header.maxTimestamp)
        #expect(batch.header.producerId == expected.header.producerId)
        #expect(batch.header.baseSequence == expected.header.baseSequence)
        let records = try batch.records()
        #expect(records.count == expected.records.count)
        for (record, want) in zip(records, expected.records) {
            #expect(record.offset == want.offsetDelta)
            #expect(record.timestamp == want.timestamp)
            #expect(record.key == want.key.map { Array($0.utf8) })
            #expect(record.value == want.value.map { Array($0.utf8) })
            #expect(record.headers.map(\.key) == want.headers.map { $0[0] })
            #expect(record.headers.map(\.value) == want.headers.map { Array($0[1].utf8) })
        }
    }

    @Test("our encoder writes the same record bytes as librdkafka")
    func sameRecordBytes() throws {
        let bytes = try Self.fixture("librdkafka-none.batch")
        let records = try RecordBatch(bytes[...]).records()
        var encoder = RecordBatchEncoder()
        var ours: [UInt8] = []
        try encoder.encode(records, compression: .none, into: &ours)
        #expect(Array(ours[RecordBatchHeader.size...]) == Array(bytes[RecordBatchHeader.size...]))
        #expect(Array(ours[21..<43]) == Array(bytes[21..<43]))  // attributes, last offset delta, timestamps
    }

    @Test("a partition accepts librdkafka's batches as they are and serves them back byte for byte")
    func appendProduced() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let log = try LogManager(directory: directory.path)
        let partition = try log.openTopic("golden")[0]
        var expectedBase: Int64 = 0
        for codec in ["none", "lz4", "zstd"] {
            let bytes = try Self.fixture("librdkafka-\(codec).batch")
            let result = try partition.append(batch: bytes)
            #expect(result.baseOffset == expectedBase)
            let read = try partition.read(from: expectedBase, maxBytes: 1)
            #expect(Array(read.bytes[8...]) == Array(bytes[8...]))  // all but the reassigned base offset
            expectedBase = result.lastOffset + 1
        }
        #expect(partition.highWatermark == expectedBase)
    }
}
