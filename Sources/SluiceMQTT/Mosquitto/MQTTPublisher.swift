import Glibc

/// A synchronous MQTT publisher over `MosquittoClient`, driven on the caller's thread: the device
/// simulator, the demo and the tests publish with it. At most `window` QoS 1/2 messages are
/// outstanding; `publish` pumps the connection when the window is full.
///
/// Thread-safety: not thread-safe; use it from one thread.
public final class MQTTPublisher: MosquittoClientDelegate {
    private var client: MosquittoClient!
    private let qos: Int
    private let window: Int
    private var connectCode: Int32?
    /// Messages handed to `publish`.
    public private(set) var published = 0
    /// Messages whose QoS handshake completed (PUBACK for QoS 1).
    public private(set) var acknowledged = 0

    /// Connects and waits (up to `timeout`) for the broker to accept.
    /// - Throws: `MQTTError.connectFailed` if the broker cannot be reached or refuses.
    public init(host: String, port: Int, clientID: String, qos: Int = 1, window: Int = 1000, timeout: Duration = .seconds(10)) throws(MQTTError) {
        self.qos = qos
        self.window = max(1, window)
        let client = try MosquittoClient(clientID: clientID, cleanSession: true, protocolVersion: 4, delegate: self)
        client.setMaxInflightMessages(min(65535, self.window))
        try client.connect(host: host, port: port, keepaliveSeconds: 30, sessionExpirySeconds: nil)
        self.client = client
        let deadline = ContinuousClock.now + timeout
        while connectCode == nil && ContinuousClock.now < deadline {
            try pump(timeoutMilliseconds: 50)
        }
        guard connectCode == 0 else {
            throw MQTTError(code: .connectFailed, message: "the broker at \(host):\(port) did not accept the connection (code \(connectCode.map(String.init) ?? "timeout"))")
        }
    }

    /// Queues one message, pumping the connection first while the window is full.
    public func publish(topic: String, payload: [UInt8]) throws(MQTTError) {
        while qos > 0 && published - acknowledged >= window {
            try pump(timeoutMilliseconds: 100)
        }
        _ = try payload.withUnsafeBytes { raw in
            Result { () throws(MQTTError) in try client.publish(topic: topic, payload: raw, qos: qos) }
        }.get()
        published += 1
        if qos == 0 { acknowledged += 1 }
        if published % 64 == 0 { try pump(timeoutMilliseconds: 0) }
    }

    /// Polls the socket up to `timeoutMilliseconds`, then reads, writes and does keepalive work.
    /// - Throws: `MQTTError.connectionLost` if the connection broke.
    public func pump(timeoutMilliseconds: Int32) throws(MQTTError) {
        let socket = client.socket
        guard socket >= 0 else { throw MQTTError(code: .connectionLost, message: "the publisher lost its broker connection") }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN) | (client.wantsWrite ? Int16(POLLOUT) : 0), revents: 0)
        _ = poll(&descriptor, 1, timeoutMilliseconds)
        var result: Int32 = 0
        if descriptor.revents & Int16(POLLIN | POLLERR | POLLHUP) != 0 { result = client.loopRead() }
        if result == 0 && client.wantsWrite { result = client.loopWrite() }
        if result == 0 { result = client.loopMisc() }
        if MosquittoClient.isConnectionLost(result) {
            throw MQTTError(code: .connectionLost, message: "the publisher lost its broker connection", cause: MosquittoClient.describe(result))
        }
    }

    /// Pumps until every published message is acknowledged or `timeout` passes. Returns whether all were.
    @discardableResult
    public func flush(timeout: Duration) throws(MQTTError) -> Bool {
        let deadline = ContinuousClock.now + timeout
        try pump(timeoutMilliseconds: 0)
        while acknowledged < published && ContinuousClock.now < deadline {
            try pump(timeoutMilliseconds: 50)
        }
        return acknowledged >= published
    }

    /// Sends DISCONNECT.
    public func disconnect() {
        client.disconnect()
        _ = client.loopWrite()
    }

    public func mosquittoDidConnect(code: Int32) { connectCode = code }
    public func mosquittoDidDisconnect(code: Int32) {}
    public func mosquittoDidReceive(_ message: MQTTMessageView) {}
    public func mosquittoDidPublish(messageID: Int32) { if qos > 0 { acknowledged += 1 } }
}
