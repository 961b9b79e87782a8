import CoreMetrics
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle
import Synchronization

/// The operations endpoint: a small HTTP/1.1 server on swift-nio answering
///
/// - `GET /metrics`: the registry in Prometheus text format (0.0.4), refreshed by
///   ``MetricsEndpoints/willScrape`` first;
/// - `GET /healthz`: `200 ok`, or `503` with what is wrong (``HealthReport``);
/// - `GET /`: the status page (``StatusPage``), which polls
/// - `GET /status.json`: the daemon's latest status.
///
/// Requests are answered on the server's one event-loop thread, in order per connection
/// (keep-alive, pipelining as HTTP/1.1 allows); at most `maxConnections` connections are open at
/// once. Requests it answers are counted through swift-metrics (`sluice_http_requests_total`
/// by path) with the factory it is given — never a global bootstrap, so several daemons (and
/// registries) can live in one process, as they do in tests.
///
/// Thread-safety: immutable after `bind`; `Sendable`.
public final class MetricsServer: Service, Sendable {
    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private let registry: PrometheusCollectorRegistry
    private let endpoints: MetricsEndpoints
    private let logger: Logger
    private let eventLoops: MultiThreadedEventLoopGroup
    private let server: NIOAsyncChannel<Connection, Never>
    private let requestCounters: [String: CoreMetrics.Counter]
    private let maxConnections: Int
    private let openConnections = Atomic<Int>(0)
    /// The address bound.
    public let host: String
    /// The bound port (the configured one, or the one the system chose for port 0).
    public let port: Int

    /// The paths served (others get 404, counted as `other`).
    static let paths = ["/metrics", "/healthz", "/", "/status.json"]

    private init(
        registry: PrometheusCollectorRegistry, endpoints: MetricsEndpoints, factory: any MetricsFactory, host: String,
        maxConnections: Int, logger: Logger, eventLoops: MultiThreadedEventLoopGroup, server: NIOAsyncChannel<Connection, Never>
    ) {
        self.registry = registry
        self.endpoints = endpoints
        self.logger = logger
        self.eventLoops = eventLoops
        self.server = server
        self.host = host
        self.maxConnections = maxConnections
        self.port = server.channel.localAddress?.port ?? 0
        var counters: [String: CoreMetrics.Counter] = [:]
        for path in Self.paths + ["other"] {
            counters[path] = CoreMetrics.Counter(label: "sluice_http_requests_total", dimensions: [("path", path)], factory: factory)
        }
        self.requestCounters = counters
    }

    /// Binds the endpoint's address, so a taken port fails `sluice run` at start.
    /// - Parameters:
    ///   - host: the address to bind, e.g. `127.0.0.1`.
    ///   - port: the port; 0 lets the system choose (see ``port``).
    ///   - registry: rendered at `/metrics`.
    ///   - endpoints: what the other paths answer.
    ///   - factory: counts the requests (swift-metrics); by default one over `registry`.
    ///   - maxConnections: connections open at once; more are closed at accept.
    /// - Throws: ``MetricsServerError`` naming the address and what to change.
    public static func bind(
        host: String, port: Int, registry: PrometheusCollectorRegistry, endpoints: MetricsEndpoints,
        factory: (any MetricsFactory)? = nil, maxConnections: Int = 16, logger: Logger
    ) async throws(MetricsServerError) -> MetricsServer {
        let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let server = try await ServerBootstrap(group: eventLoops)
                .serverChannelOption(ChannelOptions.backlog, value: 32)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
            return MetricsServer(
                registry: registry, endpoints: endpoints, factory: factory ?? PrometheusMetricsFactory(registry: registry), host: host,
                maxConnections: maxConnections, logger: logger, eventLoops: eventLoops, server: server)
        } catch {
            try? await eventLoops.shutdownGracefully()
            throw MetricsServerError(
                message: "cannot serve metrics on \(host):\(port): \(error); is another sluice or exporter using it? Change metrics.listen")
        }
    }

    deinit {
        eventLoops.shutdownGracefully { _ in }
    }

    private struct Stopping: Error {}

    /// Serves until graceful shutdown (or cancellation), then closes every connection.
    public func run() async throws {
        let server = self.server
        logger.info("metrics endpoint ready", metadata: [
            MetricsLoggingKeys.listen: "\(host):\(port)", MetricsLoggingKeys.statusPage: "http://\(host.contains(":") ? "[\(host)]" : host):\(port)/",
        ])
        do {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    try? await gracefulShutdown()
                    throw Stopping()
                }
                group.addTask {
                    try await server.executeThenClose { connections in
                        try await withThrowingDiscardingTaskGroup { clients in
                            for try await connection in connections {
                                guard self.openConnections.add(1, ordering: .relaxed).newValue <= self.maxConnections else {
                                    self.openConnections.subtract(1, ordering: .relaxed)
                                    try? await connection.channel.close()
                                    continue
                                }
                                clients.addTask {
                                    await self.serve(connection)
                                    self.openConnections.subtract(1, ordering: .relaxed)
                                }
                            }
                        }
                    }
                }
            }
        } catch is Stopping {
            logger.info("metrics endpoint stopped")
        }
    }

    private func serve(_ connection: Connection) async {
        do {
            try await connection.executeThenClose { requests, responses in
                var head: HTTPRequestHead?
                for try await part in requests {
                    switch part {
                    case .head(let requestHead): head = requestHead
                    case .body: continue  // no endpoint takes a body
                    case .end:
                        guard let request = head else { continue }
                        head = nil
                        let response = respond(to: request)
                        var headers = HTTPHeaders()
                        headers.add(name: "Content-Type", value: response.contentType)
                        headers.add(name: "Content-Length", value: "\(response.body.count)")
                        headers.add(name: "Cache-Control", value: "no-store")
                        if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
                        try await responses.write(.head(HTTPResponseHead(version: request.version, status: response.status, headers: headers)))
                        if request.method != .HEAD {
                            try await responses.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
                        }
                        try await responses.write(.end(nil))
                        if !request.isKeepAlive { return }
                    }
                }
            }
        } catch {
            logger.debug("metrics connection ended", metadata: [MetricsLoggingKeys.error: "\(error)"])
        }
    }

    /// The answer to one request.
    func respond(to request: HTTPRequestHead) -> MetricsHTTPResponse {
        let path = String(request.uri.prefix { $0 != "?" })
        requestCounters[Self.paths.contains(path) ? path : "other"]?.increment()
        guard request.method == .GET || request.method == .HEAD else {
            return MetricsHTTPResponse(status: .methodNotAllowed, contentType: "text/plain; charset=utf-8", body: Array("only GET and HEAD\n".utf8))
        }
        switch path {
        case "/metrics":
            endpoints.willScrape()
            return MetricsHTTPResponse(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: registry.emitToBuffer())
        case "/healthz":
            let health = endpoints.health()
            return MetricsHTTPResponse(
                status: health.isHealthy ? .ok : .serviceUnavailable, contentType: "text/plain; charset=utf-8", body: Array(health.body.utf8))
        case "/":
            return MetricsHTTPResponse(status: .ok, contentType: "text/html; charset=utf-8", body: StatusPage.bytes)
        case "/status.json":
            return MetricsHTTPResponse(status: .ok, contentType: "application/json", body: endpoints.statusJSON())
        default:
            return MetricsHTTPResponse(
                status: .notFound, contentType: "text/plain; charset=utf-8",
                body: Array("not found; try /, /metrics, /healthz or /status.json\n".utf8))
        }
    }
}
