import Logging
import SluiceCatalog
import SluiceConfiguration
import SluiceLog

extension KafkaBroker {
    /// CreateTopics: opens each new topic with the topic defaults and the partition count asked
    /// for (-1: the default). Replication factors other than -1 or 1, and manual assignments,
    /// are refused: a gateway is a single broker. Topic configs are ignored.
    func createTopics(_ request: inout KafkaProtocolReader, version: Int16, into response: inout KafkaProtocolWriter) throws(KafkaProtocolError) {
        struct Wanted {
            var name: String
            var partitions: Int32
            var replicationFactor: Int16
            var hasAssignments: Bool
        }
        let topics = try request.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> Wanted in
            let name = try reader.string()
            let partitions = try reader.int32()
            let replicationFactor = try reader.int16()
            let assignments = try reader.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> Int32 in
                let index = try reader.int32()
                _ = try reader.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) in _ = try reader.int32() }
                try reader.skipTaggedFields()
                return index
            }
            _ = try reader.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) in
                _ = try reader.string()
                _ = try reader.nullableString()
                try reader.skipTaggedFields()
            }
            try reader.skipTaggedFields()
            return Wanted(name: name, partitions: partitions, replicationFactor: replicationFactor, hasAssignments: !assignments.isEmpty)
        }
        _ = try request.int32()  // timeout
        let validateOnly = version >= 1 ? try request.bool() : false
        try request.skipTaggedFields()

        if version >= 2 { response.int32(0) }  // throttle time
        response.array(topics) { response, wanted in
            var error = KafkaErrorCode.none
            var message: String?
            var count = wanted.partitions == -1 ? Int32(topicConfiguration(wanted.name).partitionCount) : wanted.partitions
            if !LogManager.isValidTopicName(wanted.name) {
                (error, message) = (.invalidTopicException, "topic names are 1–249 letters, digits, '.', '_' or '-'")
            } else if let existing = log.partitions(of: wanted.name) {
                (error, message) = (.topicAlreadyExists, "topic '\(wanted.name)' already exists")
                count = Int32(existing.count)
            } else if wanted.hasAssignments {
                (error, message) = (.invalidRequest, "manual replica assignment is not supported: a gateway is one broker")
            } else if wanted.replicationFactor != -1 && wanted.replicationFactor != 1 {
                (error, message) = (.invalidReplicationFactor, "replication factor must be 1 (or -1): a gateway is one broker")
            } else if !(1...10_000).contains(count) {
                (error, message) = (.invalidPartitions, "partitions must be 1…10000")
            } else if !validateOnly && createTopic(wanted.name, partitions: Int(count)) == nil {
                (error, message) = (.kafkaStorageError, "the log could not create the topic; see the daemon's log")
            }
            response.string(wanted.name)
            response.int16(error.rawValue)
            if version >= 1 { response.nullableString(message) }
            if version >= 5 {
                response.int32(error == .none || error == .topicAlreadyExists ? count : -1)
                response.int16(1)  // replication factor
                response.arrayCount(nil)  // configs: not reported
            }
            response.taggedFields()
        }
        response.taggedFields()
    }
}
