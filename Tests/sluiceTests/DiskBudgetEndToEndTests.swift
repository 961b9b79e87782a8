import Foundation
import SluiceLog
import SluiceMQTT
import SluiceTestKit
import Synchronization
import Testing

/// The disk budget with a real mosquitto and `sluice run`, forwarding to an upstream that is
/// down (so nothing is forwarded): `drop-oldest` keeps the data directory within its limits on a
/// small real filesystem and counts every record it drops; `block` drops nothing, pauses ingest
/// while the broker queues, and after a restart with room every message is stored exactly once.
@Suite("Disk budget end to end", .serialized)
struct DiskBudgetEndToEndTests {
    static func daemon(broker: MosquittoBroker, storage: String, metricsPort: Int = TestEnvironment.freePort()) throws -> SluiceDaemonProcess {
        let yaml = """
            mqtt: { host: 127.0.0.1, port: \(broker.port), client_id: sluice-budget, reconnect: { min: 1s, max: 2s } }
            log: { fsync: interval, flush_interval: 100ms }
            topic_defaults: { partitions: 1, segment_bytes: 64KiB, compression: none }
            dead_letters: { topic: _dead_letters, partitions: 1, segment_bytes: 64KiB }
            upstream: { bootstrap_servers: "127.0.0.1:\(TestEnvironment.freePort())" }
            storage: \(storage)
            metrics: { listen: 127.0.0.1:\(metricsPort) }
            """
        return try SluiceDaemonProcess(yaml: yaml + "\n", profiles: ["env-sensor": IngestFixture.sensorProfile])
    }

    /// Every record of the one-partition topic `telemetry`, read back through the log store.
    static func storedSequences(_ daemon: SluiceDaemonProcess) throws -> (start: Int64, sequences: [Int]) {
        let log = try LogManager(directory: daemon.dataDirectory, readOnly: true)
        let partition = try log.openTopic("telemetry", configuration: TopicConfiguration(partitionCount: 1))[0]
        var offset = partition.logStartOffset
        var sequences: [Int] = []
        while offset < partition.highWatermark, let last = try partition.records(from: offset, maxBytes: 1 << 20).last {
            sequences += try partition.records(from: offset, maxBytes: 1 << 20).compactMap(IngestFixture.sequence(of:))
            offset = last.offset + 1
        }
        #expect(offset == partition.highWatermark, "every offset from the log start on reads back")
        return (partition.logStartOffset, sequences)
    }

    static func diskBudget(_ daemon: SluiceDaemonProcess) -> [String: Any]? { daemon.status()?["diskBudget"] as? [String: Any] }

    @Test("drop-oldest on a 6 MiB filesystem: the log stays within max_bytes and min_free_bytes, every drop counted")
    func dropOldest() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let metricsPort = TestEnvironment.freePort()
        let daemon = try Self.daemon(broker: broker, storage: "{ max_bytes: 2MiB, min_free_bytes: 2MiB, on_full: drop-oldest }", metricsPort: metricsPort)
        defer { daemon.remove() }
        try FileManager.default.createDirectory(atPath: daemon.dataDirectory, withIntermediateDirectories: true)
        let filesystem = try MountedTmpfs(path: daemon.dataDirectory, sizeKiB: 6 * 1024)
        defer { filesystem.unmount() }
        try daemon.start()
        try daemon.waitUntilConnected()

        let total = 30_000  // ~4 MiB of records: more than the budget and than the filesystem minus min_free
        for start in stride(from: 0, to: total, by: 5000) {
            #expect(try IngestFixture.publish(port: broker.port, range: start..<(start + 5000), devices: 20))
        }
        #expect(TestEnvironment.waitUntil(timeout: .seconds(90)) { (daemon.status()?["messagesReceived"] as? Int) == total },
                "every message is received: \(daemon.output.suffix(1500))")
        // The next budget passes run within a second or two; wait until one has seen the end.
        #expect(TestEnvironment.waitUntil(timeout: .seconds(30)) {
            let (start, sequences) = (try? Self.storedSequences(daemon)) ?? (0, [])
            return (Self.diskBudget(daemon)?["droppedRecords"] as? Int) == Int(start) && start + Int64(sequences.count) == Int64(total)
        }, "dropped records are counted: \(String(describing: Self.diskBudget(daemon)))")
        // /metrics reports the drops too (sampled at scrape time, so only its presence and sign are checked).
        var metrics = ""
        #expect(TestEnvironment.waitUntil(timeout: .seconds(15)) {
            metrics = (try? Self.curl("http://127.0.0.1:\(metricsPort)/metrics")) ?? ""
            let line = metrics.split(separator: "\n").first { $0.hasPrefix("sluice_disk_budget_dropped_records_total ") }
            return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { $0 > 0 } == true
        }, "\(metrics.suffix(2000))")
        #expect(metrics.contains("\nsluice_disk_budget_exceeded 0"), "the gauge says ingest runs")
        #expect(daemon.stop() == 0)

        let (start, sequences) = try Self.storedSequences(daemon)
        #expect(start > 0, "the oldest records were dropped")
        #expect(sequences == Array(Int(start)..<total), "what is left is the newest records, whole and in order")
        #expect(daemon.output.contains("dropped records that were not forwarded"))
        let used = try FileManager.default.subpathsOfDirectory(atPath: daemon.dataDirectory)
            .filter { $0.hasSuffix(".log") }
            .reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: daemon.dataDirectory + "/" + $1)[.size] as? Int) ?? 0) }
        #expect(used <= 2 << 20, "within max_bytes after the last pass: \(used) bytes")
        #expect(try filesystem.freeBytes() >= 2 << 20, "min_free_bytes left free")

        // The log and the catalog on the filesystem that was kept from filling open again.
        try daemon.start()
        try daemon.waitUntilConnected()
        #expect(daemon.stop() == 0, "\(daemon.output)")
    }

    @Test("block: nothing unforwarded is deleted, ingest pauses while the broker queues, a restart with room stores every message once")
    func block() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let metricsPort = TestEnvironment.freePort()
        let daemon = try Self.daemon(broker: broker, storage: "{ max_bytes: 1MiB, min_free_bytes: null, on_full: block }", metricsPort: metricsPort)
        defer { daemon.remove() }
        try daemon.start()
        try daemon.waitUntilConnected()

        let total = 20_000  // ~2.5 MiB: the budget is reached well before the end
        #expect(try IngestFixture.publish(port: broker.port, range: 0..<total, devices: 20), "the broker takes every message")
        #expect(TestEnvironment.waitUntil(timeout: .seconds(60)) {
            (Self.diskBudget(daemon)?["isExceeded"] as? Bool) == true && (daemon.status()?["isConnected"] as? Bool) == false
        }, "ingest pauses: \(String(describing: Self.diskBudget(daemon))) \(daemon.output.suffix(1500))")
        let health = try Self.curl("http://127.0.0.1:\(metricsPort)/healthz", status: true)
        #expect(health.hasPrefix("503") && health.contains("disk budget is exceeded"), "/healthz says why: \(health)")
        #expect(daemon.stop() == 0)
        let (start, paused) = try Self.storedSequences(daemon)
        #expect(start == 0 && !paused.isEmpty && paused.count < total, "nothing deleted, not everything taken: \(paused.count)")
        #expect(paused == Array(0..<paused.count), "what was taken is whole and in order")
        #expect(daemon.output.contains("disk budget exceeded"))

        // Room again (a bigger budget): the broker hands over what it queued, nothing lost or twice.
        let config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "max_bytes: 1MiB", with: "max_bytes: 64MiB")
            .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        try daemon.start()
        try daemon.waitUntilConnected()
        #expect(TestEnvironment.waitUntil(timeout: .seconds(60)) { ((try? Self.storedSequences(daemon).sequences.count) ?? 0) >= total })
        #expect(daemon.stop() == 0)
        let (_, all) = try Self.storedSequences(daemon)
        #expect(all == Array(0..<total), "every message exactly once, in order")
    }

    @Test("a disk filled by someone else: no burst is acknowledged that was not written, the log and catalog stay whole, with room again every message is stored")
    func diskFilledFromOutside() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let metricsPort = TestEnvironment.freePort()
        // No budget at all, so the filesystem itself runs out of space.
        let daemon = try Self.daemon(broker: broker, storage: "{ max_bytes: null, min_free_bytes: null }", metricsPort: metricsPort)
        defer { daemon.remove() }
        try FileManager.default.createDirectory(atPath: daemon.dataDirectory, withIntermediateDirectories: true)
        let filesystem = try MountedTmpfs(path: daemon.dataDirectory, sizeKiB: 8 * 1024)
        defer { filesystem.unmount() }
        try daemon.start()
        try daemon.waitUntilConnected()
        let before = 2000
        #expect(try IngestFixture.publish(port: broker.port, range: 0..<before, devices: 20))
        #expect(TestEnvironment.waitUntil(timeout: .seconds(30)) { (daemon.status()?["messagesReceived"] as? Int) == before })

        // Another program takes every free byte.
        let filler = daemon.dataDirectory + "/filler"
        let filled = try Self.fill(filler)
        let free = try filesystem.freeBytes()
        #expect(filled > 0 && free < 64 << 10, "the filesystem is full: \(filled) bytes taken, \(free) left")

        let total = 6000
        let published = Mutex<Bool?>(nil)
        let publisher = Thread {
            let acknowledged = (try? IngestFixture.publish(port: broker.port, range: before..<total, devices: 20, clientID: "full-disk-publisher")) ?? false
            published.withLock { $0 = acknowledged }
        }
        publisher.start()
        #expect(TestEnvironment.waitUntil(timeout: .seconds(30)) { ((daemon.status()?["appendFailures"] as? Int) ?? 0) > 0 },
                "appends fail on the full disk: \(daemon.output.suffix(1500))")
        #expect(daemon.isRunning, "the daemon keeps running on a full disk")
        let health = try Self.curl("http://127.0.0.1:\(metricsPort)/healthz", status: true)
        #expect(health.hasPrefix("503") && health.contains("could not be written"), "/healthz says why: \(health)")
        #expect(daemon.output.contains("disk is full"), "the log line names the cause")

        // Room again: what the broker kept for the session arrives; nothing was lost.
        try FileManager.default.removeItem(atPath: filler)
        #expect(TestEnvironment.waitUntil(timeout: .seconds(90)) { published.withLock { $0 } != nil }, "the publisher finished")
        #expect(published.withLock { $0 } == true, "every message was acknowledged once there was room")
        #expect(TestEnvironment.waitUntil(timeout: .seconds(30)) {
            Set((try? Self.storedSequences(daemon).sequences) ?? []).count == total
        }, "every message is stored: \(daemon.output.suffix(1500))")
        #expect(daemon.stop() == 0)

        let (start, sequences) = try Self.storedSequences(daemon)
        #expect(start == 0 && Set(sequences) == Set(0..<total), "every message at least once")
        // A burst that was partly written before the disk filled comes again (MQTT QoS 1 is at
        // least once); in first-seen order the records are still exactly the published order.
        var seen = Set<Int>()
        #expect(sequences.filter { seen.insert($0).inserted } == Array(0..<total), "order kept")
        #expect(sequences.count - total <= total - before, "repeats come only from failed bursts: \(sequences.count - total)")
        // The log and the catalog that hit the full disk open again.
        try daemon.start()
        try daemon.waitUntilConnected()
        #expect(daemon.stop() == 0, "\(daemon.output)")
    }

    /// Writes zeros to `path` until the filesystem refuses; returns the bytes written.
    static func fill(_ path: String) throws -> Int {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw TestKitError("open \(path) failed: errno \(errno)") }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0, count: 16 << 10)
        var total = 0
        while true {
            let written = chunk.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { break }
            total += written
        }
        return total
    }
}

extension DiskBudgetEndToEndTests {
    /// The body of an HTTP GET with curl (with `status`, prefixed by the status code and a newline).
    static func curl(_ url: String, status: Bool = false) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "--max-time", "10"] + (status ? ["-w", "%{http_code}\\n", "-o", "-"] : []) + [url]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard status else { return text }
        // curl prints the body, then the code: put the code first.
        let code = text.split(separator: "\n").last.map(String.init) ?? ""
        return code + "\n" + text
    }
}

/// A tmpfs of `sizeKiB` mounted on an existing folder for one test (needs root, as CI runs).
struct MountedTmpfs {
    let path: String

    init(path: String, sizeKiB: Int) throws {
        self.path = path
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=\(sizeKiB)k", "tmpfs", path]
        try mount.run()
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else { throw TestKitError("mount -t tmpfs on \(path) failed: these tests need root") }
    }

    func freeBytes() throws -> Int {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { throw TestKitError("statvfs \(path) failed") }
        return Int(info.f_bavail) * Int(info.f_frsize)
    }

    func unmount() {
        let umount = Process()
        umount.executableURL = URL(fileURLWithPath: "/bin/umount")
        umount.arguments = ["-l", path]
        try? umount.run()
        umount.waitUntilExit()
    }
}
