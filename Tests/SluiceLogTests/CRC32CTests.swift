import CSluiceSupport
import Testing

@testable import SluiceLog

@Suite("CRC-32C")
struct CRC32CTests {
    @Test("check value of \"123456789\" is 0xE3069283", arguments: [false, true])
    func checkValue(portable: Bool) {
        let bytes = Array("123456789".utf8)
        let crc = portable ? bytes.withUnsafeBytes { sluice_crc32c_portable(0, $0.baseAddress, $0.count) } : CRC32C.checksum(bytes)
        #expect(crc == 0xE306_9283)
    }

    @Test("RFC 3720 (iSCSI) test vectors")
    func rfc3720Vectors() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
    }

    @Test("hardware and table implementations agree on every length and alignment")
    func implementationsAgree() {
        var generator = SystemRandomNumberGenerator()
        let data = (0..<4099).map { _ in UInt8.random(in: 0...255, using: &generator) }
        data.withUnsafeBytes { raw in
            for start in 0..<9 {
                for length in [0, 1, 7, 8, 9, 63, 64, 65, 1000, 4090 - start] {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[start..<start + length])
                    #expect(sluice_crc32c(0, slice.baseAddress, length) == sluice_crc32c_portable(0, slice.baseAddress, length))
                }
            }
        }
    }

    @Test("a CRC can be continued across pieces")
    func continued() {
        let bytes = Array("123456789".utf8)
        let first = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[..<4])) }
        let whole = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[4...]), continuing: first) }
        #expect(whole == 0xE306_9283)
    }
}
