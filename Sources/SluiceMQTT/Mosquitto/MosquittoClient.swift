import CMosquitto
import Glibc

/// A received MQTT message, borrowed from libmosquitto for the duration of a callback.
public struct MQTTMessageView {
    /// The topic, NUL-terminated UTF-8.
    public var topic: UnsafePointer<CChar>
    /// The payload bytes.
    public var payload: UnsafeRawBufferPointer
    /// The QoS it was delivered with.
    public var qos: Int
    /// Whether it is a retained message.
    public var isRetained: Bool
}

/// What a `MosquittoClient` reports from inside libmosquitto's calls.
public protocol MosquittoClientDelegate: AnyObject {
    /// The broker answered CONNECT; `code` 0 means accepted.
    func mosquittoDidConnect(code: Int32)
    /// The connection ended; `code` 0 means we asked for it.
    func mosquittoDidDisconnect(code: Int32)
    /// A message arrived; the view is valid only during this call.
    func mosquittoDidReceive(_ message: MQTTMessageView)
    /// A message we published completed its QoS handshake (or was sent, for QoS 0).
    func mosquittoDidPublish(messageID: Int32)
    /// The broker answered a SUBSCRIBE (SUBACK) or an UNSUBSCRIBE (UNSUBACK) we sent.
    func mosquittoDidAcknowledgeSubscription(messageID: Int32)
}

extension MosquittoClientDelegate {
    /// Subscribers need not care about their own publishes.
    public func mosquittoDidPublish(messageID: Int32) {}
    /// Publishers need not care about subscriptions.
    public func mosquittoDidAcknowledgeSubscription(messageID: Int32) {}
}

/// A thin owner of one libmosquitto client handle, driven by its owner's own loop: the caller
/// polls `socket`, then calls `loopRead`, `loopWrite` and `loopMisc`. The client is marked
/// threaded (`mosquitto_threaded_set`), so libmosquitto queues acknowledgements (PUBACK) instead
/// of writing them while reading: they leave only at `loopWrite`, after the caller has stored the
/// messages (libmosquitto's `packet__queue`).
///
/// Thread-safety: not thread-safe; use it from one thread (the ingest loop's).
public final class MosquittoClient {
    // Owned by this object: created in init, destroyed in deinit, used from one thread.
    private let handle: OpaquePointer
    private let context: Unmanaged<DelegateBox>

    /// Creates a client.
    /// - Parameters:
    ///   - clientID: fixed id, so the broker keeps the session while we are away.
    ///   - cleanSession: false to keep the session (and its queued messages) across disconnects.
    ///   - protocolVersion: 4 (MQTT 3.1.1) or 5.
    ///   - delegate: receives callbacks; held weakly.
    /// - Throws: `MQTTError.setupFailed`.
    public init(clientID: String, cleanSession: Bool, protocolVersion: Int32, delegate: any MosquittoClientDelegate) throws(MQTTError) {
        MosquittoLibrary.initialize()
        let box = DelegateBox(delegate)
        let context = Unmanaged.passRetained(box)
        guard let handle = mosquitto_new(clientID, cleanSession, context.toOpaque()) else {
            context.release()
            throw MQTTError(code: .setupFailed, message: "could not create an MQTT client (out of memory or an invalid client id '\(clientID)')")
        }
        mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, protocolVersion)
        mosquitto_threaded_set(handle, true)
        mosquitto_connect_callback_set(handle, onConnect)
        mosquitto_disconnect_callback_set(handle, onDisconnect)
        mosquitto_message_callback_set(handle, onMessage)
        mosquitto_publish_callback_set(handle, onPublish)
        mosquitto_subscribe_callback_set(handle, onSubscribe)
        mosquitto_unsubscribe_callback_set(handle, onUnsubscribe)
        self.handle = handle
        self.context = context
    }

    deinit {
        mosquitto_destroy(handle)
        context.release()
    }

    /// Sets the user name and password.
    public func setCredentials(username: String, password: String?) throws(MQTTError) {
        try check(mosquitto_username_pw_set(handle, username, password), "setting the user name")
    }

    /// Enables TLS with a CA file and optionally a client certificate.
    public func setTLS(caFile: String, certificateFile: String?, keyFile: String?, isInsecure: Bool) throws(MQTTError) {
        try check(mosquitto_tls_set(handle, caFile, nil, certificateFile, keyFile, nil), "setting up TLS (check the CA, certificate and key files)")
        if isInsecure { try check(mosquitto_tls_insecure_set(handle, true), "disabling host name verification") }
    }

    /// Opens the TCP connection and queues CONNECT (sent by the next `loopWrite`).
    /// - Parameter sessionExpirySeconds: for MQTT 5, how long the broker keeps the session.
    public func connect(host: String, port: Int, keepaliveSeconds: Int, sessionExpirySeconds: UInt32?) throws(MQTTError) {
        let result: Int32
        if let sessionExpirySeconds {
            var properties: OpaquePointer? = nil
            mosquitto_property_add_int32(&properties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), sessionExpirySeconds)
            result = mosquitto_connect_bind_v5(handle, host, Int32(port), Int32(keepaliveSeconds), nil, properties)
            mosquitto_property_free_all(&properties)
        } else {
            result = mosquitto_connect(handle, host, Int32(port), Int32(keepaliveSeconds))
        }
        guard result == MOSQ_ERR_SUCCESS.rawValue else {
            throw MQTTError(
                code: .connectFailed, message: "could not connect to the MQTT broker at \(host):\(port); is it running?",
                cause: Self.describe(result))
        }
    }

    /// Queues a SUBSCRIBE. Returns its message id (the SUBACK's).
    @discardableResult
    public func subscribe(_ filter: String, qos: Int) throws(MQTTError) -> Int32 {
        var messageID: Int32 = 0
        try check(mosquitto_subscribe(handle, &messageID, filter, Int32(qos)), "subscribing to \(filter)")
        return messageID
    }

    /// Queues an UNSUBSCRIBE (a persistent session would otherwise keep the filter across
    /// restarts). Returns its message id (the UNSUBACK's).
    @discardableResult
    public func unsubscribe(_ filter: String) throws(MQTTError) -> Int32 {
        var messageID: Int32 = 0
        try check(mosquitto_unsubscribe(handle, &messageID, filter), "unsubscribing from \(filter)")
        return messageID
    }

    /// Queues a PUBLISH. Returns its message id.
    @discardableResult
    public func publish(topic: String, payload: UnsafeRawBufferPointer, qos: Int, retain: Bool = false) throws(MQTTError) -> Int32 {
        var messageID: Int32 = 0
        try check(mosquitto_publish(handle, &messageID, topic, Int32(payload.count), payload.baseAddress, Int32(qos), retain), "publishing to \(topic)")
        return messageID
    }

    /// Sets how many outgoing QoS 1/2 messages may be in flight at once (libmosquitto queues the rest).
    public func setMaxInflightMessages(_ count: Int) {
        mosquitto_int_option(handle, MOSQ_OPT_SEND_MAXIMUM, Int32(count))
    }

    /// Queues a DISCONNECT (the session is kept if it was not clean).
    public func disconnect() { mosquitto_disconnect(handle) }

    /// The socket to poll, or -1 when not connected.
    public var socket: Int32 { mosquitto_socket(handle) }
    /// Whether queued packets wait to be written.
    public var wantsWrite: Bool { mosquitto_want_write(handle) }

    /// Reads what the socket has (non-blocking); message callbacks run inside. Returns a libmosquitto code.
    public func loopRead() -> Int32 { mosquitto_loop_read(handle, 1) }
    /// Writes queued packets (acknowledgements among them). Returns a libmosquitto code.
    public func loopWrite() -> Int32 { mosquitto_loop_write(handle, 1) }
    /// Keepalive and retry housekeeping. Returns a libmosquitto code.
    public func loopMisc() -> Int32 { mosquitto_loop_misc(handle) }

    /// libmosquitto's text for a result code.
    public static func describe(_ code: Int32) -> String {
        if code == MOSQ_ERR_ERRNO.rawValue { return String(cString: strerror(errno)) }
        return String(cString: mosquitto_strerror(code))
    }

    /// Whether a loop result means the connection is gone.
    public static func isConnectionLost(_ code: Int32) -> Bool {
        code != MOSQ_ERR_SUCCESS.rawValue
    }

    private func check(_ result: Int32, _ what: String) throws(MQTTError) {
        guard result == MOSQ_ERR_SUCCESS.rawValue else {
            throw MQTTError(code: .requestFailed, message: "failed \(what)", cause: Self.describe(result))
        }
    }
}

/// Holds the delegate weakly for the C callbacks.
final class DelegateBox {
    weak var delegate: (any MosquittoClientDelegate)?
    init(_ delegate: any MosquittoClientDelegate) { self.delegate = delegate }
}

private func box(_ context: UnsafeMutableRawPointer?) -> DelegateBox? {
    context.map { Unmanaged<DelegateBox>.fromOpaque($0).takeUnretainedValue() }
}

private func onConnect(_: OpaquePointer?, _ context: UnsafeMutableRawPointer?, _ code: Int32) {
    box(context)?.delegate?.mosquittoDidConnect(code: code)
}

private func onDisconnect(_: OpaquePointer?, _ context: UnsafeMutableRawPointer?, _ code: Int32) {
    box(context)?.delegate?.mosquittoDidDisconnect(code: code)
}

private func onMessage(_: OpaquePointer?, _ context: UnsafeMutableRawPointer?, _ message: UnsafePointer<mosquitto_message>?) {
    guard let message, let delegate = box(context)?.delegate, let topic = message.pointee.topic else { return }
    let payload = UnsafeRawBufferPointer(start: message.pointee.payload, count: Int(message.pointee.payloadlen))
    delegate.mosquittoDidReceive(
        MQTTMessageView(topic: topic, payload: payload, qos: Int(message.pointee.qos), isRetained: message.pointee.retain))
}

private func onPublish(_: OpaquePointer?, _ context: UnsafeMutableRawPointer?, _ messageID: Int32) {
    box(context)?.delegate?.mosquittoDidPublish(messageID: messageID)
}

private func onSubscribe(
    _: OpaquePointer?, _ context: UnsafeMutableRawPointer?, _ messageID: Int32, _: Int32, _: UnsafePointer<Int32>?
) {
    box(context)?.delegate?.mosquittoDidAcknowledgeSubscription(messageID: messageID)
}

private func onUnsubscribe(_: OpaquePointer?, _ context: UnsafeMutableRawPointer?, _ messageID: Int32) {
    box(context)?.delegate?.mosquittoDidAcknowledgeSubscription(messageID: messageID)
}

/// libmosquitto's process-wide initialisation, done once.
enum MosquittoLibrary {
    private static let initialized: Bool = {
        mosquitto_lib_init()
        return true
    }()

    static func initialize() { _ = initialized }
}
