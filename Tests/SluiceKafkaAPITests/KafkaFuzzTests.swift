import Logging
import Foundation
import SluiceConfiguration
import NIOCore
import SluiceTestKit
import Synchronization
import Testing

@testable import SluiceKafkaAPI

/// Hostile input: random, truncated and oversize frames never crash the listener; the request
/// that cannot be decoded closes its own connection only.
@Suite("Kafka listener under hostile input", .timeLimit(.minutes(3)))
struct KafkaFuzzTests {
    /// Valid requests of many APIs and versions, to cut and mutate.
    static func seeds() -> [ByteBuffer] {
        var seeds: [ByteBuffer] = []
        for api in KafkaAPIKey.allCases {
            for version in [api.versions.lowerBound, api.versions.upperBound] {
                seeds.append(KafkaBrokerTests.Harness.frame(api.rawValue, version: version, flexible: api.isFlexible(version)) { body in
                    // A plausible body: a string, a one-element array of a string and int32s.
                    body.string("t")
                    body.int32(1)
                    body.int32(0)
                    body.arrayCount(1)
                    body.string("t")
                    body.arrayCount(1)
                    body.int32(0)
                    body.int64(0)
                    body.int32(1024)
                    body.taggedFields()
                })
            }
        }
        return seeds
    }

    @Test("3000 random, truncated and mutated requests: each is answered or refused with a reason, never a crash")
    func decoderFuzz() async throws {
        let harness = try KafkaBrokerTests.Harness()
        var generator = SystemRandomNumberGenerator()
        var answered = 0
        var refused = 0
        var waited = 0
        let seeds = Self.seeds()
        for round in 0..<3000 {
            var bytes: [UInt8]
            let seed = Array(seeds[round % seeds.count].readableBytesView)
            switch round % 3 {
            case 0: bytes = (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            case 1: bytes = Array(seed.prefix(Int.random(in: 0...seed.count, using: &generator)))
            default:
                bytes = seed
                for _ in 0..<Int.random(in: 1...4, using: &generator) where !bytes.isEmpty {
                    bytes[Int.random(in: bytes.indices, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            // Never a long poll: a fetch with a mutated wait would only slow the test down.
            if bytes.count >= 2 && bytes[1] == 1 && bytes[0] == 0 { bytes[1] = 3 }
            let api = bytes.count >= 2 ? Int16(bytes[0]) << 8 | Int16(bytes[1]) : -1
            let frame = ByteBuffer(bytes: bytes)
            let broker = harness.broker
            let request = Task { () -> Bool in
                var session = KafkaConnectionSession(requiresAuthentication: false, clientHost: "fuzz")
                do {
                    _ = try await broker.respond(to: frame, session: &session)
                    return true
                } catch {
                    return false
                }
            }
            // JoinGroup and SyncGroup wait by protocol (for the group's other members, up to a
            // rebalance timeout the request names); any other request must be answered.
            if Self.waitingAPIs.contains(api), await Self.result(of: request, within: .milliseconds(100)) == nil {
                request.cancel()
                waited += 1
                continue
            }
            if await request.value { answered += 1 } else { refused += 1 }
        }
        #expect(answered + refused + waited == 3000)
        #expect(refused > 0 && answered > 0, "both paths exercised: \(answered) answered, \(refused) refused")
    }

    @Test("an oversize or garbage frame closes that connection with a log line saying why; the listener keeps serving others")
    func hostileConnections() async throws {
        let logs = CapturedLines()
        try await ListenerFixture.with(logHandler: logs) { fixture in
            let port = fixture.listener.port
            let outcomes = try await offPool { () -> [Bool] in
                [
                    // 1 GiB announced: refused before anything is buffered.
                    Self.isClosedByServer(port: port, sending: [0x40, 0, 0, 0, 1, 2, 3]),
                    // A negative length.
                    Self.isClosedByServer(port: port, sending: [0xFF, 0xFF, 0xFF, 0xF0]),
                    // A frame whose header is garbage.
                    Self.isClosedByServer(port: port, sending: [0, 0, 0, 3, 0xFF, 0x7F, 0]),
                ]
            }
            #expect(outcomes == [true, true, true])
            let metadata = try await ClientProcess.run(
                "/usr/bin/kcat", ["-L", "-b", fixture.bootstrap], environment: try ClientProcess.librdkafka(modern: true))
            #expect(metadata.status == 0 && metadata.output.contains("1 brokers"), "still serving: \(metadata.errors)")
        }
        let closed = logs.lines.withLock { $0 }.filter { $0.message == "Kafka connection closed" }
        let reasons = closed.map { $0.metadata["kafka.reason"].map { "\($0)" } ?? "" }
        #expect(reasons.count == 3, "one line per closed connection: \(reasons)")
        #expect(reasons.filter { $0.contains("exceeds max_request_bytes") }.count == 2, "\(reasons)")
        #expect(closed.allSatisfy { $0.level == .notice && $0.metadata["kafka.peer"] != nil })
    }

    @Test("500 requests pipelined past max_in_flight_requests: every one is answered, in the order sent")
    func pipelinedPastTheInFlightLimit() async throws {
        try await ListenerFixture.with(configure: { $0.maxInFlightRequests = 2 }) { fixture in
            let port = fixture.listener.port
            let correlations = try await offPool { () -> [Int32] in
                let socket = Self.openConnection(port: port)
                defer { close(socket) }
                // 500 ApiVersions v0 requests in one write, correlation ids 0…499.
                var bytes: [UInt8] = []
                for id in 0..<500 { bytes += Self.apiVersionsV0Frame(correlationID: Int32(id)) }
                _ = bytes.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
                var timeout = timeval(tv_sec: 10, tv_usec: 0)
                setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                var received: [UInt8] = []
                var ids: [Int32] = []
                var chunk = [UInt8](repeating: 0, count: 65_536)
                while ids.count < 500 {
                    let count = recv(socket, &chunk, chunk.count, 0)
                    guard count > 0 else { break }
                    received += chunk[0..<count]
                    while received.count >= 8 {
                        let length = Int(received[0..<4].reduce(0) { $0 << 8 | UInt32($1) })
                        guard received.count >= 4 + length else { break }
                        ids.append(Int32(bitPattern: received[4..<8].reduce(0) { $0 << 8 | UInt32($1) }))
                        received.removeFirst(4 + length)
                    }
                }
                return ids
            }
            #expect(correlations == Array(0..<500), "all 500 answered, in the order sent")
        }
    }

    @Test("large requests on 6 connections at once: the bytes held never exceed max_queued_request_bytes, and every request is answered")
    func queuedRequestMemoryIsBounded() async throws {
        let frameBody = 150 << 10
        try await ListenerFixture.with(configure: {
            $0.maxRequestBytes = 256 << 10
            $0.maxQueuedRequestBytes = 256 << 10
        }) { fixture in
            let port = fixture.listener.port
            let answered = try await offPool { () -> [Bool] in
                // Six connections each send the first half of a 150 KiB ApiVersions v0 frame (a
                // long tail after the header, which ApiVersions ignores): only one fits the pool.
                let sockets = (0..<6).map { _ in Self.openConnection(port: port) }
                defer { sockets.forEach { _ = close($0) } }
                var frames: [[UInt8]] = []
                for (index, socket) in sockets.enumerated() {
                    let frame = Self.apiVersionsV0Frame(correlationID: Int32(index), frameBytes: 4 + frameBody)
                    frames.append(frame)
                    _ = frame[..<(frame.count / 2)].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
                    var timeout = timeval(tv_sec: 20, tv_usec: 0)
                    setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                }
                usleep(200_000)
                for (socket, frame) in zip(sockets, frames) {
                    _ = frame[(frame.count / 2)...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                }
                return sockets.enumerated().map { index, socket in
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    return recv(socket, &buffer, buffer.count, 0) > 8 && buffer[4..<8] == [0, 0, 0, UInt8(index)]
                }
            }
            #expect(answered == Array(repeating: true, count: 6), "every connection got its answer")
            #expect(fixture.listener.peakQueuedRequestBytes >= frameBody, "frames were held in the pool")
            #expect(fixture.listener.peakQueuedRequestBytes <= 256 << 10, "never more than the pool: \(fixture.listener.peakQueuedRequestBytes)")
            for _ in 0..<200 where fixture.listener.queuedRequestBytes != 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(fixture.listener.queuedRequestBytes == 0, "every answered request gave its bytes back")
        }
    }

    @Test("past max_connections a new connection is closed at accept; the open ones keep being served")
    func connectionLimit() async throws {
        try await ListenerFixture.with(configure: { $0.maxConnections = 2 }) { fixture in
            let port = fixture.listener.port
            let held = try await offPool { () -> [Int32] in [Self.openConnection(port: port), Self.openConnection(port: port)] }
            defer { held.forEach { _ = close($0) } }
            // The listener counts a connection once it accepted it; wait until both are counted.
            for _ in 0..<200 where fixture.listener.connectionCount < 2 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(fixture.listener.connectionCount == 2)
            let third = try await offPool { Self.isClosedByServer(port: port, sending: []) }
            #expect(third, "the third connection is closed by the listener")
            // The held ones still get answers: an ApiVersions v0 request on the first.
            let answered = try await offPool { () -> Bool in
                let frame = Self.apiVersionsV0Frame(correlationID: 7)
                _ = frame.withUnsafeBytes { send(held[0], $0.baseAddress, $0.count, 0) }
                var timeout = timeval(tv_sec: 10, tv_usec: 0)
                setsockopt(held[0], SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                var buffer = [UInt8](repeating: 0, count: 4096)
                return recv(held[0], &buffer, buffer.count, 0) > 8 && buffer[4..<8] == [0, 0, 0, 7]
            }
            #expect(answered, "the correlation id 7 comes back on a held connection")
        }
    }

    /// An ApiVersions v0 request frame (client id "tt"), padded with zeros to `frameBytes` in all
    /// if given (ApiVersions v0 has no body, so the padding is ignored).
    static func apiVersionsV0Frame(correlationID: Int32, frameBytes: Int? = nil) -> [UInt8] {
        var body: [UInt8] = [0, 18, 0, 0] + withUnsafeBytes(of: correlationID.bigEndian, Array.init) + [0, 2, 0x74, 0x74]
        if let frameBytes { body += [UInt8](repeating: 0, count: frameBytes - 4 - body.count) }
        return withUnsafeBytes(of: Int32(body.count).bigEndian, Array.init) + body
    }

    /// A connected TCP socket to 127.0.0.1:`port`, or -1.
    static func openConnection(port: Int) -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return connected == 0 ? socket : -1
    }

    /// JoinGroup (11) and SyncGroup (14).
    static let waitingAPIs: Set<Int16> = [11, 14]

    /// The task's result if it finishes within `limit`, else nil (the task goes on).
    static func result(of task: Task<Bool, Never>, within limit: Duration) async -> Bool? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool?, Never>) in
            let once = ResumeOnce(continuation)
            Task { once.resume(await task.value) }
            Task {
                try? await Task.sleep(for: limit)
                once.resume(nil)
            }
        }
    }

    /// Sends `bytes` on a new connection and reports whether the server closed it (read returns 0)
    /// within 10 s.
    static func isClosedByServer(port: Int, sending bytes: [UInt8]) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return false }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = bytes.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
        var buffer = [UInt8](repeating: 0, count: 64)
        return recv(socket, &buffer, buffer.count, 0) == 0
    }
}

/// Resumes a continuation with the first value given; later ones are dropped.
private final class ResumeOnce: Sendable {
    private let continuation: Mutex<CheckedContinuation<Bool?, Never>?>

    init(_ continuation: CheckedContinuation<Bool?, Never>) { self.continuation = Mutex(continuation) }

    func resume(_ value: Bool?) {
        let waiting = continuation.withLock { (stored: inout CheckedContinuation<Bool?, Never>?) -> CheckedContinuation<Bool?, Never>? in
            defer { stored = nil }
            return stored
        }
        waiting?.resume(returning: value)
    }
}

/// Every log line (message, level, metadata), behind a Mutex.
final class CapturedLines: LogHandler, @unchecked Sendable {
    // @unchecked Sendable: the lines sit behind a Mutex; metadata and level are only set before
    // the listener logs.
    struct Line: Sendable {
        var message: String
        var level: Logger.Level
        var metadata: Logger.Metadata
    }

    let lines = Mutex<[Line]>([])
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) { lines.withLock { $0.append(Line(message: "\(event.message)", level: event.level, metadata: event.metadata ?? [:])) } }
}
