import Foundation

/// The librdkafka that talks to tansu: the 2.x bundled in the venv's confluent-kafka wheel.
///
/// Debian's librdkafka 2.0.2 cannot parse tansu 0.6.0's ApiVersions answer, so anything that
/// produces to tansu must run with the wheel's library. Both carry the SONAME `librdkafka.so.1`
/// and keep a backward-compatible ABI, so a program built against Debian's headers runs with the
/// newer library when a folder holding a `librdkafka.so.1` link to it comes first on
/// `LD_LIBRARY_PATH`. This type makes that folder (`.build/librdkafka-wheel/`, the same one
/// `scripts/librdkafka-path.sh` prints) for child processes.
///
/// The test process itself loaded its librdkafka when it started: only `LD_LIBRARY_PATH` set
/// before `swift test` (as `make test` does) changes it.
public enum LibrdkafkaRuntime {
    private static let folder: Result<String, TestKitError> = Result { () throws(TestKitError) in try makeFolder() }

    /// The folder to put first on `LD_LIBRARY_PATH`, holding `librdkafka.so.1` → the wheel's
    /// library; created on first use.
    /// - Throws: if the venv or its confluent-kafka wheel is missing (the message says how to install it).
    public static func libraryDirectory() throws -> String {
        try folder.get()
    }

    /// The environment a child process needs to load the wheel's librdkafka: `LD_LIBRARY_PATH`
    /// with `libraryDirectory()` first, then whatever this process had.
    public static func environment() throws -> [String: String] {
        let directory = try libraryDirectory()
        let inherited = ProcessInfo.processInfo.environment["LD_LIBRARY_PATH"].map { ":" + $0 } ?? ""
        return ["LD_LIBRARY_PATH": directory + inherited]
    }

    /// Links `.build/librdkafka-wheel/librdkafka.so.1` to the wheel's library (atomically: a
    /// temporary link renamed over the old one, so concurrent test runs do not collide).
    private static func makeFolder() throws(TestKitError) -> String {
        let root = TestEnvironment.repositoryRoot
        let libraries = (try? FileManager.default.contentsOfDirectory(atPath: root + "/.venv/lib")) ?? []
        let library = libraries.filter { $0.hasPrefix("python3") }.sorted().lazy
            .map { root + "/.venv/lib/" + $0 + "/site-packages/confluent_kafka.libs" }
            .compactMap { folder in
                ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                    .first { $0.hasPrefix("librdkafka") && $0.hasSuffix(".so.1") }
                    .map { folder + "/" + $0 }
            }
            .first
        guard let library else {
            throw TestKitError(
                "no librdkafka in .venv's confluent-kafka wheel: run `make test` (scripts/bootstrap.sh installs confluent-kafka)")
        }
        let folder = root + "/.build/librdkafka-wheel"
        let link = folder + "/librdkafka.so.1"
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == library { return folder }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let temporary = link + ".\(getpid())"
            try? FileManager.default.removeItem(atPath: temporary)
            try FileManager.default.createSymbolicLink(atPath: temporary, withDestinationPath: library)
            guard rename(temporary, link) == 0 else { throw TestKitError("rename: \(String(cString: strerror(errno)))") }
        } catch {
            throw TestKitError("could not link \(link) to \(library): \(error)")
        }
        return folder
    }
}
