/// The answer of `/healthz`: healthy (200) when there are no problems, else 503 with one line per
/// problem saying what is wrong.
public struct HealthReport: Sendable, Equatable, Codable {
    /// What is wrong, one sentence each (e.g. `mqtt: not connected to 127.0.0.1:1883`); empty when healthy.
    public var problems: [String]

    /// Whether nothing is wrong.
    public var isHealthy: Bool { problems.isEmpty }

    /// Creates a report.
    /// - Parameter problems: what is wrong; empty when healthy.
    public init(problems: [String] = []) { self.problems = problems }

    /// The `/healthz` body: `ok`, or `unhealthy` and the problems, one a line.
    public var body: String {
        isHealthy ? "ok\n" : "unhealthy\n" + problems.map { "- " + $0 + "\n" }.joined()
    }
}
