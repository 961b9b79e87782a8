import Foundation

/// Reads back what reached a Kafka broker, with an independent client: the venv's
/// confluent-kafka running `scripts/kafka-read-topic.py` in a child process.
///
/// It reads every partition from the beginning until the topic stays idle (or an expected count
/// arrives), not up to the high watermark: tansu's "latest offset" can be one batch short.
public enum KafkaReader {
    /// One record as the broker holds it.
    public struct Record: Sendable, Hashable {
        /// The partition.
        public var partition: Int32
        /// The offset in that partition.
        public var offset: Int64
        /// The record's timestamp in milliseconds since the epoch, -1 if it has none.
        public var timestampMillis: Int64
        /// The key bytes, nil for a null key.
        public var key: [UInt8]?
        /// The value bytes, nil for a null value.
        public var value: [UInt8]?
        /// The headers in order.
        public var headers: [Header]

        /// The key as UTF-8 text, nil if null or not UTF-8.
        public var keyString: String? { key.flatMap { String(validating: $0, as: UTF8.self) } }
        /// The value as UTF-8 text, nil if null or not UTF-8.
        public var valueString: String? { value.flatMap { String(validating: $0, as: UTF8.self) } }
        /// The value of the first header called `name`, as UTF-8 text.
        public func header(_ name: String) -> String? {
            headers.first { $0.name == name }?.value.flatMap { String(validating: $0, as: UTF8.self) }
        }
    }

    /// One record header.
    public struct Header: Sendable, Hashable {
        /// The header name.
        public var name: String
        /// The header value, nil for a null value.
        public var value: [UInt8]?

        /// Creates a header.
        public init(name: String, value: [UInt8]?) {
            self.name = name
            self.value = value
        }
    }

    /// Reads every record of `topic`.
    /// - Parameters:
    ///   - topic: the topic.
    ///   - bootstrapServers: `host:port` of the broker.
    ///   - expectedCount: stop as soon as this many records were read (nil: read until idle).
    ///   - idle: stop after this long without a new record.
    ///   - timeout: stop after this long in any case.
    /// - Returns: the records, per partition in offset order.
    /// - Throws: if the venv is missing, the topic does not exist, or the reader fails.
    public static func readTopic(
        _ topic: String, bootstrapServers: String, expectedCount: Int? = nil,
        idle: Duration = .seconds(3), timeout: Duration = .seconds(60)
    ) throws -> [Record] {
        let root = TestEnvironment.repositoryRoot
        let python = root + "/.venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestKitError("no .venv: run `make test` (scripts/bootstrap.sh creates it with confluent-kafka)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            root + "/scripts/kafka-read-topic.py", "--bootstrap", bootstrapServers, "--topic", topic,
            "--expect", String(expectedCount ?? 0), "--idle-seconds", seconds(idle), "--timeout-seconds", seconds(timeout),
        ]
        let output = Pipe()
        let errorPath = TestEnvironment.temporaryDirectory("sluice-kafka-reader") + "/stderr"
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: (errorPath as NSString).deletingLastPathComponent) }
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read before waiting: the output can exceed the pipe's buffer.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let reason = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            throw TestKitError("kafka-read-topic.py failed (\(process.terminationStatus)) for topic \(topic): \(reason)")
        }
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).map { line in
            try decoder.decode(Line.self, from: line).record()
        }
    }

    /// Seconds as the script's argument.
    private static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// One JSON line of `kafka-read-topic.py`.
    private struct Line: Decodable {
        var partition: Int32
        var offset: Int64
        var timestamp: Int64
        var key_b64: String?
        var value_b64: String?
        var headers: [[String?]]

        func record() throws -> Record {
            Record(
                partition: partition, offset: offset, timestampMillis: timestamp,
                key: try Self.bytes(key_b64), value: try Self.bytes(value_b64),
                headers: try headers.map { pair in
                    guard pair.count == 2, let name = pair[0] else { throw TestKitError("bad header in reader output: \(pair)") }
                    return Header(name: name, value: try Self.bytes(pair[1]))
                })
        }

        static func bytes(_ base64: String?) throws -> [UInt8]? {
            guard let base64 else { return nil }
            guard let data = Data(base64Encoded: base64) else { throw TestKitError("bad base64 in reader output: \(base64)") }
            return [UInt8](data)
        }
    }
}
