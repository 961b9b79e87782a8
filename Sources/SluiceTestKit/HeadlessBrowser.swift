import Foundation

/// Debian's chromium, headless: renders a page with its scripts run, to check what a person would
/// see (the DOM after the scripts) and to keep a screenshot as a test artefact.
public enum HeadlessBrowser {
    /// The browser (installed by scripts/bootstrap.sh).
    public static let executable = "/usr/bin/chromium"

    /// The DOM of `url` after its scripts ran for `virtualMilliseconds` of virtual time.
    public static func dumpDOM(_ url: String, virtualMilliseconds: Int = 5000) throws -> String {
        try run(["--dump-dom", "--virtual-time-budget=\(virtualMilliseconds)", url]).output
    }

    /// Saves a PNG screenshot of `url` to `path` (window `width`×`height`) after its scripts ran.
    public static func screenshot(_ url: String, to path: String, width: Int = 1280, height: Int = 900, virtualMilliseconds: Int = 5000) throws {
        let result = try run([
            "--screenshot=\(path)", "--window-size=\(width),\(height)", "--hide-scrollbars", "--virtual-time-budget=\(virtualMilliseconds)", url,
        ])
        guard FileManager.default.fileExists(atPath: path) else { throw TestKitError("chromium wrote no screenshot: \(result.errors)") }
    }

    private static func run(_ arguments: [String]) throws -> (output: String, errors: String) {
        let profile = TestEnvironment.temporaryDirectory("sluice-chromium")
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile)"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["HOME": profile]) { $1 }
        let output = Pipe()
        let errors = TestEnvironment.temporaryDirectory("sluice-chromium-log") + ".log"
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errors) }
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        try process.run()
        // A watchdog: chromium must not outlive the test.
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { if process.isRunning { kill(pid, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 90, execute: watchdog)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        let log = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else { throw TestKitError("chromium failed (\(process.terminationStatus)): \(log.suffix(2000))") }
        return (String(decoding: data, as: UTF8.self), log)
    }
}
