import Logging
import NIOCore
import NIOPosix
import SluiceCatalog
import SluiceConfiguration
import SluiceLog
import SluiceTestKit
import Testing

@testable import SluiceKafkaAPI

/// The broker's answers to hand-made requests, without sockets: the rules a client cannot easily
/// provoke (corrupt batches, acks, retried idempotent batches, long polls, unknown APIs).
@Suite("Kafka broker requests", .timeLimit(.minutes(2)))
struct KafkaBrokerTests {
    /// A broker over a fresh log with one 2-partition topic "t".
    final class Harness: Sendable {
        let directory = TestEnvironment.temporaryDirectory("sluice-kafka-broker")
        let log: LogManager
        let broker: KafkaBroker
        let pool = NIOThreadPool(numberOfThreads: 1)

        init(maxFetchResponseBytes: Int = 8 << 20) throws {
            log = try LogManager(directory: directory + "/data")
            var configuration = TopicConfiguration(partitionCount: 2)
            configuration.fsync = .interval(.seconds(3600))
            try log.openTopic("t", configuration: configuration)
            pool.start()
            var settings = KafkaListenerSettings()
            settings.autoCreateTopics = false
            var logger = Logger(label: "sluice.test.broker")
            logger.logLevel = .critical
            broker = KafkaBroker(
                log: log, catalog: try Catalog(path: directory + "/catalog.sqlite"), settings: settings, clusterID: "gw",
                topicConfiguration: { _ in TopicConfiguration(partitionCount: 1) }, blockingPool: pool,
                maxFetchResponseBytes: maxFetchResponseBytes, logger: logger)
        }

        deinit {
            try? log.close()
            try? pool.syncShutdownGracefully()
        }

        /// A request frame: header v1/v2 for `api` at `version`, then the body `write` produces.
        static func frame(_ api: Int16, version: Int16, flexible: Bool, _ write: (inout KafkaProtocolWriter) -> Void) -> ByteBuffer {
            var header = KafkaProtocolWriter(buffer: ByteBuffer(), isFlexible: false)
            header.int16(api)
            header.int16(version)
            header.int32(42)
            header.nullableString("test-client")
            var body = KafkaProtocolWriter(buffer: header.buffer, isFlexible: flexible)
            body.taggedFields()
            write(&body)
            return body.buffer
        }

        /// Fetch v11 of t-0 from `offset`, asking for `maxBytes` in all and per partition; returns
        /// the record bytes of the answer.
        func fetch(from offset: Int64, maxBytes: Int32) async throws -> [UInt8] {
            let frame = Self.frame(1, version: 11, flexible: false) { body in
                body.int32(-1)
                body.int32(0)  // max wait: answer now
                body.int32(1)
                body.int32(maxBytes)
                body.int8(0)
                body.int32(0)
                body.int32(-1)
                body.arrayCount(1)
                body.string("t")
                body.arrayCount(1)
                body.int32(0)
                body.int32(-1)
                body.int64(offset)
                body.int64(-1)
                body.int32(maxBytes)
                body.arrayCount(0)
                body.string("")
            }
            var reader = try #require(try await respond(frame))
            _ = try reader.int32()
            #expect(try reader.int16() == 0)
            _ = try reader.int32()
            #expect(try reader.nullableArrayCount() == 1)
            #expect(try reader.string() == "t")
            #expect(try reader.nullableArrayCount() == 1)
            #expect(try reader.int32() == 0)
            #expect(try reader.int16() == 0, "no partition error")
            _ = try reader.int64()
            _ = try reader.int64()
            _ = try reader.int64()
            _ = try reader.nullableArrayCount()
            _ = try reader.int32()
            return Array(try #require(try reader.nullableBytes()).readableBytesView)
        }

        func respond(_ frame: ByteBuffer) async throws -> KafkaProtocolReader? {
            var session = KafkaConnectionSession(requiresAuthentication: false, clientHost: "127.0.0.1")
            guard var response = try await broker.respond(to: frame, session: &session) else { return nil }
            #expect(response.readInteger(as: Int32.self) == Int32(response.readableBytes))
            #expect(response.readInteger(as: Int32.self) == 42, "the correlation id comes back")
            return KafkaProtocolReader(response, isFlexible: false)
        }

        /// Produce v8 of one batch to t-0; returns (error code, base offset).
        func produce(_ batch: [UInt8], acks: Int16) async throws -> (Int16, Int64)? {
            let frame = Self.frame(0, version: 8, flexible: false) { body in
                body.nullableString(nil)
                body.int16(acks)
                body.int32(5000)
                body.arrayCount(1)
                body.string("t")
                body.arrayCount(1)
                body.int32(0)
                body.bytes(ByteBuffer(bytes: batch))
            }
            guard var reader = try await respond(frame) else { return nil }
            #expect(try reader.nullableArrayCount() == 1)
            #expect(try reader.string() == "t")
            #expect(try reader.nullableArrayCount() == 1)
            #expect(try reader.int32() == 0)
            return (try reader.int16(), try reader.int64())
        }
    }

    static func batch(_ values: [String], producerID: Int64 = -1, sequence: Int32 = -1) throws -> [UInt8] {
        var encoder = RecordBatchEncoder()
        var bytes: [UInt8] = []
        try encoder.encode(values.map { Record(timestamp: 1_700_000_000_000, key: nil, value: Array($0.utf8)) }, into: &bytes)
        if producerID >= 0 {
            bytes.replaceSubrange(43..<51, with: withUnsafeBytes(of: producerID.bigEndian, Array.init))
            bytes.replaceSubrange(51..<53, with: [0, 0])
            bytes.replaceSubrange(53..<57, with: withUnsafeBytes(of: sequence.bigEndian, Array.init))
            let crc = CRC32C.checksum(bytes[21...])
            bytes.replaceSubrange(17..<21, with: withUnsafeBytes(of: crc.bigEndian, Array.init))
        }
        return bytes
    }

    @Test("ApiVersions lists every API; an unknown ApiVersions version gets UNSUPPORTED_VERSION in the v0 layout")
    func apiVersions() async throws {
        let harness = try Harness()
        var reader = try #require(
            try await harness.respond(Harness.frame(18, version: 3, flexible: true) { body in
                body.string("test")
                body.string("1.0")
                body.taggedFields()
            }))
        #expect(try reader.int16() == 0)
        var flexible = KafkaProtocolReader(reader.buffer, isFlexible: true)
        let listed = try flexible.nullableArrayCount()
        #expect(listed == KafkaAPIKey.allCases.count)

        var refused = try #require(try await harness.respond(Harness.frame(18, version: 99, flexible: false) { _ in }))
        #expect(try refused.int16() == KafkaErrorCode.unsupportedVersion.rawValue)
        #expect(try refused.nullableArrayCount() == KafkaAPIKey.allCases.count)
    }

    @Test("an API Sluice does not serve closes the connection with a reason")
    func unknownAPI() async throws {
        let harness = try Harness()
        let unknown = Harness.frame(57, version: 0, flexible: false) { _ in }
        let unsupported = Harness.frame(1, version: 99, flexible: false) { _ in }
        await #expect(throws: KafkaProtocolError.self) { _ = try await harness.respond(unknown) }
        await #expect(throws: KafkaProtocolError.self) { _ = try await harness.respond(unsupported) }
    }

    @Test("a batch with a wrong CRC is refused as CORRUPT_MESSAGE and nothing is appended")
    func corruptBatch() async throws {
        let harness = try Harness()
        var bytes = try Self.batch(["a", "b"])
        bytes[bytes.count - 1] ^= 0xFF
        let result = try #require(try await harness.produce(bytes, acks: 1))
        #expect(result.0 == KafkaErrorCode.corruptMessage.rawValue)
        #expect(try harness.log.partition("t", 0).highWatermark == 0)
        let truncated = try #require(try await harness.produce(Array(try Self.batch(["a"]).dropLast(3)), acks: 1))
        #expect(truncated.0 == KafkaErrorCode.corruptMessage.rawValue)
        #expect(try harness.log.partition("t", 0).highWatermark == 0)
    }

    @Test("acks: 1 answers once appended, all once fsynced, 0 not at all")
    func acks() async throws {
        let harness = try Harness()
        let partition = try harness.log.partition("t", 0)
        let one = try #require(try await harness.produce(try Self.batch(["a", "b"]), acks: 1))
        #expect(one.0 == 0 && one.1 == 0)
        #expect(partition.durableOffset < partition.highWatermark, "acks=1 does not wait for the fsync")
        let all = try #require(try await harness.produce(try Self.batch(["c"]), acks: -1))
        #expect(all.0 == 0 && all.1 == 2)
        #expect(partition.durableOffset == 3, "acks=all answers after the fsync")
        #expect(try await harness.produce(try Self.batch(["d"]), acks: 0) == nil)
        #expect(partition.highWatermark == 4)
        let invalid = try #require(try await harness.produce(try Self.batch(["e"]), acks: 2))
        #expect(invalid.0 == KafkaErrorCode.invalidRequiredAcks.rawValue)
    }

    @Test("while the disk budget is exceeded, Produce is refused as KAFKA_STORAGE_ERROR (retriable) and nothing is appended")
    func diskBudgetExceeded() async throws {
        let harness = try Harness()
        var exceeded = DiskBudgetResult()
        exceeded.isExceeded = true
        harness.log.diskBudgetState.update(exceeded)
        let refused = try #require(try await harness.produce(try Self.batch(["a"]), acks: 1))
        #expect(refused.0 == KafkaErrorCode.kafkaStorageError.rawValue)
        #expect(try harness.log.partition("t", 0).highWatermark == 0)
        harness.log.diskBudgetState.update(DiskBudgetResult())
        let accepted = try #require(try await harness.produce(try Self.batch(["a"]), acks: 1))
        #expect(accepted.0 == 0 && accepted.1 == 0)
    }

    @Test("an idempotent producer's retried batch is answered with its first offset, not appended twice")
    func idempotentRetry() async throws {
        let harness = try Harness()
        let first = try #require(try await harness.produce(try Self.batch(["a", "b"], producerID: 7, sequence: 0), acks: -1))
        let second = try #require(try await harness.produce(try Self.batch(["c"], producerID: 7, sequence: 2), acks: -1))
        let retried = try #require(try await harness.produce(try Self.batch(["a", "b"], producerID: 7, sequence: 0), acks: -1))
        #expect(first.1 == 0 && second.1 == 2 && retried.0 == 0 && retried.1 == 0)
        let gap = try #require(try await harness.produce(try Self.batch(["z"], producerID: 7, sequence: 9), acks: -1))
        #expect(gap.0 == KafkaErrorCode.outOfOrderSequenceNumber.rawValue)
        #expect(try harness.log.partition("t", 0).highWatermark == 3)
    }

    @Test("a Fetch at the end of the log waits and is woken by the next append")
    func longPoll() async throws {
        let harness = try Harness()
        let fetch = Harness.frame(1, version: 11, flexible: false) { body in
            body.int32(-1)
            body.int32(600_000)  // max wait: only an append can end this in time
            body.int32(1)
            body.int32(1 << 20)
            body.int8(0)
            body.int32(0)
            body.int32(-1)
            body.arrayCount(1)
            body.string("t")
            body.arrayCount(1)
            body.int32(1)
            body.int32(-1)
            body.int64(0)
            body.int64(-1)
            body.int32(1 << 20)
            body.arrayCount(0)
            body.string("")
        }
        let waiting = Task { try await harness.respond(fetch) }
        // Give the fetch time to find the partition empty and wait (were it late, it would still
        // pass, only without proving the wake-up; a fetch that is never woken fails the time limit).
        try await Task.sleep(for: .milliseconds(300))
        try harness.log.partition("t", 1).append([Record(timestamp: 1, key: nil, value: Array("woke".utf8))])
        var reader = try #require(try await waiting.value)
        #expect(try reader.int32() == 0)  // throttle
        #expect(try reader.int16() == 0)
        #expect(try reader.int32() == 0)  // no fetch session
        #expect(try reader.nullableArrayCount() == 1)
        #expect(try reader.string() == "t")
        #expect(try reader.nullableArrayCount() == 1)
        #expect(try reader.int32() == 1)
        #expect(try reader.int16() == 0)
        #expect(try reader.int64() == 1, "high watermark after the append")
        _ = try reader.int64()
        _ = try reader.int64()
        _ = try reader.nullableArrayCount()
        _ = try reader.int32()
        let records = try #require(try reader.nullableBytes())
        let decoded = try RecordBatch(Array(records.readableBytesView)[...]).records()
        #expect(decoded.map { String(decoding: $0.value ?? [], as: UTF8.self) } == ["woke"])
    }

    @Test("a Fetch answer holds at most the listener's response cap, whatever the client asks, and always one whole batch")
    func fetchResponseCap() async throws {
        let cap = 64 << 10
        let harness = try Harness(maxFetchResponseBytes: cap)
        var random = SystemRandomNumberGenerator()
        let partition = try harness.log.partition("t", 0)
        for _ in 0..<200 {  // ~4 KB batches that do not compress: 800 KB, far more than the cap
            try partition.append((0..<4).map { _ in Record(timestamp: 1, key: nil, value: (0..<1000).map { _ in UInt8.random(in: 0...255, using: &random) }) })
        }
        let batchBytes = try partition.read(from: 0, maxBytes: 1).bytes.count

        let answer = try await harness.fetch(from: 0, maxBytes: 1 << 30)
        #expect(answer.count <= cap && answer.count >= cap - 2 * batchBytes, "\(answer.count) bytes for a 1 GiB request under a \(cap)-byte cap")
        var batches = RecordBatchSequence(answer)
        var offsets: [Int64] = []
        while let batch = batches.next() { offsets.append(batch.header.baseOffset) }
        #expect(batches.problem == nil && batches.nextPosition == answer.count, "whole batches only")
        #expect(offsets == Array(stride(from: 0, to: Int64(offsets.count) * 4, by: 4)), "from the offset asked, in order")

        let small = try await harness.fetch(from: 8, maxBytes: 10)
        #expect(small.count == batchBytes, "a limit smaller than a batch still gets the first whole batch")
        #expect(try Array(RecordBatchSequence(small)).first?.records().first?.offset == 8)
    }
}
