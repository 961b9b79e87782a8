import Logging
import SluiceConfiguration
import SluiceCatalog
import SluiceLog

extension KafkaBroker {
    /// The most bytes of metadata a committed offset may carry (Kafka's `offset.metadata.max.bytes`).
    static let maxOffsetMetadataBytes = 4096

    /// OffsetCommit: stores the group's offsets in the catalog in one transaction, once the
    /// coordinator accepts the member and generation.
    func offsetCommit(_ request: inout KafkaProtocolReader, version: Int16, into response: inout KafkaProtocolWriter) async throws(KafkaProtocolError) {
        struct Commit {
            var index: Int32
            var offset: Int64
            var leaderEpoch: Int32?
            var metadata: String?
        }
        let groupID = try request.string()
        let generation = try request.int32()
        let memberID = try request.string()
        if version >= 7 { _ = try request.nullableString() }  // group instance id
        if (2...4).contains(version) { _ = try request.int64() }  // retention time
        let topics = try request.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> (String, [Commit]) in
            let name = try reader.string()
            let partitions = try reader.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> Commit in
                let index = try reader.int32()
                let offset = try reader.int64()
                let epoch = version >= 6 ? try reader.int32() : -1
                let metadata = try reader.nullableString()
                try reader.skipTaggedFields()
                return Commit(index: index, offset: offset, leaderEpoch: epoch >= 0 ? epoch : nil, metadata: metadata)
            }
            try reader.skipTaggedFields()
            return (name, partitions)
        }
        try request.skipTaggedFields()

        var errors: [String: [Int32: KafkaErrorCode]] = [:]
        var accepted: [TopicPartitionKey: (offset: Int64, leaderEpoch: Int32?, metadata: String?)] = [:]
        let groupError: KafkaErrorCode =
            catalog == nil ? .coordinatorNotAvailable : await coordinator.mayCommit(groupID: groupID, generation: generation, memberID: memberID)
        for (name, commits) in topics {
            let partitions = log.partitions(of: name)
            for commit in commits {
                var error = groupError
                if error == .none {
                    if partitions.map({ !$0.indices.contains(Int(commit.index)) }) ?? true {
                        error = .unknownTopicOrPartition
                    } else if (commit.metadata?.utf8.count ?? 0) > Self.maxOffsetMetadataBytes {
                        error = .offsetMetadataTooLarge
                    } else {
                        accepted[TopicPartitionKey(topic: name, partition: Int(commit.index))] = (commit.offset, commit.leaderEpoch, commit.metadata)
                    }
                }
                errors[name, default: [:]][commit.index] = error
            }
        }
        if let catalog, !accepted.isEmpty {
            let offsets = accepted
            do {
                try await blocking { try catalog.commitOffsets(group: groupID, offsets, nowMillis: LogClock.nowMillis()) }
            } catch {
                logger.warning("cannot commit consumer offsets", metadata: ["kafka.group": "\(groupID)", "error": "\(error)"])
                for key in offsets.keys { errors[key.topic]?[Int32(key.partition)] = .coordinatorNotAvailable }
            }
        }

        if version >= 3 { response.int32(0) }  // throttle time
        response.array(topics) { response, topic in
            response.string(topic.0)
            response.array(topic.1) { response, commit in
                response.int32(commit.index)
                response.int16((errors[topic.0]?[commit.index] ?? .unknownServerError).rawValue)
                response.taggedFields()
            }
            response.taggedFields()
        }
        response.taggedFields()
    }

    /// OffsetFetch: the group's committed offsets (-1 where none), for the partitions asked or,
    /// with a null list (v2+), for every partition the group committed.
    func offsetFetch(_ request: inout KafkaProtocolReader, version: Int16, into response: inout KafkaProtocolWriter) async throws(KafkaProtocolError) {
        let groupID = try request.string()
        let requested = try request.nullableArray { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> (String, [Int32]) in
            let name = try reader.string()
            let partitions = try reader.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> Int32 in try reader.int32() }
            try reader.skipTaggedFields()
            return (name, partitions)
        }
        if version >= 7 { _ = try request.bool() }  // require stable: every commit is stable here
        try request.skipTaggedFields()

        var committed: [TopicPartitionKey: ConsumerOffset] = [:]
        var errorCode = KafkaErrorCode.none
        if let catalog {
            do {
                committed = try await blocking { try catalog.committedOffsets(group: groupID) }
            } catch {
                logger.warning("cannot read consumer offsets", metadata: ["kafka.group": "\(groupID)", "error": "\(error)"])
                errorCode = .coordinatorNotAvailable
            }
        } else {
            errorCode = .coordinatorNotAvailable
        }
        let topics: [(String, [Int32])] =
            requested
            ?? Dictionary(grouping: committed.keys, by: \.topic).sorted { $0.key < $1.key }.map { topic, keys in
                (topic, keys.map { Int32($0.partition) }.sorted())
            }

        if version >= 3 { response.int32(0) }  // throttle time
        response.array(topics) { response, topic in
            response.string(topic.0)
            response.array(topic.1) { response, index in
                let offset = committed[TopicPartitionKey(topic: topic.0, partition: Int(index))]
                response.int32(index)
                response.int64(offset?.committedOffset ?? -1)
                if version >= 5 { response.int32(offset?.leaderEpoch ?? -1) }
                response.nullableString(offset?.metadata ?? "")
                response.int16((version < 2 ? errorCode : .none).rawValue)
                response.taggedFields()
            }
            response.taggedFields()
        }
        if version >= 2 { response.int16(errorCode.rawValue) }
        response.taggedFields()
    }
}
