/// Decodes what `StateWriter` wrote; every read checks the remaining length.
struct StateReader {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Whether everything was read.
    var isAtEnd: Bool { position == bytes.count }

    mutating func integer() throws(StreamError) -> Int64 {
        guard position + 8 <= bytes.count else { throw StreamError.truncatedState }
        var value: Int64 = 0
        for index in 0..<8 { value |= Int64(bytes[position + index]) << (8 * Int64(index)) }
        position += 8
        return value
    }

    mutating func double() throws(StreamError) -> Double { Double(bitPattern: UInt64(bitPattern: try integer())) }

    mutating func count(limit: Int) throws(StreamError) -> Int {
        let value = try integer()
        guard value >= 0, value <= Int64(limit) else { throw StreamError.truncatedState }
        return Int(value)
    }

    mutating func data() throws(StreamError) -> [UInt8] {
        let count = try count(limit: bytes.count - position)
        defer { position += count }
        return Array(bytes[position..<position + count])
    }
}
