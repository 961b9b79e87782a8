import Logging
import SluiceCatalog
import SluiceConfiguration
import SluiceLog

extension KafkaBroker {
    /// ListOffsets: per partition, the earliest offset (timestamp -2), the latest (-1, the high
    /// watermark) or the first offset whose record time is at or after a timestamp (with that
    /// record's time), or -1 when every record is older.
    func listOffsets(_ request: inout KafkaProtocolReader, version: Int16, into response: inout KafkaProtocolWriter) throws(KafkaProtocolError) {
        _ = try request.int32()  // replica id
        if version >= 2 { _ = try request.int8() }  // isolation level
        let topics = try request.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> (String, [(Int32, Int64)]) in
            let name = try reader.string()
            let partitions = try reader.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> (Int32, Int64) in
                let index = try reader.int32()
                if version >= 4 { _ = try reader.int32() }  // current leader epoch
                let timestamp = try reader.int64()
                try reader.skipTaggedFields()
                return (index, timestamp)
            }
            try reader.skipTaggedFields()
            return (name, partitions)
        }
        try request.skipTaggedFields()

        if version >= 2 { response.int32(0) }  // throttle time
        response.array(topics) { response, topic in
            response.string(topic.0)
            response.array(topic.1) { response, requested in
                let (error, timestamp, offset) = lookUpOffset(topic: topic.0, index: Int(requested.0), timestamp: requested.1)
                response.int32(requested.0)
                response.int16(error.rawValue)
                response.int64(timestamp)
                response.int64(offset)
                if version >= 4 { response.int32(0) }  // leader epoch
                response.taggedFields()
            }
            response.taggedFields()
        }
        response.taggedFields()
    }

    private func lookUpOffset(topic: String, index: Int, timestamp: Int64) -> (KafkaErrorCode, Int64, Int64) {
        guard let partition = try? log.partition(topic, index) else { return (.unknownTopicOrPartition, -1, -1) }
        switch timestamp {
        case -1: return (.none, -1, partition.highWatermark)
        case -2: return (.none, -1, partition.logStartOffset)
        case ..<0: return (.unsupportedVersion, -1, -1)  // -3 (max timestamp) and later specials
        default:
            do {
                guard let offset = try partition.offset(forTimestamp: timestamp) else { return (.none, -1, -1) }
                let record = try partition.records(from: offset, maxBytes: 1).first
                return (.none, record?.timestamp ?? timestamp, offset)
            } catch {
                logger.warning("offset lookup by time failed", metadata: ["kafka.topic": "\(topic)", "kafka.partition": "\(index)", "error": "\(error)"])
                return (.kafkaStorageError, -1, -1)
            }
        }
    }
}
