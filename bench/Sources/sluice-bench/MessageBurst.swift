import SluiceLog

/// One burst's messages to one partition as MQTT ingest receives them: key, topic and payload bytes
/// back to back in one buffer, so appending borrows them and allocates nothing per record (the
/// bench's own overhead stays out of the store's time).
struct MessageBurst {
    /// One message: its timestamp and where its bytes are in `bytes`.
    struct Message {
        var timestamp: Int64
        var key: Range<Int>
        var topic: Range<Int>
        var payload: Range<Int>
    }

    /// Header names and the QoS value every record carries, at the start of `bytes`.
    static let topicHeader = 0..<10, qosHeader = 10..<18, qosValue = 18..<19
    let partition: Int
    private(set) var bytes = Array("mqtt.topicmqtt.qos1".utf8)
    private(set) var messages: [Message] = []

    /// The records' keys, `mqtt.topic` header values and values.
    init(_ records: [Record], partition: Int) {
        self.partition = partition
        messages.reserveCapacity(records.count)
        for record in records {
            messages.append(
                Message(timestamp: record.timestamp, key: add(record.key!), topic: add(record.headers[0].value!), payload: add(record.value!)))
        }
    }

    private mutating func add(_ field: [UInt8]) -> Range<Int> {
        bytes.append(contentsOf: field)
        return (bytes.count - field.count)..<bytes.count
    }
}
