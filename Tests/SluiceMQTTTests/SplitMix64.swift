/// A small deterministic generator, so a fuzz failure reproduces.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Flips, inserts, deletes, truncates or duplicates bytes of `bytes`.
    mutating func mutate(_ bytes: inout [UInt8], alphabet: [UInt8]) {
        let position = bytes.isEmpty ? 0 : Int(next() % UInt64(bytes.count))
        switch next() % 5 {
        case 0 where !bytes.isEmpty: bytes[position] ^= UInt8(1 << (next() % 8))
        case 1: bytes.insert(alphabet[Int(next() % UInt64(alphabet.count))], at: position)
        case 2 where !bytes.isEmpty: bytes.remove(at: position)
        case 3: bytes.removeSubrange(position...)
        default:
            let end = min(bytes.count, position + Int(next() % 8))
            bytes.insert(contentsOf: bytes[position..<end], at: position)
        }
    }
}
