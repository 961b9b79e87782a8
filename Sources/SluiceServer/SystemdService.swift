import ServiceLifecycle

/// Tells systemd the daemon is ready (the log is open and recovered before the service group
/// starts), pings the watchdog at half its interval while running, and says STOPPING on shutdown.
public struct SystemdService: Service {
    private let notifier: SystemdNotifier
    private let watchdog: Duration?
    private let status: @Sendable () -> String

    /// Creates the service from the process environment.
    /// - Parameter status: a one-line status for `systemctl status`, refreshed with each watchdog ping.
    public init(environment: [String: String], status: @escaping @Sendable () -> String) {
        notifier = SystemdNotifier(environment: environment)
        watchdog = SystemdNotifier.watchdogInterval(environment: environment)
        self.status = status
    }

    public func run() async throws {
        notifier.notify("READY=1\nSTATUS=\(status())")
        let interval = watchdog.map { $0 / 2 } ?? .seconds(5)
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                try? await Task.sleep(for: interval)
                if watchdog != nil { notifier.notify("WATCHDOG=1\nSTATUS=\(status())") }
            }
        } onGracefulShutdown: {
            notifier.notify("STOPPING=1")
        }
    }
}
