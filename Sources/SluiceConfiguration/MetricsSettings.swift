/// The operations HTTP endpoint: Prometheus text at `/metrics`, `/healthz`, and the status page a
/// technician opens on the gateway (`/`, refreshed from `/status.json`) — the `metrics:` section.
/// Absent, or `enabled: false`: no endpoint.
public struct MetricsSettings: Sendable, Hashable {
    /// The address to bind. Default `127.0.0.1` (the gateway itself; a fleet's Prometheus reaches
    /// it through the gateway's own agent or tunnel, or bind a management interface's address).
    public var host: String = "127.0.0.1"
    /// The port to bind. Default 9464; 0 picks a free port (tests), logged at start.
    public var port: Int = 9464
    /// A device not heard from for this long is listed as gone quiet on the status page and in
    /// `sluice status`. Default 5 minutes.
    public var quietAfter: Duration = .seconds(300)

    /// The defaults.
    public init() {}
}
