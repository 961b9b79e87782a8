import Foundation
import SluiceLog
import SluiceTestKit
import Testing

@testable import SluiceKafkaAPI

/// Real Kafka clients against a real listener: kcat on Debian's librdkafka 2.0.2 and on the
/// wheel's 2.16, confluent-kafka consumer groups, and kafka-python.
@Suite("Kafka clients against the listener", .serialized, .timeLimit(.minutes(5)))
struct KafkaClientTests {
    /// Records as ingest stores them: keys, values, headers and device timestamps.
    static func storeReadings(_ log: LogManager, topic: String, count: Int) throws -> [Record] {
        let partitions = try log.openTopic(topic, configuration: TopicConfiguration(partitionCount: 3))
        var written: [Record] = []
        for index in 0..<count {
            let key = Array("device-\(index % 10)".utf8)
            let record = Record(
                timestamp: 1_700_000_000_000 + Int64(index) * 1000, key: key, value: Array(#"{"seq":\#(index)}"#.utf8),
                headers: [RecordHeader(key: "mqtt.topic", value: Array("sensors/device-\(index % 10)/env".utf8))])
            try partitions[KeyPartitioner.partition(forKey: key, partitionCount: 3)].append([record])
            written.append(record)
        }
        return written
    }

    @Test("kcat -C reads what the log store holds: keys, values, headers, timestamps, offsets", arguments: [false, true])
    func kcatConsumes(modernLibrdkafka: Bool) async throws {
        try await ListenerFixture.with { fixture in
            let written = try Self.storeReadings(fixture.log, topic: "telemetry", count: 90)
            let result = try await ClientProcess.run(
                "/usr/bin/kcat", ["-C", "-b", fixture.bootstrap, "-t", "telemetry", "-e", "-q", "-f", "%p|%o|%T|%k|%s|%h\n"],
                environment: try ClientProcess.librdkafka(modern: modernLibrdkafka))
            #expect(result.status == 0, "kcat: \(result.errors)")
            let lines = result.output.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
            #expect(lines.count == written.count)
            var nextOffset: [String: Int64] = [:]
            for line in lines where line.count == 6 {
                let sequence = Int(line[4].dropFirst(7).dropLast())!
                let record = written[sequence]
                #expect(line[0] == String(KeyPartitioner.partition(forKey: record.key!, partitionCount: 3)))
                #expect(Int64(line[1]) == nextOffset[line[0], default: 0], "offsets count up from 0 in each partition")
                nextOffset[line[0], default: 0] += 1
                #expect(Int64(line[2]) == record.timestamp)
                #expect(line[3] == String(decoding: record.key!, as: UTF8.self))
                #expect(line[5] == "mqtt.topic=sensors/device-\(sequence % 10)/env")
            }
        }
    }

    @Test("kcat -P writes keys and headers that confluent-kafka reads back, on both librdkafka versions", arguments: [false, true])
    func kcatProduces(modernLibrdkafka: Bool) async throws {
        try await ListenerFixture.with { fixture in
            let lines = (0..<200).map { "key-\($0 % 13):value-\($0)" }.joined(separator: "\n") + "\n"
            let produce = try await ClientProcess.run(
                "/usr/bin/kcat", ["-P", "-b", fixture.bootstrap, "-t", "written", "-K:", "-H", "origin=kcat", "-z", "lz4"],
                environment: try ClientProcess.librdkafka(modern: modernLibrdkafka), input: lines)
            #expect(produce.status == 0, "kcat -P: \(produce.errors)")
            let bootstrap = fixture.bootstrap
            let records = try await offPool {
                try KafkaReader.readTopic("written", bootstrapServers: bootstrap, expectedCount: 200, timeout: .seconds(60))
            }
            #expect(records.count == 200)
            #expect(Set(records.compactMap(\.valueString)) == Set((0..<200).map { "value-\($0)" }))
            for record in records {
                let value = Int(record.valueString!.dropFirst(6))!
                #expect(record.keyString == "key-\(value % 13)")
                #expect(record.header("origin") == "kcat")
            }
            for partition in Set(records.map(\.partition)) {
                let offsets = records.filter { $0.partition == partition }.map(\.offset)
                #expect(offsets == Array(0..<Int64(offsets.count)), "partition \(partition) holds offsets 0…n-1")
            }
        }
    }

    @Test(
        "a group of 3 on 6 partitions gets exclusive partitions covering all; when one leaves, its partitions move",
        arguments: ["range", "roundrobin", "cooperative-sticky"])
    func groupAssignment(strategy: String) async throws {
        try await ListenerFixture.with { fixture in
            _ = try fixture.log.openTopic("six", configuration: TopicConfiguration(partitionCount: 6))
            let result = try await ClientProcess.python(
                "kafka-group-check.py",
                ["assignment", "--bootstrap", fixture.bootstrap, "--topic", "six", "--group", "g-\(strategy)", "--strategy", strategy])
            #expect(result.status == 0, "\(result.errors)")
            let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: [String: [Int]]]
            let before = try #require(json?["before"])
            let after = try #require(json?["after"])
            #expect(before.count == 3 && before.values.allSatisfy { !$0.isEmpty })
            #expect(before.values.flatMap { $0 }.sorted() == Array(0..<6), "exclusive and complete: \(before)")
            #expect(after.count == 2)
            #expect(after.values.flatMap { $0 }.sorted() == Array(0..<6), "the leaver's partitions moved: \(after)")
        }
    }

    @Test("committed offsets resume after restarting the consumer and after restarting the listener")
    func committedOffsetsSurviveRestarts() async throws {
        let first = try await ListenerFixture.start()
        _ = try Self.storeReadings(first.log, topic: "readings", count: 600)
        let partial = try await ClientProcess.python(
            "kafka-group-check.py", ["read-group", "--bootstrap", first.bootstrap, "--topic", "readings", "--group", "dashboard", "--limit", "250"])
        #expect(partial.status == 0, "\(partial.errors)")
        // A second consumer of the same group, same listener: it continues where the first committed.
        let middle = try await ClientProcess.python(
            "kafka-group-check.py", ["read-group", "--bootstrap", first.bootstrap, "--topic", "readings", "--group", "dashboard", "--limit", "100"])
        #expect(middle.status == 0, "\(middle.errors)")
        await first.stop()
        let second = try await ListenerFixture.start(directory: first.directory)
        let rest = try await ClientProcess.python(
            "kafka-group-check.py", ["read-group", "--bootstrap", second.bootstrap, "--topic", "readings", "--group", "dashboard"])
        #expect(rest.status == 0, "\(rest.errors)")
        func positions(_ result: ClientProcess.Result) throws -> [[Int]] {
            (try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: [[Int]]])?["records"] ?? []
        }
        let reads = [try positions(partial), try positions(middle), try positions(rest)]
        #expect(reads.map(\.count) == [250, 100, 250])
        let all = reads.flatMap { $0 }.map { "\($0[0]):\($0[1])" }
        #expect(Set(all).count == 600, "every record read once across the restarts")
        await second.remove()
    }

    @Test("at least once: a consumer that commits after processing and is killed loses nothing")
    func consumerCrashLosesNothing() async throws {
        try await ListenerFixture.with { fixture in
            _ = try Self.storeReadings(fixture.log, topic: "alarms", count: 900)
            let workFile = fixture.directory + "/processed.txt"
            let result = try await ClientProcess.python(
                "kafka-group-check.py",
                ["crash", "--bootstrap", fixture.bootstrap, "--topic", "alarms", "--group", "detector", "--count", "300", "--work-file", workFile])
            #expect(result.status == 0, "\(result.errors)")
            let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            let processed = try #require(json?["processed"] as? [[Int]])
            let beforeCrash = try #require(json?["processed_before_crash"] as? Int)
            #expect(beforeCrash >= 300 && beforeCrash < 900, "the consumer was killed midway")
            #expect(Set(processed.map { "\($0[0]):\($0[1])" }).count == 900, "every record processed at least once")
            #expect(processed.count - 900 <= 1, "commit after each record: at most the one in hand is redone")
        }
    }

    @Test("kafka-python (an independent client) produces idempotently, consumes in a group and commits")
    func kafkaPython() async throws {
        try await ListenerFixture.with { fixture in
            let result = try await ClientProcess.python(
                "kafka-python-check.py", ["--bootstrap", fixture.bootstrap, "--topic", "python", "--group", "py", "--count", "120"])
            #expect(result.status == 0, "\(result.errors)")
            let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            let produced = try #require(json?["produced"] as? [[Int]])
            let records = try #require(json?["records"] as? [[String: Any]])
            let committed = try #require(json?["committed"] as? [String: Int])
            #expect(Set(produced.map { "\($0[0]):\($0[1])" }).count == 120, "every send got its own offset")
            #expect(records.count == 120)
            for record in records {
                let value = try #require(record["value"] as? String)
                let sequence = Int(value.dropFirst(8))!
                #expect(record["key"] as? String == "device-\(sequence % 7)")
                #expect((record["headers"] as? [[String]]) == [["seq", "\(sequence)"]])
            }
            #expect(committed.values.reduce(0, +) == 120, "committed offsets cover every record: \(committed)")
            #expect(fixture.log.partitions(of: "python")?.reduce(0) { $0 + Int($1.highWatermark) } == 120, "nothing appended twice")
        }
    }
}
