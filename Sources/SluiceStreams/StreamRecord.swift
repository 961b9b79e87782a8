import SluiceLog

/// A record on its way through a job's operators: what will be written to the output topic.
public struct StreamRecord: Sendable, Hashable {
    /// The key (the device id); kept by every operator.
    public var key: [UInt8]?
    /// The value, usually a JSON object.
    public var value: [UInt8]?
    /// Milliseconds since the epoch: the input's timestamp, or a window's start.
    public var timestamp: Int64
    /// Headers carried over from the input (none for window results).
    public var headers: [RecordHeader]

    /// Creates a record.
    public init(key: [UInt8]?, value: [UInt8]?, timestamp: Int64, headers: [RecordHeader] = []) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.headers = headers
    }

    /// The record an input record starts as.
    public init(_ record: Record) {
        self.init(key: record.key, value: record.value, timestamp: record.timestamp, headers: record.headers)
    }
}
