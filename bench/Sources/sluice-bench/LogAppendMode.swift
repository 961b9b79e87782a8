import SluiceLog

/// What one `sluice-bench --mode` run measures: appends through the log store, or the same bytes
/// written with plain `write` + `fdatasync` (the disk's and kernel's limit for that fsync pattern).
enum LogAppendMode: String, CaseIterable {
    /// The ingest path: `RecordBatchBuilder` then `Partition.append(builtBatch:)` (see `IngestAppender`).
    case storeInterval = "store-interval"
    case storeAlways = "store-always"
    case storeZstdInterval = "store-zstd-interval"
    /// `Partition.append([Record])`, the convenience API (the `sluice demo` path).
    case storeRecordsInterval = "store-records-interval"
    /// The store given the batches already encoded, appended as ingest appends its batches
    /// (`append(builtBatch:)`, patched in place): store-interval minus building the batch, to
    /// show where the time goes.
    case storeBatchInterval = "store-batch-interval"
    case rawInterval = "raw-interval"
    case rawAlways = "raw-always"

    /// The group-commit interval of the interval modes, store and raw alike.
    static let flushInterval = Duration.milliseconds(250)

    /// The raw mode whose records/s this mode is compared with; nil for raw modes.
    var limit: LogAppendMode? {
        switch self {
        case .storeInterval, .storeZstdInterval, .storeRecordsInterval, .storeBatchInterval: .rawInterval
        case .storeAlways: .rawAlways
        case .rawInterval, .rawAlways: nil
        }
    }

    var isRaw: Bool { limit == nil }

    /// fsync after every batch (else every `flushInterval`).
    var isSyncEveryBatch: Bool { self == .storeAlways || self == .rawAlways }

    /// The topic settings of a store mode.
    func topicConfiguration(partitionCount: Int) -> TopicConfiguration {
        var configuration = TopicConfiguration(partitionCount: partitionCount)
        configuration.compression = self == .storeZstdInterval ? .zstd : .none
        configuration.fsync = isSyncEveryBatch ? .always : .interval(Self.flushInterval)
        return configuration
    }
}
