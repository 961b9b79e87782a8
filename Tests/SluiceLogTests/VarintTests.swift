import Testing

@testable import SluiceLog

/// Vectors from Kafka's `ByteUtilsTest` (zigzag varint and varlong).
@Suite("Zigzag varints")
struct VarintTests {
    static let vectors: [(Int64, [UInt8])] = [
        (0, [0x00]), (-1, [0x01]), (1, [0x02]), (63, [0x7E]), (-64, [0x7F]), (64, [0x80, 0x01]),
        (-65, [0x81, 0x01]), (8191, [0xFE, 0x7F]), (-8192, [0xFF, 0x7F]), (8192, [0x80, 0x80, 0x01]),
        (-8193, [0x81, 0x80, 0x01]), (1_048_575, [0xFE, 0xFF, 0x7F]), (-1_048_576, [0xFF, 0xFF, 0x7F]),
        (1_048_576, [0x80, 0x80, 0x80, 0x01]), (Int64(Int32.max), [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]),
        (Int64(Int32.min), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        (Int64.max, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        (Int64.min, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ]

    @Test("encodes, sizes and decodes Kafka's vectors")
    func vectors() {
        for (value, expected) in Self.vectors {
            var bytes: [UInt8] = []
            bytes.appendVarint(value)
            #expect(bytes == expected, "encoding \(value)")
            #expect(varintSize(value) == expected.count)
            let decoded = expected.withUnsafeBytes { raw -> Int64? in
                var reader = ByteReader(raw)
                return reader.readVarint()
            }
            #expect(decoded == value)
        }
    }

    @Test("a truncated or overlong varint does not decode")
    func malformed() {
        for bytes: [UInt8] in [[0x80], [0xFF, 0xFF], [UInt8](repeating: 0xFF, count: 11)] {
            let decoded = bytes.withUnsafeBytes { raw -> Int64? in
                var reader = ByteReader(raw)
                return reader.readVarint()
            }
            #expect(decoded == nil)
        }
    }
}
