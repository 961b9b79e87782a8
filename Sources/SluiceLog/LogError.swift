import Glibc

/// The one error type of the log store: what went wrong, where, and what to do about it.
public struct LogError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The requested offset is before the log start or after the high watermark.
        public static let offsetOutOfRange = Code("offsetOutOfRange")
        /// A batch is larger than the partition's `maxBatchBytes`.
        public static let batchTooLarge = Code("batchTooLarge")
        /// Bytes that should be a RecordBatch v2 are not (bad length, magic, CRC or record layout).
        public static let corruptBatch = Code("corruptBatch")
        /// An argument is invalid (empty batch, bad topic name, zero partitions, negative size…).
        public static let invalidArgument = Code("invalidArgument")
        /// The topic or partition does not exist.
        public static let unknownTopicOrPartition = Code("unknownTopicOrPartition")
        /// The device is full (ENOSPC, EDQUOT or EFBIG).
        public static let diskFull = Code("diskFull")
        /// The data directory or a file in it may not be written (EACCES, EPERM, EROFS).
        public static let permissionDenied = Code("permissionDenied")
        /// Any other I/O failure reported by the operating system.
        public static let ioFailure = Code("ioFailure")
        /// A compressed batch could not be decompressed or compressed.
        public static let compressionFailure = Code("compressionFailure")
        /// The partition or log was closed.
        public static let closed = Code("closed")
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened and what to do, for a person.
    public var message: String
    /// The file or directory involved, if any.
    public var path: String?
    /// The `errno` of the failed system call, if any.
    public var errno: Int32?

    /// Creates an error.
    public init(code: Code, message: String, path: String? = nil, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.errno = errno
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let path { text += " [\(path)]" }
        if let errno { text += " (errno \(errno): \(String(cString: strerror(errno))))" }
        return text
    }

    /// Maps a failed system call's `errno` to an error that names the call, the path and a fix.
    static func system(_ call: String, path: String, errno code: Int32) -> LogError {
        switch code {
        case ENOSPC, EDQUOT, EFBIG:
            return LogError(
                code: .diskFull, message: "\(call) failed: the disk is full; free space or lower retention",
                path: path, errno: code)
        case EACCES, EPERM, EROFS:
            return LogError(
                code: .permissionDenied,
                message: "\(call) failed: no permission to write; make the data directory writable by the sluice user",
                path: path, errno: code)
        default:
            return LogError(code: .ioFailure, message: "\(call) failed", path: path, errno: code)
        }
    }
}
