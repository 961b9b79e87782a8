import Foundation
import Testing

@testable import SluiceConfiguration

@Suite("The metrics section")
struct MetricsSettingsLoadingTests {
    @Test("absent: no endpoint; present: on by default, loopback, port 9464, quiet after 5 minutes")
    func defaults() throws {
        #expect(try loadConfiguration("devices_dir: devices\n").metrics == nil)
        let metrics = try #require(try loadConfiguration("devices_dir: devices\nmetrics: {}\n").metrics)
        #expect(metrics.host == "127.0.0.1" && metrics.port == 9464 && metrics.quietAfter == .seconds(300))
    }

    @Test("enabled: false turns it off")
    func disabled() throws {
        #expect(try loadConfiguration("devices_dir: devices\nmetrics:\n  enabled: false\n  listen: 9000\n").metrics == nil)
    }

    @Test("listen takes host:port, a bare port on loopback, or a bracketed IPv6 host")
    func listen() throws {
        let full = try #require(try loadConfiguration("devices_dir: devices\nmetrics:\n  listen: 10.0.0.5:9100\n  quiet_after: 90s\n").metrics)
        #expect(full.host == "10.0.0.5" && full.port == 9100 && full.quietAfter == .seconds(90))
        let port = try #require(try loadConfiguration("devices_dir: devices\nmetrics: { listen: 9200 }\n").metrics)
        #expect(port.host == "127.0.0.1" && port.port == 9200)
        let ipv6 = try #require(try loadConfiguration("devices_dir: devices\nmetrics: { listen: \"[::1]:9300\" }\n").metrics)
        #expect(ipv6.host == "::1" && ipv6.port == 9300)
    }

    @Test("a bad listen address says how to write one")
    func listenFix() {
        let errors = configurationErrors("devices_dir: devices\nmetrics:\n  listen: gateway\n")
        #expect(errors.map(\.description) == [
            "\(Fixture.configurationFile):3:11: error: metrics.listen: expected host:port or a port, e.g. 127.0.0.1:9464, found 'gateway' (fix: e.g. listen: 127.0.0.1:9464)"
        ])
    }

    @Test("misconfiguration names the line, the column and the fix", arguments: [
        ("metrics:\n  listen: localhost\n", 2, "host:port or a port"),
        ("metrics:\n  listen: 127.0.0.1:70000\n", 2, "host:port or a port"),
        ("metrics:\n  enabled: yes please\n", 2, "true or false"),
        ("metrics:\n  quiet_after: 1s\n", 2, "10s…7d"),
        ("metrics:\n  port: 9464\n", 2, "port"),
        ("metrics: 9464\n", 1, "metrics"),
    ])
    func misconfiguration(yaml: String, line: Int, expected: String) {
        let errors = configurationErrors("devices_dir: devices\n" + yaml)
        #expect(errors.contains { $0.description.contains(expected) && $0.line == line + 1 && $0.column != nil }, "\(errors)")
    }
}
