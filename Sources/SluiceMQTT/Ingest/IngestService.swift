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
    private let reloads = IngestReloadMailbox()

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
        let loop: IngestLoop
        do {
            loop = try IngestLoop(configuration: configuration, log: log, statistics: statistics, stop: stop, reloads: reloads, logger: logger)
        } catch {
            reloads.close()
            throw error
        }
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

extension IngestService {
    /// Applies new device profiles without dropping the MQTT session: between two bursts (so
    /// nothing read is lost or written under the old profiles twice), topics of new profiles are
    /// opened and the session subscribes to new filters and unsubscribes from filters no profile
    /// needs. Only `profiles`, `topics` and `topic_defaults` are taken from `configuration`; the
    /// rest needs a restart. Applied within a second while connected, and returns once the broker
    /// acknowledged the (un)subscriptions, so messages of new devices published afterwards reach
    /// ingest; while the broker is unreachable, at the next reconnect attempt.
    /// - Throws: `LogError` if a new topic cannot be opened; ingest then keeps the old profiles.
    public func reload(_ configuration: SluiceConfiguration) async throws(LogError) -> IngestReloadSummary {
        let reloads = self.reloads
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<IngestReloadSummary, LogError>, Never>) in
            reloads.post(.init(configuration: configuration) { continuation.resume(returning: $0) })
        }
        return try result.get()
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
