import Foundation
import Testing

@testable import SluiceLog

@Suite("Recovery: torn writes and flipped bytes")
struct RecoveryTests {
    /// One active segment of mixed batches: its bytes, and where each batch ends with how many
    /// records came before its end.
    struct Written {
        var bytes: [UInt8]
        var batchEnds: [(end: Int, recordsThrough: Int64)]
        var records: [Record]
    }

    static func writeSegment(in directory: TemporaryDirectory) throws -> Written {
        var configuration = TopicConfiguration()
        configuration.compression = .none
        let log = try LogManager(directory: directory.path)
        let partition = try log.openTopic("torn", configuration: configuration)[0]
        var generator = SystemRandomNumberGenerator()
        var records: [Record] = []
        var encoder = RecordBatchEncoder()
        for burst in 0..<40 {
            let burstRecords = telemetryRecords(count: Int.random(in: 1...30, using: &generator), startOffset: records.count)
            var bytes: [UInt8] = []
            try encoder.encode(burstRecords, compression: burst % 3 == 0 ? .zstd : .none, into: &bytes)
            try partition.append(batch: bytes)
            records += burstRecords
        }
        try log.close()
        let path = directory.path + "/torn-0/00000000000000000000.log"
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        var ends: [(Int, Int64)] = []
        var sequence = RecordBatchSequence(bytes)
        while let batch = sequence.next() { ends.append((sequence.nextPosition, batch.header.lastOffset + 1)) }
        #expect(sequence.nextPosition == bytes.count)
        return Written(bytes: bytes, batchEnds: ends, records: numbered(records, from: 0))
    }

    /// Writes `damaged` as the only segment of a fresh partition, reopens it, and checks the
    /// recovery promise: records wholly before `damageAt` intact, nothing after, appends continue.
    static func check(_ written: Written, damaged: [UInt8], damageAt: Int) throws {
        let directory = TemporaryDirectory("sluice-trial")
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path + "/torn-0", withIntermediateDirectories: true)
        try Data(damaged).write(to: URL(fileURLWithPath: directory.path + "/torn-0/00000000000000000000.log"))
        let surviving = written.batchEnds.last { $0.end <= damageAt }?.recordsThrough ?? 0
        let keptBytes = written.batchEnds.last { $0.end <= damageAt }?.end ?? 0

        let log = try LogManager(directory: directory.path)
        let partition = try log.openTopic("torn")[0]
        #expect(partition.highWatermark == surviving, "damage at \(damageAt)")
        #expect(log.recoveries["torn-0"]?.truncatedBytes == damaged.count - keptBytes)
        var read: [Record] = []
        while Int64(read.count) < partition.highWatermark {
            read += try partition.records(from: Int64(read.count), maxBytes: 64 * 1024)
        }
        #expect(read == Array(written.records.prefix(Int(surviving))))
        let next = try partition.append(telemetryRecords(count: 3))
        #expect(next.baseOffset == surviving)
        #expect(try partition.records(from: surviving).count == 3)
    }

    @Test("a segment cut at any byte keeps every whole batch before the cut")
    func tornTail() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let written = try Self.writeSegment(in: directory)
        var generator = SystemRandomNumberGenerator()
        var cuts = Set((0..<120).map { _ in Int.random(in: 0..<written.bytes.count, using: &generator) })
        cuts.formUnion(written.batchEnds.prefix(5).flatMap { [$0.end - 1, $0.end, $0.end + 1] })
        cuts.formUnion([0, 1, 60, 61, written.bytes.count - 1])
        for cut in cuts.sorted() {
            try Self.check(written, damaged: Array(written.bytes.prefix(cut)), damageAt: cut)
        }
    }

    @Test("a flipped byte anywhere cuts the log at the start of the batch that holds it")
    func flippedByte() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let written = try Self.writeSegment(in: directory)
        var generator = SystemRandomNumberGenerator()
        var positions = Set((0..<120).map { _ in Int.random(in: 0..<written.bytes.count, using: &generator) })
        positions.formUnion(0..<61)  // every header field of the first batch
        for position in positions.sorted() {
            var damaged = written.bytes
            damaged[position] ^= UInt8.random(in: 1...255, using: &generator)
            // The damaged batch starts at the end of the last batch ending at or before `position`.
            let batchStart = written.batchEnds.last { $0.end <= position }?.end ?? 0
            try Self.check(written, damaged: damaged, damageAt: batchStart)
        }
    }

    @Test("opening scans only the active segment: closed segments are trusted, not read")
    func onlyActiveScanned() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = TopicConfiguration()
        configuration.segmentBytes = 4096
        configuration.compression = .none
        do {
            let log = try LogManager(directory: directory.path)
            let partition = try log.openTopic("many", configuration: configuration)[0]
            for burst in 0..<300 { try partition.append(telemetryRecords(count: 5, startOffset: burst * 5)) }
            #expect(partition.segmentCount > 20)
            // A crash: no close, so the active segment is recovered on the next open.
        }
        let files = directory.files(in: "many-0").filter { $0.hasSuffix(".log") }
        let activeName = try #require(files.last)
        let activeSize = try FileManager.default.attributesOfItem(atPath: directory.path + "/many-0/" + activeName)[.size] as! Int
        // Damage a closed segment: recovery must not even look at it.
        let closed = try SegmentFile(path: directory.path + "/many-0/" + files[3], create: false)
        try closed.write([0xFF, 0xFF], at: 100)
        let log = try LogManager(directory: directory.path)
        let partition = try log.openTopic("many", configuration: configuration)[0]
        let recovery = try #require(log.recoveries["many-0"])
        #expect(recovery.scannedBytes == activeSize)
        #expect(recovery.truncatedBytes == 0)
        #expect(partition.highWatermark == 1500)
        #expect(partition.segmentCount == files.count)
    }
}

@Suite("Read-only opening, beside a running writer")
struct ReadOnlyTests {
    @Test("a reader sees whole batches, cuts nothing, deletes nothing and cannot append")
    func readOnly() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let writer = try LogManager(directory: directory.path)
        let partition = try writer.openTopic("live")[0]
        try partition.append(telemetryRecords(count: 10))
        // A batch being written: its first 30 bytes are on disk.
        let segment = directory.path + "/live-0/00000000000000000000.log"
        let file = try SegmentFile(path: segment, create: false)
        let size = try file.size()
        try file.write([UInt8](repeating: 7, count: 30), at: size)

        let reader = try LogManager(directory: directory.path, readOnly: true)
        let view = try reader.openTopic("live")[0]
        #expect(view.highWatermark == 10)
        #expect(try view.records(from: 0).count == 10)
        #expect(try file.size() == size + 30)  // the writer's bytes are untouched
        #expect((#expect(throws: LogError.self) { try view.append(telemetryRecords(count: 1)) })?.code == .invalidArgument)
        #expect(try view.applyRetention(nowMillis: .max / 2).deletedSegments == 0)
    }
}
