import Testing

@testable import SluiceCompression

@Suite("LZ4 frames")
struct LZ4FrameTests {
    let telemetry = Array(
        String(repeating: #"{"device":"dev-0042","temp":21.37,"hum":48.2,"battery":3.71}"#, count: 3000).utf8)

    @Test("compress then decompress gives the input back, in Kafka's frame layout")
    func roundTrip() throws {
        var compressed: [UInt8] = []
        try telemetry.withUnsafeBytes { try LZ4Frame.compress($0, appendingTo: &compressed) }
        #expect(compressed.count < telemetry.count / 3)
        #expect(Array(compressed.prefix(4)) == [0x04, 0x22, 0x4D, 0x18])  // LZ4 frame magic, little-endian
        // FLG: version 01, block independence set, no block/content checksum, no content size.
        #expect(compressed[4] == 0b0110_0000)
        #expect(compressed[5] >> 4 == 4)  // BD: 64 KiB blocks
        var plain: [UInt8] = []
        try compressed.withUnsafeBytes { try LZ4Frame.decompress($0, appendingTo: &plain, maxBytes: 1 << 20) }
        #expect(plain == telemetry)
    }

    @Test("truncated frames and limits are refused")
    func refusals() throws {
        var compressed: [UInt8] = []
        try telemetry.withUnsafeBytes { try LZ4Frame.compress($0, appendingTo: &compressed) }
        var plain: [UInt8] = []
        let truncated = Array(compressed.prefix(compressed.count - 3))
        #expect(throws: CompressionError.self) {
            try truncated.withUnsafeBytes { try LZ4Frame.decompress($0, appendingTo: &plain, maxBytes: 1 << 20) }
        }
        #expect(plain.isEmpty)
        let error = #expect(throws: CompressionError.self) {
            try compressed.withUnsafeBytes { try LZ4Frame.decompress($0, appendingTo: &plain, maxBytes: 1000) }
        }
        #expect(error?.code == .outputTooLarge)
    }
}
