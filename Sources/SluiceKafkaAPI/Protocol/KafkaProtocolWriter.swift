import NIOCore

/// Writes Kafka protocol primitives into a response, in the encoding of the request's version:
/// classic or flexible (KIP-482).
struct KafkaProtocolWriter {
    var buffer: ByteBuffer
    /// Whether the response uses a flexible version.
    let isFlexible: Bool

    init(buffer: ByteBuffer, isFlexible: Bool) {
        self.buffer = buffer
        self.isFlexible = isFlexible
    }

    mutating func int8(_ value: Int8) { buffer.writeInteger(value) }
    mutating func int16(_ value: Int16) { buffer.writeInteger(value) }
    mutating func int32(_ value: Int32) { buffer.writeInteger(value) }
    mutating func int64(_ value: Int64) { buffer.writeInteger(value) }
    mutating func bool(_ value: Bool) { buffer.writeInteger(UInt8(value ? 1 : 0)) }
    mutating func uuid(_ bytes: [UInt8]) { buffer.writeBytes(bytes.count == 16 ? bytes : [UInt8](repeating: 0, count: 16)) }

    mutating func unsignedVarint(_ value: UInt32) {
        var value = value
        while value >= 0x80 {
            buffer.writeInteger(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        buffer.writeInteger(UInt8(value))
    }

    private mutating func length(_ length: Int?, classicWidth16: Bool) {
        if isFlexible {
            unsignedVarint(length.map { UInt32($0 + 1) } ?? 0)
        } else if classicWidth16 {
            int16(length.map { Int16($0) } ?? -1)
        } else {
            int32(length.map { Int32($0) } ?? -1)
        }
    }

    mutating func nullableString(_ value: String?) {
        guard let value else { return length(nil, classicWidth16: true) }
        length(value.utf8.count, classicWidth16: true)
        buffer.writeString(value)
    }

    mutating func string(_ value: String) { nullableString(value) }

    mutating func nullableBytes(_ value: ByteBuffer?) {
        guard var value else { return length(nil, classicWidth16: false) }
        length(value.readableBytes, classicWidth16: false)
        buffer.writeBuffer(&value)
    }

    mutating func bytes(_ value: ByteBuffer) { nullableBytes(value) }

    /// The length prefix of a byte field whose `count` bytes the caller writes next.
    mutating func bytesLength(_ count: Int) { length(count, classicWidth16: false) }

    mutating func arrayCount(_ count: Int?) { length(count, classicWidth16: false) }

    mutating func array<Element>(_ elements: [Element], _ write: (inout KafkaProtocolWriter, Element) -> Void) {
        arrayCount(elements.count)
        for element in elements { write(&self, element) }
    }

    mutating func int32Array(_ values: [Int32]) { array(values) { $0.int32($1) } }

    /// No tagged fields (flexible versions only).
    mutating func taggedFields() {
        if isFlexible { buffer.writeInteger(UInt8(0)) }
    }
}
