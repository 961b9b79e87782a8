import Foundation
import SluiceTestKit
import Testing

@Suite("sluice status, end to end")
struct StatusCommandTests {
    /// A status.json as the daemon writes it: unhealthy (broker down), forwarding with lag, two
    /// quiet devices out of three, and two errors.
    static let report = """
        {
          "appendFailures" : 0, "broker" : "127.0.0.1:1883", "bytesWritten" : 52000, "deadLettersByReason" : { "malformed_json" : 2 },
          "devices" : { "knownDevices" : 3, "quiet" : [ { "deviceID" : "env-0003", "lastSeenMillis" : 1700000000000, "profile" : "env-sensor" },
                                                        { "deviceID" : "plug-0001", "lastSeenMillis" : 1700000300000 } ],
                        "quietAfterSeconds" : 300, "quietCount" : 2, "seenLastMinute" : 1 },
          "diskBytes" : 48000, "diskFreeBytes" : 1000000000, "fsyncs" : 12, "gatewayID" : "gw-0001", "generatedAtMillis" : 1700000600000,
          "healthProblems" : [ "mqtt: not connected to 127.0.0.1:1883 (last error: connection refused)" ],
          "isConnected" : false, "largestBurst" : 40, "lastError" : "connection refused", "messagesReceived" : 1002, "pid" : 4242,
          "recentErrors" : [ { "atMillis" : 1700000540000, "message" : "transport: Connection refused", "source" : "upstream" },
                             { "atMillis" : 1700000590000, "message" : "connection refused", "source" : "mqtt" } ],
          "recordsAccepted" : 1000, "residentBytes" : 20971520, "startedAtMillis" : 1700000000000, "statusPage" : "http://127.0.0.1:9464/",
          "topics" : [ { "bytesIngested" : 90000, "bytesPerSecond" : 150, "name" : "telemetry", "recordsIngested" : 1000, "recordsPerSecond" : 1.5,
                         "partitions" : [ { "bytes" : 48000, "highWatermark" : 1000, "logStartOffset" : 0, "partition" : 0, "segments" : 1 } ] } ],
          "upstream" : { "bootstrapServers" : "kafka:9092", "delivered" : 900, "failed" : 0, "lastDeliveryMillis" : 1700000500000,
                         "lastError" : "transport: Connection refused", "name" : "central", "produced" : 950,
                         "partitions" : [ { "cursor" : 900, "highWatermark" : 1000, "isHalted" : false, "lag" : 100,
                                            "oldestUnforwardedMillis" : 1700000400000, "partition" : "telemetry-0" } ] }
        }
        """

    @Test("prints health, the status page, devices seen and gone quiet, forwarding and the last errors")
    func text() throws {
        let directory = TestEnvironment.temporaryDirectory("sluice-status")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.report.write(toFile: directory + "/status.json", atomically: true, encoding: .utf8)
        let output = try SluiceBinary.run(["status", "--runtime-dir", directory, "--now-millis", "1700000601000"])
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput == """
            sluice gw-0001 (pid 4242), up 600 s; status 1.0 s old
            health: UNHEALTHY
              mqtt: not connected to 127.0.0.1:1883 (last error: connection refused)
            status page http://127.0.0.1:9464/
            broker 127.0.0.1:1883: NOT CONNECTED
            messages 1002, records 1000, dead letters 2, failed bursts 0
              dead letters malformed_json: 2
            disk 48000 bytes in segments, 1000000000 bytes free; 52000 bytes written, 12 fsyncs since start
            memory 20971520 bytes resident
            topic telemetry: 1.5 records/s, 150 B/s, 1000 records, 48000 bytes, 1 partitions
            devices: 1 seen in the last minute, 3 known, 2 quiet (silent > 300 s)
              quiet env-0003 (env-sensor): silent 601 s
              quiet plug-0001: silent 301 s
            last errors:
              61 s ago, upstream: transport: Connection refused
              11 s ago, mqtt: connection refused
            upstream central (kafka:9092): 900 delivered, 0 failed, lag 100 records, last delivery 101 s ago
              telemetry-0: cursor 900 of 1000, lag 100, oldest unforwarded 201 s old
              last upstream error: transport: Connection refused

            """)
    }

    @Test("--json prints the file as it is, for scripts")
    func json() throws {
        let directory = TestEnvironment.temporaryDirectory("sluice-status")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.report.write(toFile: directory + "/status.json", atomically: true, encoding: .utf8)
        let output = try SluiceBinary.run(["status", "--runtime-dir", directory, "--json"])
        #expect(output.status == 0)
        #expect(output.standardOutput == Self.report + "\n")
    }
}
