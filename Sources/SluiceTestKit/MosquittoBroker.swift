import Foundation

/// A real mosquitto broker for a test, on a free loopback port, configured from the shipped
/// `config/mosquitto.conf` (its queue limits included); stopped by `stop()`.
public final class MosquittoBroker: Sendable {
    /// The port it listens on.
    public let port: Int
    private let processes: ProcessBox
    private let directory: String
    private let executable: String

    /// Holds the current broker process (replaced by `restart`).
    /// `@unchecked Sendable`: tests start, restart and stop the broker from one task.
    private final class ProcessBox: @unchecked Sendable {
        var current: TestProcess
        init(_ process: TestProcess) { current = process }
    }

    /// Starts mosquitto and waits until it accepts connections.
    /// - Throws: if mosquitto is missing or does not come up within 10 s (the message says how to install it).
    public init() throws {
        let directory = TestEnvironment.temporaryDirectory("sluice-mosquitto")
        let port = TestEnvironment.freePort()
        let shipped = try String(contentsOfFile: TestEnvironment.repositoryRoot + "/config/mosquitto.conf", encoding: .utf8)
        let body = shipped.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { line in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return !(trimmed.hasPrefix("listener") || trimmed.hasPrefix("port ") || trimmed.hasPrefix("log_dest")
                    || trimmed.hasPrefix("persistence_location") || trimmed.hasPrefix("pid_file"))
            }
            .joined(separator: "\n")
        let config = "listener \(port) 127.0.0.1\nlog_dest stdout\n" + body + "\n"
        try config.write(toFile: directory + "/mosquitto.conf", atomically: true, encoding: .utf8)
        let executable = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let executable else { throw TestKitError("mosquitto is not installed: run `make test` (scripts/bootstrap.sh installs it)") }
        let process = try TestProcess(executable, ["-c", directory + "/mosquitto.conf"], outputPath: directory + "/mosquitto.log")
        guard TestEnvironment.waitUntil(timeout: .seconds(10), { TestEnvironment.isListening(port: port) }) else {
            process.kill9()
            throw TestKitError("mosquitto did not start on port \(port): \(process.output)")
        }
        self.port = port
        self.processes = ProcessBox(process)
        self.directory = directory
        self.executable = executable
    }

    /// Kills the broker (its sessions are gone: persistence is off) and starts it again on the same port.
    public func restart() throws {
        processes.current.kill9()
        let process = try TestProcess(executable, ["-c", directory + "/mosquitto.conf"], outputPath: directory + "/mosquitto-restarted.log")
        processes.current = process
        let port = self.port
        guard TestEnvironment.waitUntil(timeout: .seconds(10), { TestEnvironment.isListening(port: port) }) else {
            throw TestKitError("mosquitto did not restart on port \(port): \(process.output)")
        }
    }

    /// Stops the broker process but keeps its folder, so ``restart()`` can start it again on the
    /// same port (an outage of the broker).
    public func pause() {
        processes.current.stop()
    }

    /// Stops the broker and removes its folder.
    public func stop() {
        processes.current.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A test-kit failure with a reason.
public struct TestKitError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
