import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import SluiceMetrics
import SluiceTestKit
import Synchronization
import Testing

@Suite("The operations HTTP endpoint")
struct MetricsServerTests {
    /// curl blocks its thread: run it on a thread of its own, not on the cooperative pool the
    /// server's tasks need.
    static func get(_ url: String) async throws -> HTTPProbe.Response {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try HTTPProbe.get(url) }) }.start()
        }
    }

    /// A health that the test switches.
    final class Switch: Sendable {
        private let problems = Mutex<[String]>([])
        func set(_ value: [String]) { problems.withLock { $0 = value } }
        var report: HealthReport { HealthReport(problems: problems.withLock { $0 }) }
    }

    /// Runs `body` against a bound server, then shuts it down gracefully.
    static func withServer(
        registry: PrometheusCollectorRegistry, health: Switch = Switch(),
        _ body: @Sendable (MetricsServer) async throws -> Void
    ) async throws {
        let endpoints = MetricsEndpoints(
            willScrape: { registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "test_scrapes", unitName: "", helpText: "scrapes")).set(Double(1)) },
            health: { health.report },
            statusJSON: { Array(#"{"gatewayID":"gw-test"}"#.utf8) })
        let server = try await MetricsServer.bind(host: "127.0.0.1", port: 0, registry: registry, endpoints: endpoints, logger: Logger(label: "test"))
        let group = ServiceGroup(services: [server], logger: Logger(label: "test"))
        try await withThrowingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            try await body(server)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("/metrics renders the registry as Prometheus text, after the scrape hook ran")
    func metrics() async throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "sluice_things_total", unitName: "", helpText: "things"), labels: [("kind", "a")]).increment(by: Int64(3))
        try await Self.withServer(registry: registry) { server in
            let response = try await Self.get("http://127.0.0.1:\(server.port)/metrics")
            #expect(response.status == 200)
            #expect(response.contentType == "text/plain; version=0.0.4; charset=utf-8")
            #expect(response.body.contains("# TYPE sluice_things_total counter\nsluice_things_total{kind=\"a\"} 3\n"))
            #expect(response.body.contains("test_scrapes 1.0"))
        }
    }

    @Test("/healthz: 200 ok while healthy, 503 with every problem otherwise")
    func health() async throws {
        let health = Switch()
        try await Self.withServer(registry: PrometheusCollectorRegistry(), health: health) { server in
            let url = "http://127.0.0.1:\(server.port)/healthz"
            let healthy = try await Self.get(url)
            #expect(healthy.status == 200 && healthy.body == "ok\n")
            health.set(["mqtt: not connected to 127.0.0.1:1883", "log: data directory /data is not writable: Read-only file system"])
            let sick = try await Self.get(url)
            #expect(sick.status == 503)
            #expect(sick.body == "unhealthy\n- mqtt: not connected to 127.0.0.1:1883\n- log: data directory /data is not writable: Read-only file system\n")
        }
    }

    @Test("/ is the self-contained status page; /status.json the status; anything else 404")
    func page() async throws {
        try await Self.withServer(registry: PrometheusCollectorRegistry()) { server in
            let base = "http://127.0.0.1:\(server.port)"
            let page = try await Self.get(base + "/")
            #expect(page.status == 200 && page.contentType == "text/html; charset=utf-8")
            #expect(page.body.contains("fetch(\"/status.json\""))
            #expect(!page.body.contains("http://") && !page.body.contains("https://") && !page.body.contains("src="), "no external assets")
            let status = try await Self.get(base + "/status.json")
            #expect(status.status == 200 && status.body == #"{"gatewayID":"gw-test"}"#)
            let missing = try await Self.get(base + "/metrics/other")
            #expect(missing.status == 404)
        }
    }

    @Test("two servers in one process keep separate registries: no global metrics bootstrap")
    func separateRegistries() async throws {
        let first = PrometheusCollectorRegistry()
        let second = PrometheusCollectorRegistry()
        try await Self.withServer(registry: first) { one in
            try await Self.withServer(registry: second) { two in
                for _ in 0..<3 { _ = try await Self.get("http://127.0.0.1:\(one.port)/healthz") }
                _ = try await Self.get("http://127.0.0.1:\(two.port)/healthz")
                let a = try await Self.get("http://127.0.0.1:\(one.port)/metrics").body
                let b = try await Self.get("http://127.0.0.1:\(two.port)/metrics").body
                #expect(a.contains(#"sluice_http_requests_total{path="/healthz"} 3"#), "\(a)")
                #expect(b.contains(#"sluice_http_requests_total{path="/healthz"} 1"#), "\(b)")
            }
        }
    }
}
