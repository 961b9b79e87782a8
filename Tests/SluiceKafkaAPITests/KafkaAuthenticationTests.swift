import Foundation
import NIOCore
import SluiceConfiguration
import SluiceLog
import SluiceTestKit
import Testing

@testable import SluiceKafkaAPI

/// A listener opened beyond loopback requires SASL/PLAIN: real clients with the right password
/// read, with a wrong one or none they are refused and read nothing.
@Suite("Kafka listener with SASL/PLAIN", .serialized, .timeLimit(.minutes(3)))
struct KafkaAuthenticationTests {
    static func withAuthenticatedListener(_ body: (ListenerFixture) async throws -> Void) async throws {
        try await ListenerFixture.with(configure: { $0.saslPlainUsers = ["dashboard": "s3cret"] }) { fixture in
            _ = try KafkaClientTests.storeReadings(fixture.log, topic: "telemetry", count: 30)
            try await body(fixture)
        }
    }

    static func kcatArguments(_ fixture: ListenerFixture, user: String?, password: String?) -> [String] {
        var arguments = ["-C", "-b", fixture.bootstrap, "-t", "telemetry", "-e", "-q", "-f", "%k\n", "-X", "log_level=0"]
        if let user, let password {
            arguments += ["-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=PLAIN", "-X", "sasl.username=\(user)", "-X", "sasl.password=\(password)"]
        }
        return arguments
    }

    @Test("kcat with the right user and password reads every record, on both librdkafka versions", arguments: [false, true])
    func rightPassword(modernLibrdkafka: Bool) async throws {
        try await Self.withAuthenticatedListener { fixture in
            let result = try await ClientProcess.run(
                "/usr/bin/kcat", Self.kcatArguments(fixture, user: "dashboard", password: "s3cret"),
                environment: try ClientProcess.librdkafka(modern: modernLibrdkafka))
            #expect(result.status == 0, "kcat: \(result.errors)")
            #expect(result.output.split(separator: "\n").count == 30)
        }
    }

    @Test("a wrong password or no SASL at all is refused and reads nothing", arguments: [
        ("dashboard", "guess"), ("nobody", "s3cret"), (nil, nil),
    ] as [(String?, String?)])
    func refused(user: String?, password: String?) async throws {
        try await Self.withAuthenticatedListener { fixture in
            // librdkafka retries a refused connection forever; a bounded session ends it.
            var arguments = Self.kcatArguments(fixture, user: user, password: password)
            arguments += ["-X", "socket.timeout.ms=3000", "-X", "topic.metadata.refresh.interval.ms=1000"]
            let result = try await ClientProcess.run(
                "/usr/bin/timeout", ["10", "/usr/bin/kcat"] + arguments, environment: try ClientProcess.librdkafka(modern: true))
            #expect(result.status != 0, "kcat must not succeed: \(result.output)")
            #expect(result.output.isEmpty, "no record is served before authentication")
        }
    }

    @Test("a PLAIN token is checked against the users file")
    func tokens() async throws {
        try await Self.withAuthenticatedListener { fixture in
            func token(_ parts: [String]) -> ByteBuffer { ByteBuffer(bytes: Array(parts.joined(separator: "\0").utf8)) }
            #expect(fixture.broker.authenticatePlain(token(["", "dashboard", "s3cret"])) == "dashboard")
            #expect(fixture.broker.authenticatePlain(token(["dashboard", "dashboard", "s3cret"])) == "dashboard")
            #expect(fixture.broker.authenticatePlain(token(["", "dashboard", "s3cre"])) == nil)
            #expect(fixture.broker.authenticatePlain(token(["", "dashboard", "s3cret!"])) == nil)
            #expect(fixture.broker.authenticatePlain(token(["dashboard", "s3cret"])) == nil, "a token needs three parts")
        }
    }
}
