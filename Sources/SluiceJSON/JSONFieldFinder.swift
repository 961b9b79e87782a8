/// Finds chosen top-level members of a JSON object in one structural pass, without validating
/// the document: the fast reader for values that were already validated when they were stored
/// (MQTT ingest checks every JSON payload against its profile), used by stream operators on
/// every record. `JSONScanner` is the validator.
///
/// It never reads out of bounds. On malformed input it reports what it found before the
/// structure broke; a value that does not start with `{` has no members. Numbers it reports are
/// still parsed strictly by `JSONNumber.parse`. The first occurrence of a repeated key wins.
///
/// Thread-safety: an immutable value; `find` may run on any number of threads at once.
public struct JSONFieldFinder: Sendable {
    /// The requested keys, in the order their results are reported.
    public let keys: [String]
    private let keyBytes: [[UInt8]]

    /// Creates a finder for the given top-level keys (compared as written, escapes not decoded).
    public init(keys: [String]) {
        self.keys = keys
        keyBytes = keys.map { Array($0.utf8) }
    }

    /// Fills `fields[i]` with where the value of `keys[i]` lies, or nil. Does not allocate.
    /// - Returns: false if the document is not an object (every field is then nil).
    @discardableResult
    public func find(_ document: UnsafeRawBufferPointer, into fields: UnsafeMutableBufferPointer<JSONField?>) -> Bool {
        precondition(fields.count >= keyBytes.count, "JSONFieldFinder.find needs a slot per key")
        fields.initialize(repeating: nil)
        let count = document.count
        var position = 0
        @inline(__always) func skipWhitespace() {
            while position < count {
                let byte = document[position]
                guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
                position += 1
            }
        }
        /// From an opening quote to after the closing one; returns whether it had escapes.
        @inline(__always) func skipString() -> Bool {
            var hasEscapes = false
            position += 1
            while position < count {
                let byte = document[position]
                if byte == UInt8(ascii: "\"") {
                    position += 1
                    return hasEscapes
                }
                if byte == UInt8(ascii: "\\") {
                    hasEscapes = true
                    position += 2
                } else {
                    position += 1
                }
            }
            position = count
            return hasEscapes
        }
        skipWhitespace()
        guard position < count, document[position] == UInt8(ascii: "{") else { return false }
        position += 1
        var remaining = keyBytes.count
        while position < count && remaining > 0 {
            skipWhitespace()
            guard position < count else { break }
            if document[position] == UInt8(ascii: ",") {
                position += 1
                skipWhitespace()
            }
            guard position < count, document[position] == UInt8(ascii: "\"") else { break }
            let keyStart = position
            _ = skipString()
            let key = keyStart + 1..<max(keyStart + 1, position - 1)
            skipWhitespace()
            guard position < count, document[position] == UInt8(ascii: ":") else { break }
            position += 1
            skipWhitespace()
            guard position < count else { break }
            let valueStart = position
            var field = JSONField(kind: .null, range: valueStart..<valueStart)
            field.memberStart = keyStart
            switch document[position] {
            case UInt8(ascii: "\""):
                field.kind = .string
                field.hasEscapes = skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                field.kind = document[position] == UInt8(ascii: "{") ? .object : .array
                var depth = 0
                while position < count {
                    let byte = document[position]
                    if byte == UInt8(ascii: "\"") {
                        _ = skipString()
                        continue
                    }
                    if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
                    if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") { depth -= 1 }
                    position += 1
                    if depth == 0 { break }
                }
            default:
                let first = document[position]
                field.kind =
                    first == UInt8(ascii: "t") || first == UInt8(ascii: "f") ? .boolean : (first == UInt8(ascii: "n") ? .null : .number)
                while position < count {
                    let byte = document[position]
                    if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { break }
                    position += 1
                }
            }
            field.range = valueStart..<position
            // Match the key against the requested ones (short keys: compare lengths first).
            let keyLength = key.count
            for index in 0..<keyBytes.count where fields[index] == nil && keyBytes[index].count == keyLength {
                let isMatch = keyLength == 0 || keyBytes[index].withUnsafeBytes { wanted in
                    memcmpEqual(wanted.baseAddress!, document.baseAddress! + key.lowerBound, keyLength)
                }
                if isMatch {
                    fields[index] = field
                    remaining -= 1
                    break
                }
            }
        }
        return true
    }
}

/// Whether `count` bytes at `a` and `b` are equal (keys are short: a plain loop).
@inline(__always)
private func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    var index = 0
    while index < count {
        if a.load(fromByteOffset: index, as: UInt8.self) != b.load(fromByteOffset: index, as: UInt8.self) { return false }
        index += 1
    }
    return true
}
