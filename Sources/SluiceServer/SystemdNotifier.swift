import Glibc

/// Sends `sd_notify` messages (READY=1, WATCHDOG=1, STATUS=…, STOPPING=1) to systemd over the
/// datagram socket named by `NOTIFY_SOCKET`, without linking libsystemd. Does nothing when the
/// variable is unset (not started by systemd with `Type=notify`).
///
/// Thread-safety: stateless; safe from any thread.
public struct SystemdNotifier: Sendable {
    /// The socket path (a leading '@' means the abstract namespace), or nil.
    public let socketPath: String?

    /// Reads `NOTIFY_SOCKET` from the environment.
    public init(environment: [String: String]) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether systemd is listening.
    public var isEnabled: Bool { socketPath != nil }

    /// Sends one message, e.g. "READY=1". Returns whether it was sent.
    @discardableResult
    public func notify(_ message: String) -> Bool {
        guard let socketPath else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }  // abstract namespace
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path.first == 0 ? 0 : 1))
        let sent = message.utf8CString.withUnsafeBufferPointer { text in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    sendto(fd, text.baseAddress, text.count - 1, Int32(MSG_NOSIGNAL), socketAddress, length)
                }
            }
        }
        return sent == message.utf8.count
    }

    /// The watchdog interval systemd asks for (`WATCHDOG_USEC`), if any.
    public static func watchdogInterval(environment: [String: String]) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let micros = Int64(text), micros > 0 else { return nil }
        return .microseconds(micros)
    }
}
