import Foundation
import Glibc

/// A loopback TCP proxy (scripts/tcp-proxy.py) in front of a broker, to simulate network outages:
/// `interrupt()` drops every connection and refuses new ones until `resume()`.
public final class TCPProxy: Sendable {
    /// The port clients connect to.
    public let port: Int
    private let process: TestProcess

    /// Starts the proxy on 127.0.0.1:`listenPort`, forwarding to `targetHost`:`targetPort`.
    public init(listenPort: Int = TestEnvironment.freePort(), targetHost: String = "127.0.0.1", targetPort: Int) throws {
        let directory = TestEnvironment.temporaryDirectory("sluice-proxy")
        process = try TestProcess(
            "/usr/bin/python3", [TestEnvironment.repositoryRoot + "/scripts/tcp-proxy.py", "--listen", String(listenPort), "--target", String(targetPort),
             "--target-host", targetHost],
            outputPath: directory + "/proxy.log")
        port = listenPort
        guard TestEnvironment.waitUntil(timeout: .seconds(10), { TestEnvironment.isListening(port: listenPort) }) else {
            process.kill9()
            throw TestKitError("the TCP proxy did not start: \(process.output)")
        }
    }

    /// Drops all connections and refuses new ones.
    public func interrupt() { kill(process.pid, SIGUSR1) }
    /// Accepts connections again.
    public func resume() { kill(process.pid, SIGUSR2) }
    /// Stops the proxy.
    public func stop() { process.stop(timeout: .seconds(2)) }
}
