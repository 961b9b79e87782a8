import NIOCore

/// A response being written: the 4-byte length prefix (patched by `finish()`), the response
/// header (v0: correlation id; v1 adds tagged fields, for flexible versions except ApiVersions),
/// then the body.
struct KafkaResponseFrame {
    var buffer: ByteBuffer

    init(correlationID: Int32, flexibleHeader: Bool, capacity: Int = 256) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
        buffer.writeInteger(Int32(0))
        buffer.writeInteger(correlationID)
        if flexibleHeader { buffer.writeInteger(UInt8(0)) }
    }

    /// The frame with its length prefix filled in.
    consuming func finish() -> ByteBuffer {
        buffer.setInteger(Int32(buffer.readableBytes - 4), at: buffer.readerIndex)
        return buffer
    }
}
