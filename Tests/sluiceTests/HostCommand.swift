import Foundation

/// Runs a program of the host (dpkg, getent, systemd-analyze, an installed `sluice`) to its end and
/// captures what it prints. The environment is ours without `LD_LIBRARY_PATH`, so a program
/// resolves its libraries as it would on a gateway (`make test` puts the librdkafka of the
/// confluent-kafka wheel first on it).
struct HostCommand {
    /// The exit status and everything printed.
    struct Output {
        var status: Int32
        var standardOutput: String
        var standardError: String
        /// Both streams, for failure messages.
        var all: String { standardOutput + standardError }
    }

    /// Runs `executable` (an absolute path) with `arguments`.
    /// - Throws: when it cannot be started.
    static func run(_ executable: String, _ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["LD_LIBRARY_PATH"] = nil
        environment["DEBIAN_FRONTEND"] = "noninteractive"
        process.environment = environment
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("host-command-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        // stderr to a file and stdout through a pipe read to its end: no deadlock when one of them is large.
        let errorHandle = try FileHandle(forWritingTo: errorFile)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errorHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errorHandle.close()
        let errData = (try? Data(contentsOf: errorFile)) ?? Data()
        return Output(
            status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData, as: UTF8.self))
    }
}
