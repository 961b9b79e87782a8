import Foundation
import Logging
import ServiceLifecycle
import SluiceConfiguration
import SluiceLog
import SluiceMQTT
import SluiceMetrics
import Synchronization
import Testing

@testable import SluiceServer

/// The log's background service on a real log: its failures reach the health check and are
/// logged once per interval, not once per tick.
@Suite("Log service")
struct LogServiceTests {
    /// Keeps every log line's message, for counting.
    final class LineRecorder: Sendable {
        private let lines = Mutex<[String]>([])
        var messages: [String] { lines.withLock { $0 } }
        func handler(label: String) -> any LogHandler { RecordingHandler(recorder: self) }
        func record(_ message: String) { lines.withLock { $0.append(message) } }
    }

    struct RecordingHandler: LogHandler {
        let recorder: LineRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { recorder.record("\(event.message)") }
    }

    static func waitUntil(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<200 {  // 20 s at most
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return condition()
    }

    @Test("a data directory that vanishes (an SD card pulled) makes the gateway unhealthy, logged once; back, it is healthy again")
    func maintenanceFailure() async throws {
        let directory = NSTemporaryDirectory() + "sluice-log-service-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let dataDirectory = directory + "/data"
        let log = try LogManager(directory: dataDirectory)
        var topic = TopicConfiguration(partitionCount: 1)
        topic.fsync = .interval(.milliseconds(20))
        try log.openTopic("t", configuration: topic)
        try log.partition("t", 0).append([Record(timestamp: 1, key: nil, value: Array("before".utf8))])
        let fsyncsBefore = log.statistics.fsyncs

        let recorder = LineRecorder()
        let logger = Logger(label: "test", factory: recorder.handler)
        let service = LogService(log: log, flushInterval: .milliseconds(20), diskBudget: DiskBudget(minFreeBytes: 1), logger: logger)
        var configuration = SluiceConfiguration()
        configuration.dataDirectory = dataDirectory
        let ingest = IngestStatistics()
        let group = ServiceGroup(services: [service], logger: logger)
        try await withThrowingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            #expect(try await Self.waitUntil { log.statistics.fsyncs > fsyncsBefore }, "the append is fsynced")
            #expect(log.maintenanceState.currentFailures.isEmpty)

            // The disk budget's statvfs fails every second from now on.
            try FileManager.default.moveItem(atPath: dataDirectory, toPath: directory + "/gone")
            #expect(try await Self.waitUntil { (log.maintenanceState.currentFailures.first?.count ?? 0) >= 3 }, "three passes fail in a row: \(recorder.messages)")
            let problems = DaemonHealth.check(configuration: configuration, ingest: ingest, maintenance: log.maintenanceState).problems
            #expect(problems.contains { $0.contains("the disk budget pass is failing") && $0.contains("free space") }, "\(problems)")
            #expect(recorder.messages.filter { $0.hasPrefix("log maintenance failed") }.count == 1, "one line for the repeats: \(recorder.messages)")

            try FileManager.default.moveItem(atPath: directory + "/gone", toPath: dataDirectory)
            #expect(try await Self.waitUntil { log.maintenanceState.currentFailures.isEmpty }, "the next pass succeeds")
            #expect(recorder.messages.contains("log maintenance works again"))
            #expect(!DaemonHealth.check(configuration: configuration, ingest: ingest, maintenance: log.maintenanceState).problems
                .contains { $0.contains("maintenance") })
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(recorder.messages.contains("log closed cleanly"))
    }
}
