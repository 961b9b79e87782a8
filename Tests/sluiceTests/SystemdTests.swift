import Foundation
import Glibc
import SluiceTestKit
import Testing

@Suite("systemd: notify protocol and the unit file", .serialized)
struct SystemdTests {
    @Test("sluice run sends READY=1 once the log is open, and STOPPING=1 on SIGTERM")
    func notify() throws {
        let socketPath = TestEnvironment.temporaryDirectory("sluice-notify") + "/notify.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socketPath.utf8)) }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        func receive(until deadline: ContinuousClock.Instant) -> [String] {
            var messages: [String] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while ContinuousClock.now < deadline {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count > 0 {
                    messages.append(String(decoding: buffer[0..<count], as: UTF8.self))
                    return messages
                }
            }
            return messages
        }

        let fixture = try IngestFixture(environment: ["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "1000000"])
        defer { fixture.remove() }
        try fixture.daemon.start()
        let ready = receive(until: .now + .seconds(20))
        #expect(ready.first?.hasPrefix("READY=1") == true, "got \(ready): \(fixture.daemon.output)")
        // With WATCHDOG_USEC=1 s, pings come every half second.
        let ping = receive(until: .now + .seconds(5))
        #expect(ping.first?.hasPrefix("WATCHDOG=1") == true, "got \(ping)")
        kill(fixture.daemon.pid!, SIGTERM)
        var stopping = false
        let deadline = ContinuousClock.now + .seconds(20)
        while !stopping && ContinuousClock.now < deadline {
            stopping = receive(until: deadline).contains { $0.hasPrefix("STOPPING=1") }
        }
        #expect(stopping)
        #expect(fixture.daemon.stop() == 0)
    }

    @Test("systemd-analyze verify accepts the unit")
    func verifyUnit() throws {
        let directory = TestEnvironment.temporaryDirectory("sluice-unit")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Point ExecStart at the built binary: verify checks that the executable exists.
        let unit = try String(contentsOfFile: TestEnvironment.repositoryRoot + "/systemd/sluice.service", encoding: .utf8)
            .replacingOccurrences(of: "/usr/bin/sluice", with: TestEnvironment.sluiceExecutable)
        try unit.write(toFile: directory + "/sluice.service", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = ["verify", directory + "/sluice.service"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(unit.contains("Type=notify") && unit.contains("ProtectSystem=strict") && unit.contains("NoNewPrivileges=yes"))
    }
}
