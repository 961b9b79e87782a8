import Logging
import SluiceLog
import SluiceCatalog
import SluiceConfiguration
import NIOCore

extension KafkaBroker {
    /// ApiVersions: the APIs and version ranges served. v3 requests carry the client's software
    /// name and version, which Sluice does not use.
    func apiVersions(_ request: inout KafkaProtocolReader, version: Int16, into response: inout KafkaProtocolWriter) throws(KafkaProtocolError) {
        if version >= 3 {
            _ = try request.string()  // client software name
            _ = try request.string()  // client software version
            try request.skipTaggedFields()
        }
        response.int16(KafkaErrorCode.none.rawValue)
        Self.writeApiKeys(into: &response)
        if version >= 1 { response.int32(0) }  // throttle time
        response.taggedFields()
    }

    /// The answer to an ApiVersions request of a version Sluice does not know: v0 layout with
    /// UNSUPPORTED_VERSION and the ranges, so the client retries with a version both support.
    func unsupportedApiVersionsResponse(_ header: KafkaRequestHeader) -> ByteBuffer {
        var frame = KafkaResponseFrame(correlationID: header.correlationID, flexibleHeader: false)
        var response = KafkaProtocolWriter(buffer: frame.buffer, isFlexible: false)
        response.int16(KafkaErrorCode.unsupportedVersion.rawValue)
        Self.writeApiKeys(into: &response)
        frame.buffer = response.buffer
        return frame.finish()
    }

    private static func writeApiKeys(into response: inout KafkaProtocolWriter) {
        response.array(KafkaAPIKey.allCases) { response, api in
            response.int16(api.rawValue)
            response.int16(api.versions.lowerBound)
            response.int16(api.versions.upperBound)
            response.taggedFields()
        }
    }
}
