import Logging
import SluiceCatalog
import SluiceConfiguration
import SluiceLog

extension KafkaBroker {
    /// Metadata: this broker, and the requested topics (all when the list is null, or empty in
    /// v0) with every partition led by this broker. Unknown topics are created when both the
    /// client (`allow_auto_topic_creation`, v4+) and the listener (`auto_create_topics`) allow it.
    func metadata(_ request: inout KafkaProtocolReader, version: Int16, into response: inout KafkaProtocolWriter) throws(KafkaProtocolError) {
        var requested = try request.nullableArray { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> String in
            let name = try reader.string()
            try reader.skipTaggedFields()
            return name
        }
        if version == 0 && requested?.isEmpty == true { requested = nil }
        var allowCreation = true
        if version >= 4 { allowCreation = try request.bool() }
        if (8...10).contains(version) { _ = try request.bool() }  // include cluster authorized operations
        if version >= 8 { _ = try request.bool() }  // include topic authorized operations
        try request.skipTaggedFields()

        var topics: [(name: String, error: KafkaErrorCode, partitions: Int)] = []
        for name in requested ?? log.topicNames {
            if let partitions = log.partitions(of: name) {
                topics.append((name, .none, partitions.count))
            } else if allowCreation && settings.autoCreateTopics && LogManager.isValidTopicName(name), let created = createTopic(name, partitions: nil) {
                topics.append((name, .none, created))
            } else {
                topics.append((name, LogManager.isValidTopicName(name) ? .unknownTopicOrPartition : .invalidTopicException, 0))
            }
        }

        if version >= 3 { response.int32(0) }  // throttle time
        let (host, port) = advertisedAddress
        response.arrayCount(1)
        response.int32(Self.nodeID)
        response.string(host)
        response.int32(port)
        if version >= 1 { response.nullableString(nil) }  // rack
        response.taggedFields()
        if version >= 2 { response.nullableString(clusterID) }
        if version >= 1 { response.int32(Self.nodeID) }  // controller
        response.array(topics) { response, topic in
            response.int16(topic.error.rawValue)
            response.string(topic.name)
            if version >= 1 { response.bool(false) }  // internal
            response.arrayCount(topic.partitions)
            for index in 0..<topic.partitions {
                response.int16(KafkaErrorCode.none.rawValue)
                response.int32(Int32(index))
                response.int32(Self.nodeID)  // leader
                if version >= 7 { response.int32(0) }  // leader epoch
                response.int32Array([Self.nodeID])  // replicas
                response.int32Array([Self.nodeID])  // in-sync replicas
                if version >= 5 { response.int32Array([]) }  // offline replicas
                response.taggedFields()
            }
            if version >= 8 { response.int32(Int32.min) }  // topic authorized operations: not computed
            response.taggedFields()
        }
        if (8...10).contains(version) { response.int32(Int32.min) }  // cluster authorized operations
        response.taggedFields()
    }

    /// Creates and opens a topic with the configured defaults; `partitions` overrides the count.
    /// - Returns: the partition count, or nil (logged) if the log refused.
    func createTopic(_ name: String, partitions: Int?) -> Int? {
        var configuration = topicConfiguration(name)
        if let partitions { configuration.partitionCount = partitions }
        do {
            let opened = try log.openTopic(name, configuration: configuration)
            logger.info("topic created by a Kafka client", metadata: ["kafka.topic": "\(name)", "kafka.partitions": "\(opened.count)"])
            return opened.count
        } catch {
            logger.warning("cannot create topic", metadata: ["kafka.topic": "\(name)", "error": "\(error)"])
            return nil
        }
    }
}
