import Foundation
import Logging
import ServiceLifecycle
import SluiceConfiguration
import SluiceLog

/// The MQTT ingest service: runs `IngestLoop` on a dedicated thread (libmosquitto and blocking
/// writes stay off the cooperative pool) until graceful shutdown, which stops the loop after it
/// has written and acknowledged what it read.
public final class IngestService: Service, Sendable {
    private let configuration: SluiceConfiguration
    private let log: LogManager
    /// What ingest did so far.
    public let statistics: IngestStatistics
    private let logger: Logger

    /// Creates the service; nothing runs until `run()`.
    public init(configuration: SluiceConfiguration, log: LogManager, statistics: IngestStatistics = IngestStatistics(), logger: Logger) {
        self.configuration = configuration
        self.log = log
        self.statistics = statistics
        self.logger = logger
    }

    /// Opens the topics, starts the loop thread and waits for it; returns after graceful shutdown.
    /// - Throws: `LogError` if a topic cannot be opened.
    public func run() async throws {
        let stop = StopSignal()
        let loop = try IngestLoop(configuration: configuration, log: log, statistics: statistics, stop: stop, logger: logger)
        let handOver = LoopHandOver(loop)
        // Graceful shutdown stops the loop after it acknowledged what it read; so does
        // cancellation (another service of the group failed), so the thread never outlives the group.
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let thread = Thread {
                        handOver.take().run()
                        continuation.resume()
                    }
                    thread.name = "sluice-ingest"
                    thread.start()
                }
            } onGracefulShutdown: {
                stop.stop()
            }
        } onCancel: {
            stop.stop()
        }
    }
}

/// Moves the non-Sendable loop to its thread exactly once.
/// `@unchecked Sendable`: the loop is created on the caller's task and only ever used afterwards
/// by the ingest thread, which takes it once; nothing else touches it.
private final class LoopHandOver: @unchecked Sendable {
    private var loop: IngestLoop?
    init(_ loop: IngestLoop) { self.loop = loop }
    func take() -> IngestLoop {
        defer { loop = nil }
        return loop!
    }
}
