import Logging
import SluiceCatalog
import SluiceConfiguration
import NIOCore
import SluiceLog

extension KafkaBroker {
    /// The outcome of one partition's records in a Produce request.
    private struct ProducedPartition {
        var index: Int32
        var error: KafkaErrorCode
        var baseOffset: Int64 = -1
        var logStartOffset: Int64 = -1
        var message: String?
    }

    /// Produce: validates each partition's batch (layout, magic 2, CRC, record count, size,
    /// codec) before anything is written, appends it, and answers per `acks`: 0 no answer,
    /// 1 once the batch is in the log, -1 (all) once it is fsynced.
    /// - Returns: whether a response is due (false for acks=0).
    func produce(_ request: inout KafkaProtocolReader, version: Int16, into response: inout KafkaProtocolWriter) async throws(KafkaProtocolError) -> Bool {
        let transactionalID = try request.nullableString()
        let acks = try request.int16()
        _ = try request.int32()  // timeout
        let topics = try request.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> (String, [(Int32, ByteBuffer?)]) in
            let name = try reader.string()
            let partitions = try reader.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> (Int32, ByteBuffer?) in
                let index = try reader.int32()
                let records = try reader.nullableBytes()
                try reader.skipTaggedFields()
                return (index, records)
            }
            try reader.skipTaggedFields()
            return (name, partitions)
        }
        try request.skipTaggedFields()

        var results: [(String, [ProducedPartition])] = []
        var toSync: [Partition] = []
        for (name, partitions) in topics {
            var produced: [ProducedPartition] = []
            if log.partitions(of: name) == nil && settings.autoCreateTopics && LogManager.isValidTopicName(name) {
                _ = createTopic(name, partitions: nil)
            }
            for (index, records) in partitions {
                if transactionalID != nil {
                    produced.append(ProducedPartition(index: index, error: .invalidRequest, message: "transactions are not supported by Sluice"))
                } else if ![0, 1, -1].contains(acks) {
                    produced.append(ProducedPartition(index: index, error: .invalidRequiredAcks, message: "acks must be 0, 1 or -1 (all)"))
                } else {
                    let outcome = append(records, topic: name, index: Int(index))
                    if outcome.error == .none, acks == -1, let partition = try? log.partition(name, Int(index)),
                        !toSync.contains(where: { $0 === partition })
                    {
                        toSync.append(partition)
                    }
                    produced.append(outcome)
                }
            }
            results.append((name, produced))
        }
        if !toSync.isEmpty {
            let partitions = toSync
            do {
                try await blocking { for partition in partitions { try partition.flush() } }
            } catch {
                logger.warning("fsync for acks=all failed", metadata: ["error": "\(error)"])
                for topic in results.indices {
                    for partition in results[topic].1.indices where results[topic].1[partition].error == .none {
                        results[topic].1[partition].error = .kafkaStorageError
                        results[topic].1[partition].message = "appended but not made durable: \(error)"
                    }
                }
            }
        }
        guard acks != 0 else { return false }

        response.array(results) { response, topic in
            response.string(topic.0)
            response.array(topic.1) { response, partition in
                response.int32(partition.index)
                response.int16(partition.error.rawValue)
                response.int64(partition.baseOffset)
                response.int64(-1)  // log append time: CreateTime is kept
                if version >= 5 { response.int64(partition.logStartOffset) }
                if version >= 8 {
                    response.arrayCount(0)  // record errors
                    response.nullableString(partition.message)
                }
                response.taggedFields()
            }
            response.taggedFields()
        }
        response.int32(0)  // throttle time
        response.taggedFields()
        return true
    }

    /// Checks and appends one partition's records (one RecordBatch v2, as Kafka requires of v3+).
    private func append(_ records: ByteBuffer?, topic: String, index: Int) -> ProducedPartition {
        var result = ProducedPartition(index: Int32(index), error: .none)
        guard let partition = try? log.partition(topic, index) else {
            result.error = .unknownTopicOrPartition
            return result
        }
        guard !log.diskBudgetState.isExceeded else {
            // Retriable for clients: they back off and try again once space is freed.
            result.error = .kafkaStorageError
            result.message = "the gateway's disk budget is exceeded (storage.max_bytes / min_free_bytes); retry later"
            return result
        }
        guard let records, records.readableBytes > 0 else {
            result.error = .corruptMessage
            result.message = "no records"
            return result
        }
        let bytes = Array(records.readableBytesView)
        do {
            let batch = try RecordBatch(bytes[...])
            switch batch.header.compression {
            case .none?, .lz4?, .zstd?: break
            default:
                result.error = .unsupportedCompressionType
                result.message = "compression codec \(batch.header.attributes & 7) is not stored by Sluice; use none, lz4 or zstd"
                return result
            }
            guard !batch.header.isTransactional, !batch.header.isControl else {
                result.error = .invalidRecord
                result.message = "transactional and control batches are not supported"
                return result
            }
            let header = batch.header
            let key = ProducerRegistry.Key(producerID: header.producerId, topic: topic, partition: index)
            let lastSequence = header.baseSequence &+ header.lastOffsetDelta
            if header.producerId >= 0 {
                switch producers.verdict(key, epoch: header.producerEpoch, baseSequence: header.baseSequence, lastSequence: lastSequence) {
                case .append: break
                case .duplicate(let baseOffset):
                    result.baseOffset = baseOffset
                    result.logStartOffset = partition.logStartOffset
                    return result
                case .outOfOrder(let expected):
                    result.error = .outOfOrderSequenceNumber
                    result.message = "sequence \(header.baseSequence) follows \(expected - 1); expected \(expected)"
                    return result
                }
            }
            let appended = try partition.append(batch: bytes)
            if header.producerId >= 0 {
                producers.appended(
                    key, epoch: header.producerEpoch, baseSequence: header.baseSequence, lastSequence: lastSequence,
                    baseOffset: appended.baseOffset)
            }
            result.baseOffset = appended.baseOffset
            result.logStartOffset = partition.logStartOffset
        } catch {
            switch error.code {
            case .corruptBatch: result.error = .corruptMessage
            case .batchTooLarge: result.error = .messageTooLarge
            case .closed: result.error = .notLeaderOrFollower
            default: result.error = .kafkaStorageError
            }
            result.message = error.message
            logger.debug("produce refused", metadata: ["kafka.topic": "\(topic)", "kafka.partition": "\(index)", "error": "\(error)"])
        }
        return result
    }
}
