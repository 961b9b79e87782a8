import Foundation
import Glibc

/// A process a test started and must stop: launched with its output captured to a file, stopped
/// (SIGTERM, then SIGKILL after a bound) by `stop()`; `kill9()` simulates a crash.
public final class TestProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is only started in init and then used through Foundation's
    // thread-safe Process API (terminate, isRunning, waitUntilExit, processIdentifier).
    private let process: Process
    /// The file holding the process's stdout and stderr.
    public let outputPath: String

    /// Starts `executable` with `arguments` and `environment` added to ours.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], outputPath: String) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        self.outputPath = outputPath
        // A child inherits the signal mask of the thread that starts it; Swift concurrency's
        // threads block SIGTERM and SIGINT, so clear the mask around the start (else `stop()`
        // could only end the child with SIGKILL).
        var empty = sigset_t()
        var saved = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        try process.run()
    }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }
    /// Whether it still runs.
    public var isRunning: Bool { process.isRunning }
    /// Everything it printed so far.
    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, wait up to `timeout`, then SIGKILL. Returns the exit status.
    @discardableResult
    public func stop(timeout: Duration = .seconds(10)) -> Int32 {
        if process.isRunning { kill(pid, SIGTERM) }
        return waitForExit(timeout: timeout) ?? kill9()
    }

    /// SIGKILL (a crash) and reap.
    @discardableResult
    public func kill9() -> Int32 {
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Waits up to `timeout` for the process to exit by itself; nil if it did not.
    public func waitForExit(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(pid, SIGKILL) } }
}
