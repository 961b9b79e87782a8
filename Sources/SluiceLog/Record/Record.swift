/// One record of a partition: key, value, timestamp and headers, as Kafka defines it.
public struct Record: Sendable, Hashable {
    /// The record's offset in its partition; assigned on append, ignored when appending.
    public var offset: Int64
    /// Milliseconds since the Unix epoch (create time or log-append time, see the batch).
    public var timestamp: Int64
    /// The key (a device id for MQTT input), or nil.
    public var key: [UInt8]?
    /// The value (the payload), or nil for a tombstone.
    public var value: [UInt8]?
    /// Headers, in order; keys may repeat.
    public var headers: [RecordHeader]

    /// Creates a record.
    public init(offset: Int64 = 0, timestamp: Int64, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = []) {
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value
        self.headers = headers
    }
}

/// A record header: a string key and an optional byte value.
public struct RecordHeader: Sendable, Hashable {
    /// The header's name.
    public var key: String
    /// The header's value, or nil.
    public var value: [UInt8]?

    /// Creates a header.
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}
