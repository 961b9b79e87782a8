import Dispatch
import Logging
import ServiceLifecycle
import SluiceCatalog
import SluiceConfiguration
import SluiceLog
import Synchronization

/// Runs the `streams:` jobs until graceful shutdown, each on its own serial queue (log reads,
/// appends, fsyncs and catalog commits block, so they stay off Swift's cooperative pool). A job
/// with nothing to read waits on the log's append signal. On shutdown each job writes what it
/// has and saves a last checkpoint.
///
/// A job that falls behind delays only itself: ingest never waits for it.
public final class StreamService: Service, Sendable {
    private let jobs: [StreamJobSettings]
    private let log: LogManager
    private let catalog: Catalog
    private let deadLetters: Partition?
    /// What the jobs did.
    public let statistics: StreamStatistics
    private let logger: Logger

    /// Creates the service; the jobs' topics must be open in `log`.
    public init(
        jobs: [StreamJobSettings], log: LogManager, catalog: Catalog, deadLetters: Partition?,
        statistics: StreamStatistics = StreamStatistics(), logger: Logger
    ) {
        self.jobs = jobs
        self.log = log
        self.catalog = catalog
        self.deadLetters = deadLetters
        self.statistics = statistics
        self.logger = logger
    }

    /// Opens every job (restoring its checkpoint) and runs them until graceful shutdown.
    /// - Throws: `StreamError` if a job cannot be opened.
    public func run() async throws {
        let stop = StreamStopFlag()
        var workers: [StreamWorker] = []
        for job in jobs {
            let worker = try await StreamWorker.open(
                job: job, log: log, catalog: catalog, deadLetters: deadLetters, statistics: statistics, logger: logger)
            workers.append(worker)
        }
        logger.info("stream jobs running", metadata: ["stream.jobs": "\(jobs.map(\.name).joined(separator: ","))"])
        let signal = log.appendSignal
        let running = workers
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for worker in running {
                    group.addTask {
                        while !stop.isSet && !Task.isCancelled {
                            let generation = signal.generation
                            let worked = await worker.perform { runner in
                                let worked = runner.step()
                                runner.checkpointIfDue(force: false)
                                return worked
                            }
                            if !worked { await signal.wait(after: generation, timeout: .milliseconds(250)) }
                        }
                        await worker.perform { $0.checkpointIfDue(force: true) }
                    }
                }
            }
        } onGracefulShutdown: {
            stop.set()
        }
    }
}

/// One job's runner and the serial queue it is confined to.
/// `@unchecked Sendable`: the runner is only touched by blocks on `queue`, which runs one at a time.
final class StreamWorker: @unchecked Sendable {
    private let queue: DispatchQueue
    private var runner: StreamJobRunner?

    private init(queue: DispatchQueue) { self.queue = queue }

    /// Opens the job's runner on its queue.
    static func open(
        job: StreamJobSettings, log: LogManager, catalog: Catalog, deadLetters: Partition?, statistics: StreamStatistics,
        logger: Logger
    ) async throws -> StreamWorker {
        let worker = StreamWorker(queue: DispatchQueue(label: "sluice.stream.\(job.name)"))
        let result: Result<Void, StreamError> = await withCheckedContinuation { continuation in
            worker.queue.async {
                do throws(StreamError) {
                    worker.runner = try StreamJobRunner(
                        job: job, log: log, catalog: catalog, deadLetters: deadLetters, statistics: statistics, logger: logger)
                    continuation.resume(returning: .success(()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        try result.get()
        return worker
    }

    /// Runs `body` with the runner on the job's queue.
    @discardableResult
    func perform<Value: Sendable>(_ body: @escaping @Sendable (StreamJobRunner) -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body(self.runner!)) }
        }
    }
}

/// A flag set once, from any thread.
final class StreamStopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}
