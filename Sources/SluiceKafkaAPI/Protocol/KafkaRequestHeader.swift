import NIOCore

/// A request's header: which API and version, the correlation id the response echoes, the
/// client's id. Header v1 for classic versions, v2 (plus tagged fields) for flexible ones; the
/// client id is a classic nullable string in both.
struct KafkaRequestHeader: Sendable, Equatable {
    var apiKey: Int16
    var apiVersion: Int16
    var correlationID: Int32
    var clientID: String?

    /// Reads the header from the start of a frame; returns it and a reader positioned at the body.
    /// An unknown API or version still yields a header (so the listener can answer or log it) and
    /// a reader with the header's tagged fields not skipped.
    static func read(_ frame: ByteBuffer) throws(KafkaProtocolError) -> (KafkaRequestHeader, KafkaProtocolReader) {
        var classic = KafkaProtocolReader(frame, isFlexible: false)
        let apiKey = try classic.int16()
        let apiVersion = try classic.int16()
        let correlationID = try classic.int32()
        let clientID = try classic.nullableString()
        let header = KafkaRequestHeader(apiKey: apiKey, apiVersion: apiVersion, correlationID: correlationID, clientID: clientID)
        guard let api = KafkaAPIKey(rawValue: apiKey), api.versions.contains(apiVersion) else { return (header, classic) }
        var body = KafkaProtocolReader(classic.buffer, isFlexible: api.isFlexible(apiVersion))
        try body.skipTaggedFields()
        return (header, body)
    }
}
