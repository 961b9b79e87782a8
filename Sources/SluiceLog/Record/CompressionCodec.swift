/// The batch-level compression of a RecordBatch, as attribute bits 0–2 encode it.
public enum CompressionCodec: Int16, Sendable, CaseIterable, CustomStringConvertible {
    /// Records stored as they are.
    case none = 0
    /// gzip: read only (produced by some clients); Sluice does not write it.
    case gzip = 1
    /// snappy: read only in name; Sluice cannot decode it.
    case snappy = 2
    /// LZ4 frames, independent 64 KiB blocks.
    case lz4 = 3
    /// Zstandard frames: the best ratio for JSON telemetry.
    case zstd = 4

    public var description: String {
        switch self {
        case .none: "none"
        case .gzip: "gzip"
        case .snappy: "snappy"
        case .lz4: "lz4"
        case .zstd: "zstd"
        }
    }

    /// Whether Sluice can write batches with this codec.
    public var isWritable: Bool { self == .none || self == .lz4 || self == .zstd }

    /// Parses a codec name as written in configuration ("none", "lz4", "zstd").
    public init?(name: String) {
        guard let codec = Self.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = codec
    }
}
