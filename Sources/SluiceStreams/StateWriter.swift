/// Encodes operator state for a checkpoint: little-endian fixed-width numbers and
/// length-prefixed bytes, nothing else (no Codable on this path).
struct StateWriter {
    private(set) var bytes: [UInt8] = []

    mutating func integer(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func double(_ value: Double) { integer(Int64(bitPattern: value.bitPattern)) }

    mutating func data(_ value: [UInt8]) {
        integer(Int64(value.count))
        bytes.append(contentsOf: value)
    }
}
