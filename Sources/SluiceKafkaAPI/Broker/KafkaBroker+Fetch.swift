import Logging
import SluiceCatalog
import SluiceConfiguration
import NIOCore
import SluiceLog

extension KafkaBroker {
    /// One partition asked for in a Fetch request.
    struct FetchPartition: Sendable {
        var index: Int32
        var offset: Int64
        var maxBytes: Int
    }

    /// What one partition answers.
    private struct FetchedPartition {
        var index: Int32
        var error: KafkaErrorCode = .none
        var highWatermark: Int64 = -1
        var logStartOffset: Int64 = -1
        var records: [UInt8] = []
    }

    /// Fetch: whole batches as they are on disk, from each partition's offset, up to the
    /// partition's and the request's byte limits (at least one batch, KIP-74). Long polls: while
    /// fewer than `min_bytes` are ready, it waits up to `max_wait_ms`, woken by appends. Fetch
    /// sessions (KIP-227) are declined with session id 0, so every fetch is a full one.
    func fetch(_ request: inout KafkaProtocolReader, version: Int16, into response: inout KafkaProtocolWriter) async throws(KafkaProtocolError) {
        _ = try request.int32()  // replica id
        let maxWait = max(0, Int(try request.int32()))
        let minBytes = max(0, Int(try request.int32()))
        let maxBytes = Int(try request.int32())
        _ = try request.int8()  // isolation level: there are no transactions
        _ = try request.int32()  // session id
        _ = try request.int32()  // session epoch
        let topics = try request.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> (String, [FetchPartition]) in
            let name = try reader.string()
            let partitions = try reader.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> FetchPartition in
                let index = try reader.int32()
                if version >= 9 { _ = try reader.int32() }  // current leader epoch
                let offset = try reader.int64()
                if version >= 12 { _ = try reader.int32() }  // last fetched epoch
                _ = try reader.int64()  // log start offset (followers only)
                let maxBytes = Int(try reader.int32())
                try reader.skipTaggedFields()
                return FetchPartition(index: index, offset: offset, maxBytes: maxBytes)
            }
            try reader.skipTaggedFields()
            return (name, partitions)
        }
        // Forgotten topics, rack id and tagged fields only matter to fetch sessions and followers.

        let limit = min(maxBytes > 0 ? maxBytes : Int.max, maxFetchResponseBytes)
        let deadline = ContinuousClock.now + .milliseconds(maxWait)
        var results: [(String, [FetchedPartition])]
        while true {
            let generation = log.appendSignal.generation
            var total = 0
            results = read(topics, limit: limit, total: &total)
            let remaining = deadline - .now
            if total >= max(minBytes, 1) || remaining <= .zero || Task.isCancelled { break }
            await log.appendSignal.wait(after: generation, timeout: remaining)
        }

        response.int32(0)  // throttle time
        response.int16(KafkaErrorCode.none.rawValue)
        response.int32(0)  // session id: none
        response.array(results) { response, topic in
            response.string(topic.0)
            response.array(topic.1) { response, partition in
                response.int32(partition.index)
                response.int16(partition.error.rawValue)
                response.int64(partition.highWatermark)
                response.int64(partition.highWatermark)  // last stable offset: no transactions
                response.int64(partition.logStartOffset)
                response.arrayCount(nil)  // aborted transactions
                if version >= 11 { response.int32(-1) }  // preferred read replica
                response.bytesLength(partition.records.count)
                response.buffer.writeBytes(partition.records)
                response.taggedFields()
            }
            response.taggedFields()
        }
        response.taggedFields()
    }

    private func read(_ topics: [(String, [FetchPartition])], limit: Int, total: inout Int) -> [(String, [FetchedPartition])] {
        topics.map { name, requested in
            let partitions = log.partitions(of: name)
            return (
                name,
                requested.map { wanted in
                    var fetched = FetchedPartition(index: wanted.index)
                    guard let partitions, partitions.indices.contains(Int(wanted.index)) else {
                        fetched.error = .unknownTopicOrPartition
                        return fetched
                    }
                    let partition = partitions[Int(wanted.index)]
                    fetched.highWatermark = partition.highWatermark
                    fetched.logStartOffset = partition.logStartOffset
                    // KIP-74: the first batch is returned whatever the limits (the log store reads at least one
                    // whole batch), so a large batch never stalls a reader; beyond it, the response cap holds
                    // even for a partition limit larger than the whole request's.
                    let budget = total == 0 ? max(1, min(wanted.maxBytes, limit)) : min(wanted.maxBytes, limit - total)
                    guard budget > 0, wanted.offset != fetched.highWatermark else { return fetched }
                    do throws(LogError) {
                        let read = try partition.read(from: wanted.offset, maxBytes: budget)
                        fetched.records = read.bytes
                        fetched.highWatermark = read.highWatermark
                        fetched.logStartOffset = read.logStartOffset
                        total += read.bytes.count
                    } catch {
                        fetched.error = error.code == .offsetOutOfRange ? .offsetOutOfRange : .kafkaStorageError
                        if fetched.error != .offsetOutOfRange {
                            logger.warning("fetch failed", metadata: ["kafka.topic": "\(name)", "kafka.partition": "\(wanted.index)", "error": "\(error)"])
                        }
                    }
                    return fetched
                })
        }
    }
}
