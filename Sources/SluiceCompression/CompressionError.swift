/// A failure to compress or decompress a block, with the library's own reason.
public struct CompressionError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        /// The input is not a valid frame of the codec (corrupt or truncated data).
        public static let corruptInput = Code(name: "corruptInput")
        /// Decompressing would exceed the caller's size limit (a decompression bomb or a misconfigured limit).
        public static let outputTooLarge = Code(name: "outputTooLarge")
        /// The library refused for another reason (see `cause`).
        public static let libraryFailure = Code(name: "libraryFailure")
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// Which codec failed ("zstd", "lz4").
    public var codec: String
    /// What happened and what to do.
    public var message: String
    /// The library's error text, if it gave one.
    public var cause: String?

    public var description: String {
        "\(codec): \(message)" + (cause.map { " (\($0))" } ?? "")
    }
}
