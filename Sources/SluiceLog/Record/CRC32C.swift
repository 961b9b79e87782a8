import CSluiceSupport

/// CRC-32C (Castagnoli), the checksum of a RecordBatch v2; hardware accelerated where the CPU allows.
public enum CRC32C {
    /// The CRC-32C of `bytes`, continuing from `crc` (0 to start).
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        sluice_crc32c(crc, bytes.baseAddress, bytes.count)
    }

    /// The CRC-32C of a byte collection.
    public static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        if let result = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(bytes).withUnsafeBytes { checksum($0) }
    }

    /// Whether this CPU computes it with a CRC instruction.
    public static var isHardwareAccelerated: Bool { sluice_crc32c_has_hardware() }
}
