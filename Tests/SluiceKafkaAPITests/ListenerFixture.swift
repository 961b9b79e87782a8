import Foundation
import Logging
import NIOPosix
import SluiceCatalog
import SluiceConfiguration
import SluiceLog
import SluiceTestKit

@testable import SluiceKafkaAPI

/// A real log, catalog, broker and listener on a free loopback port, in this process; `stop()`
/// closes every connection and the listener.
final class ListenerFixture: Sendable {
    let directory: String
    let log: LogManager
    let catalog: Catalog
    let broker: KafkaBroker
    let listener: KafkaListener
    private let pool: NIOThreadPool
    private let task: Task<Void, any Error>

    /// `host:port` for clients.
    var bootstrap: String { "127.0.0.1:\(listener.port)" }

    private init(directory: String, log: LogManager, catalog: Catalog, broker: KafkaBroker, listener: KafkaListener, pool: NIOThreadPool) {
        self.directory = directory
        self.log = log
        self.catalog = catalog
        self.broker = broker
        self.listener = listener
        self.pool = pool
        self.task = Task { try await listener.run() }
    }

    /// Starts a listener over the log in `directory` (a new temporary one by default); its lines
    /// at `.warning` and above go to the console, or every line to `logHandler` when given.
    static func start(
        directory: String? = nil, logHandler: (any LogHandler)? = nil, configure: (inout KafkaListenerSettings) -> Void = { _ in }
    ) async throws -> ListenerFixture {
        let directory = directory ?? TestEnvironment.temporaryDirectory("sluice-kafka-listener")
        var settings = KafkaListenerSettings()
        settings.port = 0
        settings.groupInitialRebalanceDelay = .milliseconds(200)
        configure(&settings)
        let log = try LogManager(directory: directory + "/data")
        for (topic, partitions) in try log.existingTopics() {
            try log.openTopic(topic, configuration: TopicConfiguration(partitionCount: partitions))
        }
        let catalog = try Catalog(path: directory + "/catalog.sqlite")
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        var logger = logHandler.map { handler in Logger(label: "sluice.test.kafka") { _ in handler } } ?? Logger(label: "sluice.test.kafka")
        if logHandler == nil { logger.logLevel = .warning }
        let broker = KafkaBroker(
            log: log, catalog: catalog, settings: settings, clusterID: "gw-test",
            topicConfiguration: { _ in TopicConfiguration(partitionCount: 3) }, blockingPool: pool, logger: logger)
        let listener = try await KafkaListener.bind(broker: broker, settings: settings, logger: logger)
        return ListenerFixture(directory: directory, log: log, catalog: catalog, broker: broker, listener: listener, pool: pool)
    }

    /// Stops the listener and closes the log (the directory is kept for a restart).
    func stop() async {
        task.cancel()
        _ = try? await task.value
        try? log.close()
        try? await pool.shutdownGracefully()
    }

    /// Runs `body` with a started fixture and removes it afterwards, whether `body` threw or not.
    static func with<Result>(
        logHandler: (any LogHandler)? = nil, configure: (inout KafkaListenerSettings) -> Void = { _ in },
        _ body: (ListenerFixture) async throws -> Result
    ) async throws -> Result {
        let fixture = try await start(logHandler: logHandler, configure: configure)
        do {
            let result = try await body(fixture)
            await fixture.remove()
            return result
        } catch {
            await fixture.remove()
            throw error
        }
    }

    /// Stops and deletes the directory.
    func remove() async {
        await stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Runs blocking work (waiting for a child process) on its own thread, so the listener under
/// test keeps the cooperative pool's few threads (two on this machine) for itself.
func offPool<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Swift.Result { try work() }) }.start()
    }
}

/// Runs a client program to completion and returns its exit status and output.
enum ClientProcess {
    struct Result: Sendable {
        var status: Int32
        var output: String
        var errors: String
    }

    /// - Parameters:
    ///   - environment: replaces these variables (nil value: removes it) in this process's environment.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String?] = [:], input: String? = nil
    ) async throws -> Result {
        try await offPool { try runBlocking(executable, arguments, environment: environment, input: input) }
    }

    private static func runBlocking(
        _ executable: String, _ arguments: [String], environment: [String: String?], input: String?
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        process.environment = merged
        let directory = TestEnvironment.temporaryDirectory("sluice-client")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outputPath = directory + "/out", errorPath = directory + "/err"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        if let input {
            let inputPath = directory + "/in"
            _ = FileManager.default.createFile(atPath: inputPath, contents: Data(input.utf8))
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
            errors: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }

    /// The venv's Python, running one of the repository's scripts.
    static func python(_ script: String, _ arguments: [String]) async throws -> Result {
        try await run(TestEnvironment.repositoryRoot + "/.venv/bin/python", [TestEnvironment.repositoryRoot + "/scripts/" + script] + arguments)
    }

    /// The environment for a librdkafka client: Debian's own 2.0.2, or the wheel's 2.16.
    static func librdkafka(modern: Bool) throws -> [String: String?] {
        modern ? try LibrdkafkaRuntime.environment().mapValues { $0 } : ["LD_LIBRARY_PATH": nil]
    }
}
