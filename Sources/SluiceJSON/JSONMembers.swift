/// Walks the top-level members of a JSON object that `JSONScanner` has already accepted, in
/// document order, without allocating: each member's raw key (between its quotes, escapes as
/// written) and the byte range of the whole member and of its value.
///
/// Only for validated documents: on anything else it stops early rather than read out of bounds.
public struct JSONMembers: Sequence, IteratorProtocol {
    /// One top-level member.
    public struct Member {
        /// The key's bytes between its quotes, as written (escapes not decoded).
        public var keyRange: Range<Int>
        /// The value's bytes.
        public var valueRange: Range<Int>
        /// From the key's opening quote to the value's end.
        public var memberRange: Range<Int> { keyRange.lowerBound - 1..<valueRange.upperBound }
    }

    private let bytes: UnsafeRawBufferPointer
    private var position: Int

    /// Starts before the first member of `document`, a JSON object `JSONScanner` accepted.
    public init(_ document: UnsafeRawBufferPointer) {
        bytes = document
        position = 0
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "{") { position += 1 } else { position = bytes.count }
    }

    public mutating func next() -> Member? {
        skipWhitespace()
        guard position < bytes.count else { return nil }
        if bytes[position] == UInt8(ascii: ",") {
            position += 1
            skipWhitespace()
        }
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
            position = bytes.count
            return nil
        }
        let keyStart = position + 1
        skipString()
        let keyEnd = position - 1
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
            position = bytes.count
            return nil
        }
        position += 1
        skipWhitespace()
        let valueStart = position
        skipValue()
        return Member(keyRange: keyStart..<keyEnd, valueRange: valueStart..<position)
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// From an opening quote to just after the closing one.
    private mutating func skipString() {
        position += 1
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\\") {
                position += 2
            } else {
                position += 1
                if byte == UInt8(ascii: "\"") { return }
            }
        }
        position = Swift.min(position, bytes.count)
    }

    /// One value: a string, a nested object or array (to its matching end), or a scalar.
    private mutating func skipValue() {
        guard position < bytes.count else { return }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    skipString()
                    continue
                }
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
                if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") { depth -= 1 }
                position += 1
                if depth == 0 { return }
            }
        default:
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), 0x20, 0x09, 0x0A, 0x0D: return
                default: position += 1
                }
            }
        }
    }
}
