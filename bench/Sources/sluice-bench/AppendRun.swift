import Glibc
import SluiceLog

/// What a timed run did: the figures the log store (or the raw writer) counted.
struct AppendMeasurement {
    var seconds: Double
    var bytesWritten: Int
    var fsyncs: Int
}

/// A failed system call of the raw writer.
struct BenchError: Error, CustomStringConvertible {
    var description: String

    static func system(_ call: String, _ path: String) -> BenchError {
        BenchError(description: "\(call) \(path): \(String(cString: strerror(errno)))")
    }
}

enum AppendRun {
    /// Appends every batch through a fresh `LogManager` in `directory` with `append`; group
    /// commit is driven inline (`flushDue` after each append, a no-op until the interval passes).
    /// The clock stops after `close()`, so the last fsync (and all `close` writes) is inside the time.
    /// Each batch is handed over `inout`, so a mode may let the store patch it in place (as
    /// `append(builtBatch:)` does) without a copy-on-write copy inside the timed loop.
    static func store<Batch>(
        _ batches: inout [Batch], configuration: TopicConfiguration, directory: String,
        append: (inout Batch, [Partition]) throws -> Void
    ) throws -> AppendMeasurement {
        let manager = try LogManager(directory: directory)
        let partitions = try manager.openTopic("telemetry", configuration: configuration)
        let start = ContinuousClock.now
        for index in batches.indices {
            try append(&batches[index], partitions)
            try manager.flushDue()
        }
        try manager.close()
        let seconds = (ContinuousClock.now - start).seconds
        return AppendMeasurement(seconds: seconds, bytesWritten: manager.statistics.bytesWritten, fsyncs: manager.statistics.fsyncs)
    }

    /// Writes each encoded batch with one `write` to `raw-<partition>.log`, then `fdatasync`s
    /// after every batch (`syncEveryBatch`) or once `interval` has passed, and at the end.
    static func raw(
        _ encoded: [EncodedBurst], partitionCount: Int, syncEveryBatch: Bool, interval: Duration, directory: String
    ) throws -> AppendMeasurement {
        var descriptors: [Int32] = []
        defer { for descriptor in descriptors { close(descriptor) } }
        for partition in 0..<partitionCount {
            let path = "\(directory)/raw-\(partition).log"
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw BenchError.system("open", path) }
            descriptors.append(descriptor)
        }
        var isDirty = [Bool](repeating: false, count: partitionCount)
        var fsyncs = 0
        func syncDirty() throws {
            for (partition, descriptor) in descriptors.enumerated() where isDirty[partition] {
                guard fdatasync(descriptor) == 0 else { throw BenchError.system("fdatasync", directory) }
                isDirty[partition] = false
                fsyncs += 1
            }
        }
        let start = ContinuousClock.now
        var lastSync = start
        var bytesWritten = 0
        for burst in encoded {
            try burst.bytes.withUnsafeBytes { bytes in
                var done = 0
                while done < bytes.count {
                    let result = write(descriptors[burst.partition], bytes.baseAddress! + done, bytes.count - done)
                    guard result > 0 || errno == EINTR else { throw BenchError.system("write", directory) }
                    done += max(result, 0)
                }
            }
            bytesWritten += burst.bytes.count
            isDirty[burst.partition] = true
            let now = ContinuousClock.now
            if syncEveryBatch || now - lastSync >= interval {
                try syncDirty()
                lastSync = now
            }
        }
        try syncDirty()
        return AppendMeasurement(seconds: (ContinuousClock.now - start).seconds, bytesWritten: bytesWritten, fsyncs: fsyncs)
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
