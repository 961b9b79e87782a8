import Logging
import SluiceLog
import SluiceCatalog
import SluiceConfiguration
import NIOCore

extension KafkaBroker {
    /// FindCoordinator: this broker coordinates every group.
    func findCoordinator(_ request: inout KafkaProtocolReader, version: Int16, into response: inout KafkaProtocolWriter) throws(KafkaProtocolError) {
        _ = try request.string()  // key
        if version >= 1 { _ = try request.int8() }  // key type: group or transaction
        try request.skipTaggedFields()
        let (host, port) = advertisedAddress
        if version >= 1 { response.int32(0) }  // throttle time
        let available = catalog != nil
        response.int16((available ? KafkaErrorCode.none : .coordinatorNotAvailable).rawValue)
        if version >= 1 { response.nullableString(available ? nil : "this gateway keeps no consumer groups (no catalog)") }
        response.int32(available ? Self.nodeID : -1)
        response.string(available ? host : "")
        response.int32(available ? port : -1)
        response.taggedFields()
    }

    /// JoinGroup: answered when the group's rebalance completes.
    func joinGroup(
        _ request: inout KafkaProtocolReader, version: Int16, clientID: String, session: KafkaConnectionSession,
        into response: inout KafkaProtocolWriter
    ) async throws(KafkaProtocolError) {
        let groupID = try request.string()
        let sessionTimeout = try request.int32()
        let rebalanceTimeout = version >= 1 ? try request.int32() : sessionTimeout
        let memberID = try request.string()
        let groupInstanceID = version >= 5 ? try request.nullableString() : nil
        let protocolType = try request.string()
        let protocols = try request.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> (name: String, metadata: [UInt8]) in
            let name = try reader.string()
            let metadata = Array(try reader.bytes().readableBytesView)
            try reader.skipTaggedFields()
            return (name, metadata)
        }
        try request.skipTaggedFields()

        let outcome: JoinGroupOutcome
        if catalog == nil {
            outcome = JoinGroupOutcome(error: .coordinatorNotAvailable)
        } else {
            outcome = await coordinator.join(
                GroupCoordinator.JoinRequest(
                    groupID: groupID, memberID: memberID, groupInstanceID: groupInstanceID, clientID: clientID,
                    clientHost: session.clientHost, sessionTimeout: .milliseconds(Int(sessionTimeout)),
                    rebalanceTimeout: .milliseconds(Int(max(rebalanceTimeout, sessionTimeout))), protocolType: protocolType,
                    protocols: protocols))
        }
        if version >= 2 { response.int32(0) }  // throttle time
        response.int16(outcome.error.rawValue)
        response.int32(outcome.generation)
        if version >= 7 { response.nullableString(outcome.protocolType) }
        if version >= 7 { response.nullableString(outcome.protocolName) } else { response.string(outcome.protocolName ?? "") }
        response.string(outcome.leaderID)
        response.string(outcome.error == .none ? outcome.memberID : memberID)
        response.array(outcome.members) { response, member in
            response.string(member.id)
            if version >= 5 { response.nullableString(member.groupInstanceID) }
            response.bytes(ByteBuffer(bytes: member.metadata))
            response.taggedFields()
        }
        response.taggedFields()
    }

    /// SyncGroup: the leader's assignment in, each member's share out.
    func syncGroup(_ request: inout KafkaProtocolReader, version: Int16, into response: inout KafkaProtocolWriter) async throws(KafkaProtocolError) {
        let groupID = try request.string()
        let generation = try request.int32()
        let memberID = try request.string()
        if version >= 3 { _ = try request.nullableString() }  // group instance id
        if version >= 5 {
            _ = try request.nullableString()  // protocol type
            _ = try request.nullableString()  // protocol name
        }
        let assignments = try request.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> (String, [UInt8]) in
            let member = try reader.string()
            let assignment = Array(try reader.bytes().readableBytesView)
            try reader.skipTaggedFields()
            return (member, assignment)
        }
        try request.skipTaggedFields()

        let outcome = await coordinator.sync(groupID: groupID, generation: generation, memberID: memberID, assignments: assignments)
        if version >= 1 { response.int32(0) }  // throttle time
        response.int16(outcome.error.rawValue)
        if version >= 5 {
            response.nullableString(outcome.protocolType)
            response.nullableString(outcome.protocolName)
        }
        response.bytes(ByteBuffer(bytes: outcome.assignment))
        response.taggedFields()
    }

    /// Heartbeat.
    func heartbeat(_ request: inout KafkaProtocolReader, version: Int16, into response: inout KafkaProtocolWriter) async throws(KafkaProtocolError) {
        let groupID = try request.string()
        let generation = try request.int32()
        let memberID = try request.string()
        if version >= 3 { _ = try request.nullableString() }  // group instance id
        try request.skipTaggedFields()
        let error = await coordinator.heartbeat(groupID: groupID, generation: generation, memberID: memberID)
        if version >= 1 { response.int32(0) }  // throttle time
        response.int16(error.rawValue)
        response.taggedFields()
    }

    /// LeaveGroup: one member (v0–2) or several (v3+).
    func leaveGroup(_ request: inout KafkaProtocolReader, version: Int16, into response: inout KafkaProtocolWriter) async throws(KafkaProtocolError) {
        let groupID = try request.string()
        var members: [(id: String, instance: String?)] = []
        if version <= 2 {
            members = [(try request.string(), nil)]
        } else {
            members = try request.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> (id: String, instance: String?) in
                let id = try reader.string()
                let instance = try reader.nullableString()
                if version >= 5 { _ = try reader.nullableString() }  // reason
                try reader.skipTaggedFields()
                return (id, instance)
            }
        }
        try request.skipTaggedFields()
        let errors = await coordinator.leave(groupID: groupID, memberIDs: members.map(\.id))
        if version >= 1 { response.int32(0) }  // throttle time
        if version <= 2 {
            response.int16(errors.first?.rawValue ?? 0)
        } else {
            response.int16(KafkaErrorCode.none.rawValue)
            response.array(Array(zip(members, errors))) { response, pair in
                response.string(pair.0.id)
                response.nullableString(pair.0.instance)
                response.int16(pair.1.rawValue)
                response.taggedFields()
            }
        }
        response.taggedFields()
    }

    /// ListGroups: groups with members, plus groups known only by their committed offsets.
    func listGroups(_ request: inout KafkaProtocolReader, version: Int16, into response: inout KafkaProtocolWriter) async throws(KafkaProtocolError) {
        var statesFilter: Set<String> = []
        if version >= 4 {
            statesFilter = Set(try request.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> String in try reader.string() })
        }
        try request.skipTaggedFields()
        var groups = await coordinator.list().map { (id: $0.id, protocolType: $0.protocolType, state: $0.state.rawValue) }
        var errorCode = KafkaErrorCode.none
        if let catalog {
            do {
                let known = Set(groups.map(\.id))
                let committed = try await blocking { try catalog.groups() }
                groups += committed.filter { !known.contains($0) }.map { (id: $0, protocolType: "consumer", state: ConsumerGroup.Phase.empty.rawValue) }
            } catch {
                logger.warning("cannot list committed groups", metadata: ["error": "\(error)"])
                errorCode = .coordinatorNotAvailable
            }
        }
        if !statesFilter.isEmpty { groups = groups.filter { statesFilter.contains($0.state) } }
        if version >= 1 { response.int32(0) }  // throttle time
        response.int16(errorCode.rawValue)
        response.array(groups) { response, group in
            response.string(group.id)
            response.string(group.protocolType)
            if version >= 4 { response.string(group.state) }
            response.taggedFields()
        }
        response.taggedFields()
    }

    /// DescribeGroups: state, protocol and members with their assignments.
    func describeGroups(_ request: inout KafkaProtocolReader, version: Int16, into response: inout KafkaProtocolWriter) async throws(KafkaProtocolError) {
        let ids = try request.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> String in try reader.string() }
        if version >= 3 { _ = try request.bool() }  // include authorized operations
        try request.skipTaggedFields()
        var described: [ConsumerGroup?] = []
        for id in ids { described.append(await coordinator.describe(id)) }
        if version >= 1 { response.int32(0) }  // throttle time
        response.array(Array(zip(ids, described))) { response, pair in
            let (id, group) = pair
            response.int16(KafkaErrorCode.none.rawValue)
            response.string(id)
            response.string(group?.phase.rawValue ?? (id.isEmpty ? "Dead" : ConsumerGroup.Phase.empty.rawValue))
            response.string(group?.protocolType ?? "")
            response.string(group?.phase == .stable || group?.phase == .completingRebalance ? group?.protocolName ?? "" : "")
            response.array(group?.orderedMembers ?? []) { response, member in
                response.string(member.id)
                if version >= 4 { response.nullableString(member.groupInstanceID) }
                response.string(member.clientID)
                response.string(member.clientHost)
                response.bytes(ByteBuffer(bytes: member.metadata(for: group?.protocolName ?? "")))
                response.bytes(ByteBuffer(bytes: member.assignment))
                response.taggedFields()
            }
            if version >= 3 { response.int32(Int32.min) }  // authorized operations: not computed
            response.taggedFields()
        }
        response.taggedFields()
    }
}
