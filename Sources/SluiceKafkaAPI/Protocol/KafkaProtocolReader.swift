import NIOCore

/// Reads Kafka protocol primitives from a request body, in the encoding of the request's version:
/// classic (int16/int32 lengths) or flexible (KIP-482: unsigned-varint lengths plus one, tagged
/// fields).
///
/// Every length is checked against the bytes left before anything is allocated, so a hostile
/// length cannot make the listener reserve memory the frame does not hold.
struct KafkaProtocolReader {
    private(set) var buffer: ByteBuffer
    /// Whether the request uses a flexible version.
    let isFlexible: Bool

    init(_ buffer: ByteBuffer, isFlexible: Bool) {
        self.buffer = buffer
        self.isFlexible = isFlexible
    }

    /// Bytes not yet read.
    var remaining: Int { buffer.readableBytes }

    mutating func int8() throws(KafkaProtocolError) -> Int8 {
        guard let value = buffer.readInteger(as: Int8.self) else { throw .truncated("an int8") }
        return value
    }

    mutating func int16() throws(KafkaProtocolError) -> Int16 {
        guard let value = buffer.readInteger(as: Int16.self) else { throw .truncated("an int16") }
        return value
    }

    mutating func int32() throws(KafkaProtocolError) -> Int32 {
        guard let value = buffer.readInteger(as: Int32.self) else { throw .truncated("an int32") }
        return value
    }

    mutating func int64() throws(KafkaProtocolError) -> Int64 {
        guard let value = buffer.readInteger(as: Int64.self) else { throw .truncated("an int64") }
        return value
    }

    mutating func bool() throws(KafkaProtocolError) -> Bool { try int8() != 0 }

    /// A 16-byte UUID (topic ids), kept as bytes.
    mutating func uuid() throws(KafkaProtocolError) -> [UInt8] {
        guard let bytes = buffer.readBytes(length: 16) else { throw .truncated("a uuid") }
        return bytes
    }

    /// An unsigned varint of at most 32 bits (lengths, counts, tags).
    mutating func unsignedVarint() throws(KafkaProtocolError) -> UInt32 {
        var value: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            guard let byte = buffer.readInteger(as: UInt8.self) else { throw .truncated("a varint") }
            guard shift < 32, !(shift == 28 && byte > 0x0F) else { throw KafkaProtocolError("a varint is longer than 32 bits") }
            value |= UInt32(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// A length that may be null (-1 classic, 0 compact), checked against the bytes left.
    private mutating func length(_ what: String, classicWidth16: Bool) throws(KafkaProtocolError) -> Int? {
        let length: Int
        if isFlexible {
            let raw = try unsignedVarint()
            if raw == 0 { return nil }
            length = Int(raw) - 1
        } else {
            length = classicWidth16 ? Int(try int16()) : Int(try int32())
            if length < 0 {
                guard length == -1 else { throw KafkaProtocolError("\(what) has the negative length \(length)") }
                return nil
            }
        }
        guard length <= buffer.readableBytes else { throw .truncated(what) }
        return length
    }

    mutating func nullableString() throws(KafkaProtocolError) -> String? {
        guard let length = try length("a string", classicWidth16: true) else { return nil }
        return buffer.readString(length: length)
    }

    mutating func string() throws(KafkaProtocolError) -> String {
        guard let value = try nullableString() else { throw KafkaProtocolError("a string that may not be null is null") }
        return value
    }

    mutating func nullableBytes() throws(KafkaProtocolError) -> ByteBuffer? {
        guard let length = try length("a byte field", classicWidth16: false) else { return nil }
        return buffer.readSlice(length: length)
    }

    mutating func bytes() throws(KafkaProtocolError) -> ByteBuffer {
        try nullableBytes() ?? ByteBuffer()
    }

    /// The element count of an array, or nil for a null array. Each element takes at least one
    /// byte, so a count above the bytes left is refused before anything is allocated.
    mutating func nullableArrayCount() throws(KafkaProtocolError) -> Int? {
        try length("an array", classicWidth16: false)
    }

    mutating func nullableArray<Element>(
        _ element: (inout KafkaProtocolReader) throws(KafkaProtocolError) -> Element
    ) throws(KafkaProtocolError) -> [Element]? {
        guard let count = try nullableArrayCount() else { return nil }
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try element(&self)) }
        return elements
    }

    mutating func array<Element>(
        _ element: (inout KafkaProtocolReader) throws(KafkaProtocolError) -> Element
    ) throws(KafkaProtocolError) -> [Element] {
        try nullableArray(element) ?? []
    }

    /// Skips the tagged fields of a structure (flexible versions only); Sluice reads none of them.
    mutating func skipTaggedFields() throws(KafkaProtocolError) {
        guard isFlexible else { return }
        let count = try unsignedVarint()
        guard count <= buffer.readableBytes else { throw .truncated("tagged fields") }
        for _ in 0..<count {
            _ = try unsignedVarint()
            let size = Int(try unsignedVarint())
            guard buffer.readSlice(length: size) != nil else { throw .truncated("a tagged field") }
        }
    }
}
