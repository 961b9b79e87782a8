import NIOCore

/// Splits a client's byte stream into request frames (a 4-byte big-endian length, then that many
/// bytes), refusing a frame longer than `maxFrameBytes` before buffering it. Each frame reserves
/// its bytes in the listener's ``RequestMemoryPool`` as soon as its length is
/// known; while the pool is full the frame waits (and the gate stops reading the socket).
struct KafkaFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    let maxFrameBytes: Int
    let gate: RequestMemoryGate
    /// Whether the frame at the reader index has its bytes reserved.
    private var isNextFrameReserved = false

    init(maxFrameBytes: Int, gate: RequestMemoryGate) {
        self.maxFrameBytes = maxFrameBytes
        self.gate = gate
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return .needMoreData }
        guard length >= 0, Int(length) <= maxFrameBytes else {
            throw KafkaProtocolError("a request frame of \(length) bytes exceeds max_request_bytes (\(maxFrameBytes))")
        }
        if !isNextFrameReserved {
            guard gate.reserve(4 + Int(length)) else { return .needMoreData }
            isNextFrameReserved = true
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        isNextFrameReserved = false
        buffer.moveReaderIndex(forwardBy: 4)
        context.fireChannelRead(Self.wrapInboundOut(buffer.readSlice(length: Int(length))!))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
