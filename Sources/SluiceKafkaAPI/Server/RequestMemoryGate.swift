import NIOCore

/// One connection's share of the ``RequestMemoryPool``: the frame decoder reserves each frame's
/// length here before its body is read; while the pool is full the connection's socket is not
/// read, and once another request is answered the decoder tries again. Bytes the connection
/// still holds go back to the pool when it closes.
///
/// Sits first in the pipeline (raw bytes in, responses out, both passed on unchanged).
/// Thread-safety: the connection's event loop only; `release` from elsewhere goes through
/// ``Handle``.
final class RequestMemoryGate: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Releases a connection's answered requests from any thread.
    struct Handle: Sendable {
        let gate: NIOLoopBound<RequestMemoryGate>

        /// Gives back the bytes of one answered request frame (its length prefix included).
        func release(_ bytes: Int) {
            let gate = self.gate
            gate.eventLoop.execute { gate.value.release(bytes) }
        }
    }

    private let pool: RequestMemoryPool
    private var context: ChannelHandlerContext?
    /// Called by the pool when there may be room (made once, not per frame).
    private var wake: (@Sendable () -> Void)?
    /// This connection's bytes reserved and not yet given back.
    private var reserved = 0
    /// Whether a frame is waiting for room in the pool.
    private var isWaiting = false
    /// Whether a read was held back while waiting.
    private var isReadHeld = false
    private var isClosed = false

    init(pool: RequestMemoryPool) {
        self.pool = pool
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let gate = NIOLoopBound(self, eventLoop: context.eventLoop)
        wake = { gate.eventLoop.execute { gate.value.retry() } }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        close()
        self.context = nil
        wake = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        close()
        context.fireChannelInactive()
    }

    func read(context: ChannelHandlerContext) {
        if isWaiting { isReadHeld = true } else { context.read() }
    }

    /// Reserves a frame of `bytes` (called by the decoder when the frame's length prefix arrives).
    /// - Returns: false if the pool is full: the decoder keeps the frame unread and is asked to
    ///   decode again once there is room.
    func reserve(_ bytes: Int) -> Bool {
        guard !isWaiting, !isClosed, let wake else { return false }
        let admitted = pool.reserve(bytes, orWake: wake)
        if admitted { reserved += bytes } else { isWaiting = true }
        return admitted
    }

    /// Gives back bytes of answered requests (at most what this connection holds).
    func release(_ bytes: Int) {
        let amount = min(bytes, reserved)
        reserved -= amount
        pool.release(amount)
    }

    /// A handle for the task that answers this connection's requests (once added to a pipeline).
    func handle() -> Handle {
        Handle(gate: NIOLoopBound(self, eventLoop: context!.eventLoop))
    }

    /// There may be room now: let the decoder try the waiting frame again (an empty read makes
    /// it decode what it holds), then read on unless it had to wait again.
    private func retry() {
        guard isWaiting, !isClosed, let context else { return }
        isWaiting = false
        context.fireChannelRead(wrapInboundOut(context.channel.allocator.buffer(capacity: 0)))
        if !isWaiting && isReadHeld {
            isReadHeld = false
            context.read()
        }
    }

    private func close() {
        guard !isClosed else { return }
        isClosed = true
        pool.release(reserved)
        reserved = 0
    }
}
