import Foundation

/// `sluice run` as a separate process, as systemd would run it, with a configuration written for
/// the test: its own data directory, runtime directory (status.json) and device profiles.
public final class SluiceDaemonProcess: @unchecked Sendable {
    // @unchecked Sendable: the current process handle is only replaced by `start()`, which tests
    // call from one task.
    /// The folder holding the configuration, data and runtime directories.
    public let directory: String
    /// The data directory of the log.
    public var dataDirectory: String { directory + "/data" }
    /// Where status.json is written.
    public var runtimeDirectory: String { directory + "/run" }
    /// The configuration file.
    public var configPath: String { directory + "/sluice.yaml" }
    private(set) var process: TestProcess?
    private var starts = 0
    private let extraEnvironment: [String: String]

    /// Writes the configuration: `yaml` is the body (mqtt, topics, …); `data_dir` and
    /// `devices_dir` are added; `profiles` are written as `devices/<name>.yaml`.
    public init(yaml: String, profiles: [String: String], environment: [String: String] = [:]) throws {
        directory = TestEnvironment.temporaryDirectory("sluice-daemon")
        extraEnvironment = environment
        try FileManager.default.createDirectory(atPath: directory + "/devices", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/run", withIntermediateDirectories: true)
        for (name, body) in profiles { try body.write(toFile: directory + "/devices/\(name).yaml", atomically: true, encoding: .utf8) }
        let config = "data_dir: \(directory)/data\ndevices_dir: devices\n" + yaml
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts (or restarts) the daemon.
    public func start() throws {
        starts += 1
        process = try TestProcess(
            TestEnvironment.sluiceExecutable, ["run", "--config", configPath, "--log-level", "info"],
            environment: extraEnvironment.merging(["RUNTIME_DIRECTORY": runtimeDirectory]) { $1 },
            outputPath: directory + "/sluice-\(starts).log")
    }

    /// The latest status.json, parsed loosely (the test reads counters by name).
    public func status() -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: runtimeDirectory + "/status.json") else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// Waits until the status says the broker connection is up.
    public func waitUntilConnected(timeout: Duration = .seconds(20)) throws {
        let up = TestEnvironment.waitUntil(timeout: timeout) {
            guard let process, process.isRunning else { return true }
            return (status()?["isConnected"] as? Bool) == true && (status()?["pid"] as? Int) == Int(process.pid)
        }
        guard up, let process, process.isRunning else { throw TestKitError("sluice did not connect: \(output)") }
    }

    /// What the current daemon process printed.
    public var output: String { process?.output ?? "" }
    /// Whether it runs.
    public var isRunning: Bool { process?.isRunning ?? false }
    /// The pid of the current process.
    public var pid: Int32? { process?.pid }

    /// SIGTERM and wait; returns the exit status.
    @discardableResult
    public func stop() -> Int32 { process?.stop(timeout: .seconds(20)) ?? 0 }
    /// SIGKILL: a crash.
    public func kill9() { process?.kill9() }

    /// Stops the daemon (if running) and removes its folder.
    public func remove() {
        if isRunning { process?.kill9() }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
