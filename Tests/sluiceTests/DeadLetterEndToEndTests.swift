import Foundation
import SluiceLog
import SluiceMQTT
import SluiceTestKit
import Testing

@Suite("Bad input ends in _dead_letters with its reason; the daemon keeps running", .serialized)
struct DeadLetterEndToEndTests {
    @Test("a corpus of bad messages, each dead-lettered with the right reason")
    func corpus() throws {
        let fixture = try IngestFixture(extraSubscriptions: ["unknown/#"])
        defer { fixture.remove() }
        try fixture.daemon.start()
        try fixture.daemon.waitUntilConnected()
        let good = IngestFixture.payload(device: 1, sequence: 1)
        let corpus: [(topic: String, payload: [UInt8], reason: String)] = [
            ("sensors/dev-0001/env", Array(#"{"temp":21.5,"seq":1,"ts":17000"#.utf8), "malformed_json"),
            ("sensors/dev-0001/env", Array(#"{"temp":"warm","seq":1,"ts":1700000000000}"#.utf8), "wrong_type"),
            ("sensors/dev-0001/env", Array(#"{"temp":21.5,"ts":1700000000000}"#.utf8), "missing_field"),
            ("sensors/dev-0001/env", Array(#"{"temp":21.5,"seq":1,"ts":1700000000000,"note":""#.utf8) + [0xC0, 0x80] + Array(#""}"#.utf8), "invalid_utf8"),
            ("sensors/dev-0001/env", [UInt8](repeating: 0x7B, count: 1 << 20), "oversize"),
            ("sensors/dev-0001/env", [], "empty_payload"),
            ("sensors/dev-0001/env", Array("[1,2,3]".utf8), "not_an_object"),
            ("sensors/dev-0001/env", Array(#"{"temp":21.5,"seq":1,"ts":5}"#.utf8), "bad_timestamp"),
            ("unknown/dev-0001/data", good, "unknown_topic"),
        ]
        let publisher = try MQTTPublisher(host: "127.0.0.1", port: fixture.broker.port, clientID: "bad-input", qos: 1)
        for message in corpus { try publisher.publish(topic: message.topic, payload: message.payload) }
        try publisher.publish(topic: "sensors/dev-0001/env", payload: good)  // and the daemon still works
        #expect(try publisher.flush(timeout: .seconds(30)))
        publisher.disconnect()

        #expect(try fixture.waitForRecords(corpus.count, topic: "_dead_letters", timeout: .seconds(30)))
        #expect(try fixture.waitForRecords(1, timeout: .seconds(30)))
        #expect(fixture.daemon.isRunning)
        let letters = try fixture.records(topic: "_dead_letters").flatMap { $0 }
        func header(_ record: Record, _ key: String) -> String? {
            record.headers.first { $0.key == key }?.value.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(letters.map { header($0, "sluice.reason") } == corpus.map(\.reason))
        #expect(letters.map { header($0, "mqtt.topic") } == corpus.map(\.topic))
        for letter in letters { #expect(header(letter, "sluice.detail")?.isEmpty == false) }
        // The oversize payload is kept only in part, its size recorded.
        let oversize = try #require(letters.first { header($0, "sluice.reason") == "oversize" })
        #expect(header(oversize, "sluice.original_bytes") == String(1 << 20))
        #expect((oversize.value?.count ?? 0) <= 64 * 1024)
        // The tools a technician uses, against the running daemon (status.json refreshes every 2 s).
        #expect(TestEnvironment.waitUntil(timeout: .seconds(10)) {
            ((fixture.daemon.status()?["deadLettersByReason"] as? [String: Int])?.values.reduce(0, +) ?? 0) >= corpus.count
        })
        let status = try SluiceBinary.run(["status", "--runtime-dir", fixture.daemon.runtimeDirectory])
        #expect(status.status == 0)
        #expect(status.standardOutput.contains(": connected"))
        #expect(status.standardOutput.contains("dead letters oversize: 1"))
        let topics = try SluiceBinary.run(["topics", "--data-dir", fixture.daemon.dataDirectory])
        #expect(topics.standardOutput.contains("_dead_letters           0          0           \(corpus.count)"))
        let consume = try SluiceBinary.run(["consume", "_dead_letters", "--data-dir", fixture.daemon.dataDirectory, "--max-records", "1"])
        #expect(consume.standardOutput.hasPrefix("0\t0\t"))
        #expect(consume.standardOutput.contains("sluice.reason=malformed_json"))
        #expect(fixture.daemon.stop() == 0)
    }
}

@Suite("Configuration errors from the command line")
struct CheckConfigCommandTests {
    @Test("a bad value is reported with file, line and what was expected; exit status 1")
    func badConfig() throws {
        let directory = TestEnvironment.temporaryDirectory("sluice-badconfig")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/sluice.yaml"
        try "data_dir: /tmp/x\nmqtt:\n  host: 127.0.0.1\n  port: seventy\n".write(toFile: path, atomically: true, encoding: .utf8)
        let output = try SluiceBinary.run(["check-config", "--config", path])
        #expect(output.status == 1)
        #expect(output.standardError.contains("\(path):4:"), "names the line: \(output.standardError)")
        #expect(output.standardError.contains("port"))
    }

    @Test("the shipped configuration and device profiles are valid")
    func shipped() throws {
        let output = try SluiceBinary.run(["check-config", "--config", TestEnvironment.repositoryRoot + "/config/sluice.yaml"])
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput.contains("device class env-sensor"))
    }
}
