import Foundation
import Testing

@testable import SluiceLog

@Suite("Bad input gives typed errors and corrupts nothing")
struct BadInputTests {
    @Test("offsets outside the log, and a zero read size, are refused; the high watermark reads empty")
    func offsets() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let partition = try LogManager(directory: directory.path).openTopic("offsets")[0]
        try partition.append(telemetryRecords(count: 10))
        for offset: Int64 in [-1, 11, .max] {
            let error = #expect(throws: LogError.self) { try partition.read(from: offset, maxBytes: 1000) }
            #expect(error?.code == .offsetOutOfRange)
            #expect(error?.message.contains("outside") == true)
        }
        #expect(try partition.read(from: 10, maxBytes: 1000).bytes.isEmpty)
        #expect(try partition.read(from: 10, maxBytes: 1000).highWatermark == 10)
        #expect((#expect(throws: LogError.self) { try partition.read(from: 0, maxBytes: 0) })?.code == .invalidArgument)
    }

    @Test("an oversize batch is refused and nothing is appended")
    func oversize() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = TopicConfiguration()
        configuration.maxBatchBytes = 2000
        configuration.compression = .none
        let partition = try LogManager(directory: directory.path).openTopic("big", configuration: configuration)[0]
        let error = #expect(throws: LogError.self) { try partition.append(telemetryRecords(count: 100)) }
        #expect(error?.code == .batchTooLarge)
        #expect(partition.highWatermark == 0)
        #expect(partition.sizeBytes == 0)
        #expect(try partition.append(telemetryRecords(count: 5)).baseOffset == 0)
    }

    @Test("produced batches are checked before they are written")
    func producedBatches() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let partition = try LogManager(directory: directory.path).openTopic("produced")[0]
        var encoder = RecordBatchEncoder()
        var good: [UInt8] = []
        try encoder.encode(telemetryRecords(count: 4), into: &good)
        var badCRC = good
        badCRC[good.count - 1] ^= 1
        var badCount = good
        badCount.storeBigEndian(Int32(7), at: 57)
        badCount.storeBigEndian(CRC32C.checksum(badCount[21...]), at: 17)
        for bad in [badCRC, good + [0], Array(good.prefix(40)), Array(good.dropLast()), badCount, []] {
            let error = #expect(throws: LogError.self) { try partition.append(batch: bad) }
            #expect(error?.code == .corruptBatch)
        }
        #expect(partition.highWatermark == 0)
        #expect(try partition.append(batch: good).lastOffset == 3)
    }

    @Test("bad topic names and configurations are refused with the reason")
    func topics() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let log = try LogManager(directory: directory.path)
        for name in ["", ".", "..", "a/b", "spaces here", String(repeating: "x", count: 250)] {
            #expect((#expect(throws: LogError.self) { try log.openTopic(name) })?.code == .invalidArgument)
        }
        for configuration in [TopicConfiguration(partitionCount: 0), { var c = TopicConfiguration(); c.segmentBytes = 10; return c }()] {
            #expect((#expect(throws: LogError.self) { try log.openTopic("ok", configuration: configuration) })?.code == .invalidArgument)
        }
        #expect(throws: LogError.self) { try log.partition("missing", 0) }
    }

    @Test("a data directory that is a file is refused, naming it")
    func directoryIsFile() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path + "/not-a-directory"
        #expect(FileManager.default.createFile(atPath: file, contents: Data([1])))
        let error = #expect(throws: LogError.self) { try LogManager(directory: file + "/data") }
        #expect(error?.path?.hasPrefix(file) == true)
    }

    @Test("a read-only data directory is refused as permission denied")
    func readOnly() throws {
        let mount = try ScratchFilesystem(sizeKiB: 1024, readOnly: true)
        defer { mount.unmount() }
        let error = #expect(throws: LogError.self) { try LogManager(directory: mount.path) }
        #expect(error?.code == .permissionDenied)
        #expect(error?.description.contains(mount.path) == true)
    }

    @Test("a full disk fails the append with diskFull, leaves no partial batch, and the log goes on")
    func diskFull() throws {
        let mount = try ScratchFilesystem(sizeKiB: 256, readOnly: false)
        defer { mount.unmount() }
        var configuration = TopicConfiguration()
        configuration.compression = .none
        configuration.fsync = .always
        let log = try LogManager(directory: mount.path + "/data")
        let partition = try log.openTopic("full", configuration: configuration)[0]
        var appended: [Record] = []
        var failure: LogError?
        for burst in 0..<1000 {
            let records = telemetryRecords(count: 40, startOffset: burst * 40)
            do {
                try partition.append(records)
                appended += records
            } catch {
                failure = error
                break
            }
        }
        let error = try #require(failure)
        #expect(error.code == .diskFull)
        #expect(partition.highWatermark == Int64(appended.count))
        // The file holds whole batches only: reopening truncates nothing.
        try log.close()
        let reopenedLog = try LogManager(directory: mount.path + "/data")
        let reopened = try reopenedLog.openTopic("full", configuration: configuration)[0]
        #expect(reopenedLog.recoveries["full-0"]?.truncatedBytes == 0)
        var read: [Record] = []
        while Int64(read.count) < reopened.highWatermark { read += try reopened.records(from: Int64(read.count)) }
        #expect(read == numbered(appended, from: 0))
        // Free space and the log goes on at the next offset.
        try mount.freeBallast()
        #expect(try reopened.append(telemetryRecords(count: 1)).baseOffset == Int64(appended.count))
    }
}

/// A small tmpfs mounted for one test, to make a full or read-only filesystem for real. Needs
/// root (CI and the dev machines run as root); without it the test fails saying so.
struct ScratchFilesystem {
    let path: String

    init(sizeKiB: Int, readOnly: Bool) throws {
        path = NSTemporaryDirectory() + "sluice-fs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(sizeKiB)k", "tmpfs", path])
        // Ballast: a file that freeBallast() removes, to show the log continues once space is back.
        _ = FileManager.default.createFile(atPath: path + "/ballast", contents: Data(count: sizeKiB * 1024 / 4))
        if readOnly { try Self.run("/bin/mount", ["-o", "remount,ro", path]) }
    }

    func freeBallast() throws { try FileManager.default.removeItem(atPath: path + "/ballast") }

    func unmount() {
        try? Self.run("/bin/umount", [path])
        try? FileManager.default.removeItem(atPath: path)
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(tool) \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus)); these tests need root to mount a tmpfs")
        }
    }
}
