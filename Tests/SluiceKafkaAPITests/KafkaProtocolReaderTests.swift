import NIOCore
import Testing

@testable import SluiceKafkaAPI

/// The protocol primitives, in both encodings, against the byte layouts of the Kafka protocol guide.
@Suite("Kafka protocol primitives")
struct KafkaReaderTests {
    @Test("unsigned varints round-trip at every length boundary")
    func unsignedVarints() throws {
        for value: UInt32 in [0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456, UInt32.max] {
            var writer = KafkaProtocolWriter(buffer: ByteBuffer(), isFlexible: true)
            writer.unsignedVarint(value)
            var reader = KafkaProtocolReader(writer.buffer, isFlexible: true)
            #expect(try reader.unsignedVarint() == value)
            #expect(reader.remaining == 0)
        }
    }

    @Test("a compact string is its length plus one as a varint, then UTF-8; null is 0")
    func compactStrings() throws {
        var writer = KafkaProtocolWriter(buffer: ByteBuffer(), isFlexible: true)
        writer.string("abc")
        writer.nullableString(nil)
        #expect(Array(writer.buffer.readableBytesView) == [4, 0x61, 0x62, 0x63, 0])
        var reader = KafkaProtocolReader(writer.buffer, isFlexible: true)
        #expect(try reader.string() == "abc")
        #expect(try reader.nullableString() == nil)
    }

    @Test("a classic string has an int16 length; null is -1")
    func classicStrings() throws {
        var writer = KafkaProtocolWriter(buffer: ByteBuffer(), isFlexible: false)
        writer.string("ab")
        writer.nullableString(nil)
        #expect(Array(writer.buffer.readableBytesView) == [0, 2, 0x61, 0x62, 0xFF, 0xFF])
    }

    @Test("an array count larger than the bytes left is refused before anything is allocated")
    func hostileArrayCount() {
        var buffer = ByteBuffer()
        buffer.writeInteger(Int32.max)
        var reader = KafkaProtocolReader(buffer, isFlexible: false)
        #expect(throws: KafkaProtocolError.self) {
            _ = try reader.array { (reader: inout KafkaProtocolReader) throws(KafkaProtocolError) -> Int32 in try reader.int32() }
        }
    }

    @Test("tagged fields are skipped whole")
    func taggedFields() throws {
        var buffer = ByteBuffer(bytes: [2, 0, 1, 0xAA, 5, 2, 0xBB, 0xCC, 0x07])
        var reader = KafkaProtocolReader(buffer, isFlexible: true)
        try reader.skipTaggedFields()
        #expect(try reader.int8() == 7)
        buffer = ByteBuffer(bytes: [1, 0, 9, 0xAA])
        reader = KafkaProtocolReader(buffer, isFlexible: true)
        #expect(throws: KafkaProtocolError.self) { try reader.skipTaggedFields() }
    }
}
