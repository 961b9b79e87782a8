/// Writes a JSON object member by member into a byte buffer: keys and strings escaped, numbers
/// in Swift's shortest round-trip form (which JSON readers parse back to the same `Double`).
struct JSONObjectWriter {
    /// The bytes so far.
    private(set) var bytes: [UInt8]
    private var isEmpty = true

    /// Starts an object, reserving `capacity` bytes.
    init(capacity: Int = 128) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// Ends the object and returns its bytes.
    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// Adds `"key":` (the key escaped).
    mutating func key(_ key: some Collection<UInt8>) {
        if !isEmpty { bytes.append(UInt8(ascii: ",")) }
        isEmpty = false
        string(key)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Adds a member whose key is already JSON-escaped (copied from a document) and whose value is raw JSON.
    mutating func rawMember(escapedKey: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        if !isEmpty { bytes.append(UInt8(ascii: ",")) }
        isEmpty = false
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: escapedKey)
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        bytes.append(contentsOf: value)
    }

    /// Adds raw JSON as the value of the last key.
    mutating func raw(_ value: UnsafeRawBufferPointer) { bytes.append(contentsOf: value) }

    /// Adds a string value, escaped.
    mutating func string(_ text: some Collection<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Adds a number value; `null` if it is not finite (JSON has no infinity).
    mutating func number(_ value: Double) {
        if value.isFinite { bytes.append(contentsOf: value.description.utf8) } else { null() }
    }

    /// Adds an integer value.
    mutating func integer(_ value: Int64) { bytes.append(contentsOf: String(value).utf8) }

    /// Adds `null`.
    mutating func null() { bytes.append(contentsOf: "null".utf8) }
}
