import Foundation

/// Plain HTTP GETs with curl, as a technician or Prometheus would make them.
public enum HTTPProbe {
    /// The answer to one GET.
    public struct Response: Sendable {
        /// The HTTP status (0 when nothing answered).
        public var status: Int
        /// The body.
        public var body: String
        /// The `Content-Type` header.
        public var contentType: String
    }

    /// GETs `url` with curl (bounded by `timeout` seconds).
    public static func get(_ url: String, timeout: Int = 10) throws -> Response {
        let directory = TestEnvironment.temporaryDirectory("sluice-http")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-m", "\(timeout)", "-o", directory + "/body", "-w", "%{http_code} %{content_type}", url]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let written = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let summary = String(decoding: written, as: UTF8.self)
        let status = Int(summary.prefix { $0 != " " }) ?? 0
        let contentType = String(summary.drop { $0 != " " }.dropFirst())
        let body = (try? String(contentsOfFile: directory + "/body", encoding: .utf8)) ?? ""
        return Response(status: status, body: body, contentType: contentType)
    }
}
