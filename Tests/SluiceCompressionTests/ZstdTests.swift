import Testing

@testable import SluiceCompression

@Suite("Zstd frames")
struct ZstdTests {
    let telemetry = Array(
        String(repeating: #"{"device":"dev-0042","temp":21.37,"hum":48.2,"battery":3.71}"#, count: 200).utf8)

    @Test("compress then decompress gives the input back, smaller")
    func roundTrip() throws {
        var compressed: [UInt8] = []
        try telemetry.withUnsafeBytes { try Zstd.compress($0, appendingTo: &compressed) }
        #expect(compressed.count < telemetry.count / 5)
        #expect(Array(compressed.prefix(4)) == [0x28, 0xB5, 0x2F, 0xFD])  // zstd frame magic
        var plain: [UInt8] = [9]  // appends after existing bytes
        try compressed.withUnsafeBytes { try Zstd.decompress($0, appendingTo: &plain, maxBytes: 1 << 20) }
        #expect(plain == [9] + telemetry)
    }

    @Test("an empty input round-trips")
    func empty() throws {
        var compressed: [UInt8] = []
        try [UInt8]().withUnsafeBytes { try Zstd.compress($0, appendingTo: &compressed) }
        var plain: [UInt8] = []
        try compressed.withUnsafeBytes { try Zstd.decompress($0, appendingTo: &plain, maxBytes: 10) }
        #expect(plain.isEmpty)
    }

    @Test("corrupt and truncated frames are refused, leaving the output as it was")
    func corrupt() throws {
        var compressed: [UInt8] = []
        try telemetry.withUnsafeBytes { try Zstd.compress($0, appendingTo: &compressed) }
        var plain: [UInt8] = [1, 2]
        let truncated = Array(compressed.prefix(compressed.count / 2))
        #expect(throws: CompressionError.self) {
            try truncated.withUnsafeBytes { try Zstd.decompress($0, appendingTo: &plain, maxBytes: 1 << 20) }
        }
        #expect(plain == [1, 2])
        var garbage = compressed
        garbage[0] ^= 0xFF
        #expect(throws: CompressionError.self) {
            try garbage.withUnsafeBytes { try Zstd.decompress($0, appendingTo: &plain, maxBytes: 1 << 20) }
        }
    }

    @Test("output beyond the limit is refused (decompression bomb)")
    func bomb() throws {
        let zeros = [UInt8](repeating: 0, count: 4 << 20)
        var compressed: [UInt8] = []
        try zeros.withUnsafeBytes { try Zstd.compress($0, appendingTo: &compressed) }
        var plain: [UInt8] = []
        let error = #expect(throws: CompressionError.self) {
            try compressed.withUnsafeBytes { try Zstd.decompress($0, appendingTo: &plain, maxBytes: 1 << 20) }
        }
        #expect(error?.code == .outputTooLarge)
        #expect(plain.isEmpty)
    }
}
