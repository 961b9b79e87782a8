/// Big-endian integers and Kafka's zigzag varints, appended to a byte array.
extension Array where Element == UInt8 {
    @inlinable mutating func appendBigEndian(_ value: Int64) { appendBigEndian(UInt64(bitPattern: value)) }
    @inlinable mutating func appendBigEndian(_ value: Int32) { appendBigEndian(UInt32(bitPattern: value)) }
    @inlinable mutating func appendBigEndian(_ value: Int16) { appendBigEndian(UInt16(bitPattern: value)) }

    @inlinable mutating func appendBigEndian<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        var big = value.bigEndian
        Swift.withUnsafeBytes(of: &big) { append(contentsOf: $0) }
    }

    /// Appends a signed varint, zigzag encoded (Kafka `varint` / `varlong`).
    @inlinable mutating func appendVarint(_ value: Int64) {
        var zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        while zigzag >= 0x80 {
            append(UInt8(truncatingIfNeeded: zigzag) | 0x80)
            zigzag >>= 7
        }
        append(UInt8(zigzag))
    }

    /// Overwrites a big-endian integer at `index`.
    @inlinable mutating func storeBigEndian<T: FixedWidthInteger>(_ value: T, at index: Int) {
        var big = value.bigEndian
        Swift.withUnsafeBytes(of: &big) { raw in
            for offset in 0..<raw.count { self[index + offset] = raw[offset] }
        }
    }
}

/// The number of bytes `appendVarint` writes for `value`.
@inlinable func varintSize(_ value: Int64) -> Int {
    var zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
    var size = 1
    while zigzag >= 0x80 {
        size += 1
        zigzag >>= 7
    }
    return size
}

/// Reads big-endian integers and zigzag varints from raw bytes, checking every bound.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    mutating func readBigEndian<T: FixedWidthInteger>(_: T.Type = T.self) -> T? {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { return nil }
        var value: T = 0
        Swift.withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[position..<position + size])) }
        position += size
        return T(bigEndian: value)
    }

    /// Reads a zigzag varint of at most 10 bytes.
    mutating func readVarint() -> Int64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                return Int64(bitPattern: result >> 1) ^ -Int64(bitPattern: result & 1)
            }
            shift += 7
            if shift >= 70 { return nil }
        }
        return nil
    }

    /// Reads `count` bytes, or nil if fewer remain or `count` is negative.
    mutating func readBytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, remaining >= count else { return nil }
        let result = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[position..<position + count]))
        position += count
        return result
    }

    /// Reads a varint length followed by that many bytes; length -1 is nil.
    mutating func readNullableBytes() -> [UInt8]?? {
        guard let length = readVarint() else { return nil }
        if length == -1 { return .some(nil) }
        guard length >= 0, length <= Int64(remaining), let value = readBytes(Int(length)) else { return nil }
        return .some(value)
    }
}
