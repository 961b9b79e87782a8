import Logging
import SluiceLog
import SluiceCatalog
import SluiceConfiguration
import NIOCore

extension KafkaBroker {
    /// SaslHandshake: only PLAIN is offered. After v0 the next frame is a bare SASL token; after
    /// v1 it comes in a SaslAuthenticate request.
    func saslHandshake(
        _ request: inout KafkaProtocolReader, version: Int16, session: inout KafkaConnectionSession, into response: inout KafkaProtocolWriter
    ) throws(KafkaProtocolError) {
        let mechanism = try request.string()
        let supported = mechanism == "PLAIN" && !settings.saslPlainUsers.isEmpty
        response.int16((supported ? KafkaErrorCode.none : .unsupportedSASLMechanism).rawValue)
        response.array(settings.saslPlainUsers.isEmpty ? [] : ["PLAIN"]) { $0.string($1) }
        if supported && version == 0 { session.expectsRawSASLToken = true }
    }

    /// SaslAuthenticate: checks a PLAIN token (`authzid NUL user NUL password`).
    func saslAuthenticate(
        _ request: inout KafkaProtocolReader, version: Int16, session: inout KafkaConnectionSession, into response: inout KafkaProtocolWriter
    ) throws(KafkaProtocolError) {
        let token = try request.bytes()
        try request.skipTaggedFields()
        let user = authenticatePlain(token)
        if let user {
            session.user = user
            session.requiresAuthentication = false
        }
        response.int16((user == nil ? KafkaErrorCode.saslAuthenticationFailed : .none).rawValue)
        response.nullableString(user == nil ? "authentication failed: wrong user name or password" : nil)
        response.bytes(ByteBuffer())
        if version >= 1 { response.int64(0) }  // session lifetime: unlimited
        response.taggedFields()
    }

    /// The bare token that follows SaslHandshake v0: an empty frame answers success; a failure
    /// closes the connection, as Kafka does.
    func respondToRawSASLToken(_ frame: ByteBuffer, session: inout KafkaConnectionSession) throws(KafkaProtocolError) -> ByteBuffer {
        session.expectsRawSASLToken = false
        guard let user = authenticatePlain(frame) else { throw KafkaProtocolError("SASL/PLAIN authentication failed") }
        session.user = user
        session.requiresAuthentication = false
        var empty = ByteBuffer()
        empty.writeInteger(Int32(0))
        return empty
    }

    /// The user a PLAIN token authenticates, or nil.
    func authenticatePlain(_ token: ByteBuffer) -> String? {
        let parts = Array(token.readableBytesView).split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let user = String(decoding: parts[1], as: UTF8.self)
        let password = String(decoding: parts[2], as: UTF8.self)
        guard let expected = settings.saslPlainUsers[user], Self.constantTimeEqual(Array(expected.utf8), Array(password.utf8)) else {
            logger.notice("SASL/PLAIN authentication failed", metadata: ["kafka.user": "\(user)"])
            return nil
        }
        return user
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
