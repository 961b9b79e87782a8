import Glibc
import Logging
import SluiceConfiguration
import SluiceLog

/// The ingest loop, run on its own thread: poll the broker socket, read a burst of messages
/// (each matched to its device profile and appended to a per-partition batch builder straight
/// from libmosquitto's buffer), write the burst to the log, and only then let libmosquitto write
/// the acknowledgements. A burst that cannot be written is never acknowledged: the connection is
/// dropped and the broker redelivers.
///
/// Thread-safety: confined to the ingest thread; created there or handed over before it starts.
final class IngestLoop: MosquittoClientDelegate {
    private var configuration: SluiceConfiguration
    private var matcher: ProfileMatcher
    private let log: LogManager
    private let statistics: IngestStatistics
    private let stop: StopSignal
    private let reloads: IngestReloadMailbox
    private let logger: Logger
    /// Warnings that can repeat per message or per reconnect attempt: one line per kind per minute.
    private let repeating: RateLimitedLogger
    /// The most messages read before they are written and acknowledged: bounds the duplicates a crash can cause.
    static let maxBurstMessages = 1024

    /// Per log topic: its name, partitions and one builder per partition.
    private var topics: [TopicSink] = []
    /// Index into `topics` for each profile.
    private var topicOfProfile: [Int] = []
    private var deadLetters: TopicSink
    private var client: MosquittoClient?
    private var isSessionUp = false
    private var backoff: Duration
    private var burstCount = 0
    private var burstDeadLetters: [String: Int] = [:]
    private var batchBuffer: [UInt8] = []
    private var burstFailure: LogError?
    /// A reload applied on the live session, answered once the broker acknowledged its
    /// (un)subscriptions: only then do new devices' messages surely reach this session.
    private var pendingReload: (request: IngestReloadMailbox.Request, summary: IngestReloadSummary, messageIDs: Set<Int32>)?

    struct TopicSink {
        var name: String
        var partitions: [Partition]
        var builders: [RecordBatchBuilder]
        var maxRecordBytes: Int
        var burstAccepted = 0
        var burstBytes = 0
    }

    /// Per device, since the last hand-over: one dictionary update per accepted message (in
    /// memory; the registry in SQLite is written in batches by the daemon, never per record).
    private var windowDevices: [String: WindowTally] = [:]
    private var windowStartMillis: Int64 = 0

    struct WindowTally {
        var profileIndex: Int
        var count: Int
        var firstMillis: Int64
        var lastMillis: Int64
    }

    init(
        configuration: SluiceConfiguration, log: LogManager, statistics: IngestStatistics, stop: StopSignal,
        reloads: IngestReloadMailbox = IngestReloadMailbox(), logger: Logger
    ) throws(LogError) {
        self.configuration = configuration
        self.matcher = ProfileMatcher(profiles: configuration.profiles, maxPayloadBytes: configuration.mqtt.maxPayloadBytes)
        self.log = log
        self.statistics = statistics
        self.stop = stop
        self.reloads = reloads
        self.logger = logger
        self.repeating = RateLimitedLogger(logger: logger)
        self.backoff = configuration.mqtt.reconnectMinimum
        var deadLetterConfiguration = configuration.deadLetters.configuration
        deadLetterConfiguration.fsync = configuration.log.fsync
        deadLetters = try Self.openSink(configuration.deadLetters.topic, deadLetterConfiguration, in: log)
        (topics, topicOfProfile) = try Self.sinks(for: configuration, reusing: [], in: log)
    }

    /// One sink per distinct topic of `configuration`'s profiles (reusing those in `existing`),
    /// and for each profile the index of its sink.
    private static func sinks(
        for configuration: SluiceConfiguration, reusing existing: [TopicSink], in log: LogManager
    ) throws(LogError) -> ([TopicSink], [Int]) {
        var sinks: [TopicSink] = []
        var topicOfProfile: [Int] = []
        for profile in configuration.profiles {
            if let index = sinks.firstIndex(where: { $0.name == profile.topic }) {
                topicOfProfile.append(index)
                continue
            }
            if let reused = existing.first(where: { $0.name == profile.topic }) {
                sinks.append(reused)
            } else {
                var topicConfiguration = configuration.topicConfiguration(profile.topic)
                // A topic already on disk keeps its partitions (a Kafka client may have created it).
                if let onDisk = try log.existingTopics()[profile.topic] { topicConfiguration.partitionCount = onDisk }
                sinks.append(try openSink(profile.topic, topicConfiguration, in: log))
            }
            topicOfProfile.append(sinks.count - 1)
        }
        return (sinks, topicOfProfile)
    }

    private static func openSink(_ name: String, _ topicConfiguration: TopicConfiguration, in log: LogManager) throws(LogError) -> TopicSink {
        let partitions = try log.openTopic(name, configuration: topicConfiguration)
        return TopicSink(
            name: name, partitions: partitions,
            builders: Array(repeating: RecordBatchBuilder(compression: topicConfiguration.compression), count: partitions.count),
            maxRecordBytes: max(4096, topicConfiguration.maxBatchBytes - 64 * 1024))
    }

    /// Applies a reload request between bursts: every builder is empty here, so the swap loses
    /// nothing and nothing read under the old profiles is written under the new ones.
    private func applyReload(_ request: IngestReloadMailbox.Request) {
        let new = request.configuration
        var summary = IngestReloadSummary()
        let opened: ([TopicSink], [Int])
        do {
            opened = try Self.sinks(for: new, reusing: topics, in: log)
        } catch {
            logger.error("reload: could not open a topic; keeping the old device profiles", metadata: ["log.error": "\(error)"])
            request.completion(.failure(error))
            return
        }
        let newMatcher = ProfileMatcher(profiles: new.profiles, maxPayloadBytes: configuration.mqtt.maxPayloadBytes)
        summary.openedTopics = opened.0.map(\.name).filter { name in !topics.contains { $0.name == name } }
        let extra = Set(configuration.mqtt.extraSubscriptions)
        let before = Set(matcher.subscriptionFilters).union(extra)
        let after = Set(newMatcher.subscriptionFilters).union(extra)
        summary.subscribed = after.subtracting(before).sorted()
        summary.unsubscribed = before.subtracting(after).sorted()
        summary.isSessionUp = isSessionUp
        var messageIDs: Set<Int32> = []
        if isSessionUp, let client {
            do {
                for filter in summary.subscribed { messageIDs.insert(try client.subscribe(filter, qos: configuration.mqtt.qos)) }
                for filter in summary.unsubscribed { messageIDs.insert(try client.unsubscribe(filter)) }
                _ = client.loopWrite()
            } catch {
                // The next session subscribes to the new filters from the start.
                dropConnection(reason: "re-subscribing after a reload failed: \(error)")
                messageIDs = []
            }
        }
        handOverDeviceActivity(now: true)  // its tallies index the old profiles
        matcher = newMatcher
        (topics, topicOfProfile) = opened
        configuration.profiles = new.profiles
        configuration.topics = new.topics
        configuration.topicDefaults = new.topicDefaults
        if messageIDs.isEmpty {
            request.completion(.success(summary))
        } else {
            pendingReload = (request, summary, messageIDs)
        }
    }

    func mosquittoDidAcknowledgeSubscription(messageID: Int32) {
        guard var pending = pendingReload, pending.messageIDs.remove(messageID) != nil else { return }
        pendingReload = pending.messageIDs.isEmpty ? nil : pending
        if pending.messageIDs.isEmpty { pending.request.completion(.success(pending.summary)) }
    }

    /// The session ended before the broker acknowledged a reload's subscriptions: the next
    /// session subscribes to the new filters from the start.
    private func answerPendingReload() {
        guard let pending = pendingReload else { return }
        pendingReload = nil
        var summary = pending.summary
        summary.isSessionUp = false
        pending.request.completion(.success(summary))
    }

    // MARK: The loop

    /// Runs until the stop signal fires; then writes what was read, acknowledges it and disconnects.
    func run() {
        while !stop.isStopped {
            while pendingReload == nil, let request = reloads.take() { applyReload(request) }
            if log.diskBudgetState.isExceeded {
                pauseForDiskBudget()
                continue
            }
            guard let client, client.socket >= 0 else {
                connectWithBackoff()
                continue
            }
            var descriptors = [
                pollfd(fd: client.socket, events: Int16(POLLIN) | (client.wantsWrite ? Int16(POLLOUT) : 0), revents: 0),
                pollfd(fd: stop.descriptor, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 2, 1000)
            if ready < 0 && errno != EINTR {
                dropConnection(reason: "poll failed: \(String(cString: strerror(errno)))")
                continue
            }
            if descriptors[0].revents & Int16(POLLIN | POLLERR | POLLHUP) != 0 {
                readBurst(client)
                guard writeBurst() else { continue }
            }
            guard self.client != nil else { continue }
            if client.wantsWrite, MosquittoClient.isConnectionLost(client.loopWrite()) {
                dropConnection(reason: "the connection broke while writing")
                continue
            }
            if MosquittoClient.isConnectionLost(client.loopMisc()) {
                dropConnection(reason: "keepalive failed")
            }
        }
        shutDown()
        answerPendingReload()
        reloads.close()
    }

    /// Reads packets while the socket has data, and for up to `batchLinger` after the first
    /// message, up to a burst limit.
    private func readBurst(_ client: MosquittoClient) {
        burstCount = 0
        let lingerMillis = configuration.mqtt.batchLinger.wholeMilliseconds
        var deadline: ContinuousClock.Instant?
        while true {
            let result = client.loopRead()
            if MosquittoClient.isConnectionLost(result) {
                // What was read is still written below; its acknowledgements are lost with the
                // connection, so the broker redelivers it (duplicates bounded by one burst).
                isSessionUp = false
                statistics.noteConnected(false)
                logger.warning("mqtt connection lost", metadata: ["mqtt.reason": "\(MosquittoClient.describe(result))"])
                self.client = nil
                answerPendingReload()
                return
            }
            if burstCount >= Self.maxBurstMessages || burstCount == 0 { return }
            if Self.isReadable(client.socket, waitMilliseconds: 0) { continue }
            if deadline == nil { deadline = .now + .milliseconds(lingerMillis) }
            let remaining = deadline! - .now
            guard remaining > .zero,
                Self.isReadable(client.socket, waitMilliseconds: Int32(max(1, remaining.wholeMilliseconds)))
            else { return }
        }
    }

    /// Appends the burst's batches. Returns false if it could not (the connection is dropped so
    /// nothing read is acknowledged).
    private func writeBurst() -> Bool {
        var acceptedByTopic: [String: Int] = [:]
        var bytesByTopic: [String: Int] = [:]
        for index in topics.indices {
            flushBuilders(&topics[index])
            if topics[index].burstAccepted > 0 {
                acceptedByTopic[topics[index].name] = topics[index].burstAccepted
                bytesByTopic[topics[index].name] = topics[index].burstBytes
            }
            topics[index].burstAccepted = 0
            topics[index].burstBytes = 0
        }
        flushBuilders(&deadLetters)
        deadLetters.burstAccepted = 0
        let received = burstCount
        if let failure = burstFailure {
            burstFailure = nil
            statistics.noteAppendFailure("\(failure)")
            repeating.error(key: "append", "could not write a burst to the log; not acknowledging it", metadata: ["log.error": "\(failure)"])
            dropConnection(reason: "log append failed")
            burstDeadLetters.removeAll(keepingCapacity: true)
            _ = stop.wait(milliseconds: Int32(backoff.wholeMilliseconds))
            return false
        }
        if received > 0 {
            statistics.noteBurst(
                received: received, acceptedByTopic: acceptedByTopic, bytesByTopic: bytesByTopic, deadLettersByReason: burstDeadLetters)
            if !burstDeadLetters.isEmpty { logDeadLetters() }
        }
        burstDeadLetters.removeAll(keepingCapacity: true)
        handOverDeviceActivity()
        return true
    }

    /// Gives the devices' activity to the statistics about once a second (or now, before a
    /// reload renumbers the profiles the tallies point to).
    private func handOverDeviceActivity(now isForced: Bool = false) {
        guard !windowDevices.isEmpty else { return }
        let now = LogClock.nowMillis()
        guard isForced || now - windowStartMillis >= 1000 else { return }
        var window: [String: IngestDeviceActivity] = [:]
        window.reserveCapacity(windowDevices.count)
        for (id, tally) in windowDevices {
            let profile = configuration.profiles[tally.profileIndex]
            window[id] = IngestDeviceActivity(
                deviceID: id, profile: profile.name, topic: profile.topic, messageCount: tally.count,
                firstSeenMillis: tally.firstMillis, lastSeenMillis: tally.lastMillis)
        }
        statistics.noteDeviceActivity(window)
        windowDevices.removeAll(keepingCapacity: true)
        windowStartMillis = now
    }

    /// One warning per reason per minute at most (a broken device can send thousands a second);
    /// the count since the last line rides along.
    private func logDeadLetters() {
        for (reason, count) in burstDeadLetters {
            repeating.warning(
                key: reason, "messages sent to the dead-letter topic", count: count,
                metadata: [IngestLoggingKeys.reason: "\(reason)", IngestLoggingKeys.topic: "\(configuration.deadLetters.topic)"])
        }
    }

    private func flushBuilders(_ sink: inout TopicSink) {
        for partition in sink.builders.indices where !sink.builders[partition].isEmpty {
            append(&sink, partition)
        }
    }

    private func append(_ sink: inout TopicSink, _ partition: Int) {
        batchBuffer.removeAll(keepingCapacity: true)
        do {
            try sink.builders[partition].finish(into: &batchBuffer)
            guard burstFailure == nil else { return }  // after a failure, nothing more is written
            try sink.partitions[partition].append(builtBatch: &batchBuffer)
        } catch {
            burstFailure = burstFailure ?? error
        }
    }

    // MARK: Messages

    func mosquittoDidReceive(_ message: MQTTMessageView) {
        burstCount += 1
        let topic = UnsafeRawBufferPointer(start: message.topic, count: strlen(message.topic))
        let arrival = LogClock.nowMillis()
        switch matcher.evaluate(topic: topic, payload: message.payload, arrivalMillis: arrival) {
        case .accept(let profileIndex, let deviceID, let timestamp):
            let topicIndex = topicOfProfile[profileIndex]
            var key = deviceID
            let partition = key.withUTF8 { KeyPartitioner.partition(forKey: UnsafeRawBufferPointer($0), partitionCount: topics[topicIndex].partitions.count) }
            key.withUTF8 { keyBytes in
                withHeaders(topic: message.topic, qos: message.qos, extra: nil) { headers in
                    topics[topicIndex].builders[partition].append(
                        timestamp: timestamp, key: UnsafeRawBufferPointer(keyBytes), value: message.payload, headers: headers)
                }
            }
            topics[topicIndex].burstAccepted += 1
            topics[topicIndex].burstBytes += message.payload.count
            if var tally = windowDevices[deviceID] {
                tally.count += 1
                tally.lastMillis = arrival
                tally.profileIndex = profileIndex
                windowDevices[deviceID] = tally
            } else {
                windowDevices[deviceID] = WindowTally(profileIndex: profileIndex, count: 1, firstMillis: arrival, lastMillis: arrival)
            }
            if topics[topicIndex].builders[partition].recordBytes >= topics[topicIndex].maxRecordBytes {
                append(&topics[topicIndex], partition)
            }
        case .reject(let reason, let detail, let profileIndex):
            deadLetter(message, reason: reason, detail: detail, profile: profileIndex.map { configuration.profiles[$0].name }, arrival: arrival)
        }
    }

    private func deadLetter(_ message: MQTTMessageView, reason: DeadLetterReason, detail: String, profile: String?, arrival: Int64) {
        burstDeadLetters[reason.rawValue, default: 0] += 1
        let kept = min(message.payload.count, Self.deadLetterPayloadLimit)
        let value = UnsafeRawBufferPointer(rebasing: message.payload[0..<kept])
        var extra: [(String, String)] = [("sluice.reason", reason.rawValue), ("sluice.detail", detail)]
        if let profile { extra.append(("sluice.profile", profile)) }
        if kept < message.payload.count { extra.append(("sluice.original_bytes", String(message.payload.count))) }
        withHeaders(topic: message.topic, qos: message.qos, extra: extra) { headers in
            deadLetters.builders[0].append(timestamp: arrival, key: nil, value: value, headers: headers)
        }
        if deadLetters.builders[0].recordBytes >= deadLetters.maxRecordBytes { append(&deadLetters, 0) }
    }

    /// The most payload bytes a dead letter keeps (the rest is counted in `sluice.original_bytes`).
    static let deadLetterPayloadLimit = 64 * 1024
    private static let topicHeader: [UInt8] = Array("mqtt.topic".utf8)
    private static let qosHeader: [UInt8] = Array("mqtt.qos".utf8)
    private static let qosValues: [[UInt8]] = [[0x30], [0x31], [0x32]]

    /// Calls `body` with the headers every record carries (`mqtt.topic`, `mqtt.qos`) plus `extra`.
    private func withHeaders(
        topic: UnsafePointer<CChar>, qos: Int, extra: [(String, String)]?, _ body: ([RecordBatchBuilder.BorrowedHeader]) -> Void
    ) {
        let topicBytes = UnsafeRawBufferPointer(start: topic, count: strlen(topic))
        Self.topicHeader.withUnsafeBytes { topicKey in
            Self.qosHeader.withUnsafeBytes { qosKey in
                Self.qosValues[min(max(qos, 0), 2)].withUnsafeBytes { qosValue in
                    let base: [RecordBatchBuilder.BorrowedHeader] = [.init(key: topicKey, value: topicBytes), .init(key: qosKey, value: qosValue)]
                    guard let extra, !extra.isEmpty else { return body(base) }
                    // Dead letters only: rare, so plain arrays are fine here.
                    let owned = extra.map { (Array($0.0.utf8), Array($0.1.utf8)) }
                    var headers = base
                    func addAll(_ index: Int) {
                        if index == owned.count { return body(headers) }
                        owned[index].0.withUnsafeBytes { key in
                            owned[index].1.withUnsafeBytes { value in
                                headers.append(.init(key: key, value: value))
                                addAll(index + 1)
                            }
                        }
                    }
                    addAll(0)
                }
            }
        }
    }

    // MARK: Connection

    func mosquittoDidConnect(code: Int32) {
        guard code == 0 else {
            repeating.error(key: "refused", "the MQTT broker refused the connection", metadata: ["mqtt.code": "\(code)", "mqtt.reason": "\(MosquittoClient.describe(code))"])
            statistics.noteError("broker refused the connection: code \(code)")
            return
        }
        isSessionUp = true
        backoff = configuration.mqtt.reconnectMinimum
        statistics.noteConnected(true)
        do {
            for filter in matcher.subscriptionFilters + configuration.mqtt.extraSubscriptions {
                try client?.subscribe(filter, qos: configuration.mqtt.qos)
            }
            logger.info("mqtt connected", metadata: ["mqtt.broker": "\(configuration.mqtt.host):\(configuration.mqtt.port)"])
        } catch {
            logger.error("could not subscribe", metadata: ["mqtt.error": "\(error)"])
            dropConnection(reason: "subscribe failed")
        }
    }

    func mosquittoDidDisconnect(code: Int32) {
        answerPendingReload()
        isSessionUp = false
        statistics.noteConnected(false)
    }

    private func connectWithBackoff() {
        do {
            let mqtt = configuration.mqtt
            let client = try MosquittoClient(
                clientID: mqtt.clientID, cleanSession: false, protocolVersion: mqtt.protocolVersion == .v5 ? 5 : 4, delegate: self)
            if let username = mqtt.username { try client.setCredentials(username: username, password: mqtt.password) }
            if let tls = mqtt.tls {
                try client.setTLS(caFile: tls.caFile, certificateFile: tls.certificateFile, keyFile: tls.keyFile, isInsecure: tls.isInsecure)
            }
            try client.connect(
                host: mqtt.host, port: mqtt.port, keepaliveSeconds: Int(mqtt.keepalive.components.seconds),
                sessionExpirySeconds: mqtt.protocolVersion == .v5 ? UInt32.max : nil)
            _ = client.loopWrite()
            self.client = client
        } catch {
            statistics.noteError("\(error)")
            repeating.warning(key: "connect", "mqtt connect failed; retrying", metadata: ["mqtt.error": "\(error)", "mqtt.retry_in": "\(backoff)"])
            _ = stop.wait(milliseconds: Int32(backoff.wholeMilliseconds))
            backoff = min(backoff * 2, configuration.mqtt.reconnectMaximum)
        }
    }

    /// The disk budget is exceeded: leave the broker (the persistent session queues what devices
    /// send, up to its max_queued_bytes) and check again each second.
    private func pauseForDiskBudget() {
        if client != nil {
            logger.warning("leaving the MQTT broker until the disk budget allows new records; it queues them meanwhile")
            statistics.noteError("disk budget exceeded: not taking messages until space is freed")
            // As on shutdown: every written message acknowledged, then a half-close, so no
            // acknowledgement is lost to a reset and nothing is duplicated when ingest resumes.
            shutDown()
            isSessionUp = false
        }
        _ = stop.wait(milliseconds: 1000)
    }

    /// Forgets the client without writing what it queued (unsent acknowledgements are dropped on
    /// purpose: the broker redelivers those messages).
    private func dropConnection(reason: String) {
        if client != nil { logger.warning("dropping the mqtt connection", metadata: ["mqtt.reason": "\(reason)"]) }
        client = nil
        answerPendingReload()
        isSessionUp = false
        statistics.noteConnected(false)
    }

    /// Sends the acknowledgements of everything written, then closes so that they surely arrive:
    /// half-close (FIN after the acknowledgements) and discard what the broker still sends until it
    /// closes too. (A DISCONNECT would make libmosquitto close the socket at once; with unread
    /// messages in the receive buffer the kernel then resets the connection, and the broker may drop
    /// acknowledgements it had not yet read — each one a duplicate after restart. Discarded messages
    /// were never stored or acknowledged: the broker redelivers them to the next session.)
    private func shutDown() {
        guard let client else { return }
        let deadline = ContinuousClock.now + .seconds(2)
        while client.wantsWrite && ContinuousClock.now < deadline {
            if MosquittoClient.isConnectionLost(client.loopWrite()) { break }
            if client.wantsWrite { _ = Self.isWritable(client.socket, waitMilliseconds: 50) }
        }
        let socket = client.socket
        if socket >= 0 {
            Glibc.shutdown(socket, Int32(SHUT_WR))
            var scratch = [UInt8](repeating: 0, count: 64 * 1024)
            while ContinuousClock.now < deadline {
                guard Self.isReadable(socket, waitMilliseconds: 100) else { continue }
                if recv(socket, &scratch, scratch.count, 0) <= 0 { break }
            }
        }
        self.client = nil
        statistics.noteConnected(false)
        logger.info("mqtt disconnected")
    }

    private static func isWritable(_ socket: Int32, waitMilliseconds: Int32) -> Bool {
        guard socket >= 0 else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
        return poll(&descriptor, 1, waitMilliseconds) > 0
    }

    private static func isReadable(_ socket: Int32, waitMilliseconds: Int32) -> Bool {
        guard socket >= 0 else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, waitMilliseconds) > 0
    }
}
