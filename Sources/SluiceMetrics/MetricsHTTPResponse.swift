import NIOHTTP1

/// One answer of the operations endpoint: status, content type and the whole body.
struct MetricsHTTPResponse: Sendable {
    var status: HTTPResponseStatus
    var contentType: String
    var body: [UInt8]
}
