import Foundation
import SluiceLog
import Testing

@Suite("sluice dump-log, end to end")
struct DumpLogCommandTests {
    /// A segment with two known batches: one plain, one zstd, and then a torn tail.
    static func makeSegment() throws -> (directory: String, segment: String) {
        let directory = NSTemporaryDirectory() + "sluice-dump-\(UUID().uuidString)"
        var configuration = TopicConfiguration()
        configuration.compression = .none
        let log = try LogManager(directory: directory)
        let partition = try log.openTopic("dump", configuration: configuration)[0]
        try partition.append([
            Record(timestamp: 1_700_000_000_000, key: Array("env-0001".utf8), value: Array(#"{"temp":21.5}"#.utf8),
                   headers: [RecordHeader(key: "mqtt.topic", value: Array("sensors/env-0001/env".utf8))]),
            Record(timestamp: 1_700_000_000_250, key: nil, value: [0x00, 0xFF, 0x10]),
        ])
        var encoder = RecordBatchEncoder()
        var bytes: [UInt8] = []
        try encoder.encode([Record(timestamp: 1_700_000_001_000, key: Array("env-0002".utf8), value: nil)], compression: .zstd, into: &bytes)
        try partition.append(batch: bytes)
        try log.close()
        let segment = directory + "/dump-0/00000000000000000000.log"
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        handle.seekToEndOfFile()
        handle.write(Data([0, 0, 0, 0, 0, 0, 0, 2, 0, 0]))  // the start of a batch that never finished
        handle.closeFile()
        return (directory, segment)
    }

    @Test("prints every batch and record, and reports the torn tail")
    func dumpsSegment() throws {
        let (directory, segment) = try Self.makeSegment()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = try SluiceBinary.run(["dump-log", "--records", segment])
        #expect(output.status == 0)
        // Sizes and CRCs are those of this exact content (zstd from Debian 12's libzstd 1.5.4).
        #expect(output.standardOutput == """
            Dumping \(segment)
            Log starting offset: 0
            baseOffset: 0 lastOffset: 1 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false position: 0 CreateTime: 1700000000250 size: 132 magic: 2 compresscodec: none crc: 1178069826 isvalid: true
            | offset: 0 CreateTime: 1700000000000 keySize: 8 valueSize: 13 sequence: -1 headerKeys: [mqtt.topic] key: env-0001 payload: {"temp":21.5}
            | offset: 1 CreateTime: 1700000000250 keySize: -1 valueSize: 3 sequence: -1 headerKeys: [] payload: 0x00ff10
            baseOffset: 2 lastOffset: 2 count: 1 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false position: 132 CreateTime: 1700000001000 size: 85 magic: 2 compresscodec: zstd crc: 3676602884 isvalid: true
            | offset: 2 CreateTime: 1700000001000 keySize: 8 valueSize: -1 sequence: -1 headerKeys: [] key: env-0002
            Found 10 invalid bytes at position 217: 10 bytes are too few for a batch header (61)
            Summary: 2 batches, 3 records, 217 valid bytes of 227

            """)
        // The CRC printed is the real one.
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: segment)))
        #expect(try RecordBatch(bytes[...]).header.crc == 1_178_069_826)
    }

    @Test("a damaged batch is shown as invalid")
    func damagedBatch() throws {
        let (directory, segment) = try Self.makeSegment()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let handle = try #require(FileHandle(forUpdatingAtPath: segment))
        handle.seek(toFileOffset: 100)
        handle.write(Data([0x58]))
        handle.closeFile()
        let output = try SluiceBinary.run(["dump-log", segment])
        #expect(output.standardOutput.contains("position: 0 CreateTime: 1700000000250 size: 132 magic: 2 compresscodec: none crc: 1178069826 isvalid: false"))
    }

    @Test("a missing file is an error naming it, with a non-zero exit")
    func missingFile() throws {
        let output = try SluiceBinary.run(["dump-log", "/nonexistent/00000000000000000000.log"])
        #expect(output.status != 0)
        #expect(output.standardError.contains("cannot read /nonexistent/00000000000000000000.log"))
    }

    @Test("--help teaches: it names the formats and gives an example")
    func help() throws {
        let output = try SluiceBinary.run(["dump-log", "--help"])
        #expect(output.status == 0)
        #expect(output.standardOutput.contains("kafka-dump-log"))
        #expect(output.standardOutput.contains("Example: sluice dump-log --records"))
    }
}
