/// A strict RFC 8259 validator that also finds chosen members of the top-level object, in one
/// pass over the bytes and without allocating.
///
/// It accepts a document only if all of it is valid: objects, arrays, strings (escapes, `\u`
/// surrogate pairs, well-formed UTF-8, no raw control characters), numbers per the grammar
/// (`-0` and `1e400` yes, `01`, `.5` and `1.` no), `true`/`false`/`null`, whitespace, nesting at
/// most `maximumDepth` deep and nothing after the value. Stricter than the RFC where it lets
/// implementations choose: a leading byte order mark and lone surrogate escapes (`\uD800`) are
/// rejected, and the top-level value must be an object.
///
/// For each requested key it reports the value's type and byte range (`JSONField`). Keys are
/// compared as bytes after decoding escapes, so `"te\u006dp"` is the key `temp` (escaped keys take
/// a slower path). **Duplicate keys**: a requested key that occurs twice is rejected
/// (`JSONScanError.Code.duplicateKey`), because readers downstream disagree on which copy
/// counts (many keep the last) and a schema checked on one copy must hold for the one they read.
/// Duplicates of keys nobody asked for are not detected (that would need a set per message).
///
/// When a document is both malformed and not valid UTF-8, the error is `invalidUTF8`.
///
/// Thread-safety: an immutable value; `scan` may run on any number of threads at once.
public struct JSONScanner: Sendable {
    /// How deep objects and arrays may nest; the top-level object is depth 1.
    public static let maximumDepth = 64

    /// The requested top-level keys, in the order their results are reported.
    public let keys: [String]
    /// The keys' UTF-8, one after the other.
    private let keyBytes: [UInt8]
    /// Where each key lies in `keyBytes`.
    let keyRanges: [Range<Int>]

    /// Creates a scanner that reports the given top-level keys.
    /// - Parameter keys: The keys to report, without duplicates.
    public init(keys: [String]) {
        precondition(Set(keys).count == keys.count, "JSONScanner keys must be distinct")
        self.keys = keys
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for key in keys {
            let start = bytes.count
            bytes.append(contentsOf: key.utf8)
            ranges.append(start..<bytes.count)
        }
        self.keyBytes = bytes
        self.keyRanges = ranges
    }

    /// Validates `document` and fills `fields[i]` with where the value of `keys[i]` lies, or
    /// `nil` if the top-level object has no such key. Does not allocate on success.
    /// - Parameters:
    ///   - document: The bytes of the JSON text.
    ///   - fields: At least `keys.count` slots (may be uninitialized); the first `keys.count`
    ///     are initialized, also when this throws.
    /// - Throws: `JSONScanError` with the first problem's offset; its code says whether the
    ///   document is not UTF-8, malformed, too deep, has a duplicate requested key, or is valid
    ///   but not an object.
    public func scan(
        _ document: UnsafeRawBufferPointer, into fields: UnsafeMutableBufferPointer<JSONField?>
    ) throws(JSONScanError) {
        precondition(fields.count >= keys.count, "JSONScanner.scan needs a slot per key")
        fields.initialize(repeating: nil)
        let failure = keyBytes.withUnsafeBytes { keyBytes -> JSONScanError? in
            do throws(JSONScanError) {
                try scanDocument(document, keyBytes: keyBytes, into: fields)
                return nil
            } catch {
                return error
            }
        }
        guard let failure else { return }
        if failure.code != .invalidUTF8, let offset = Self.firstInvalidUTF8(in: document) {
            throw JSONCursor(document).invalidUTF8(at: offset)  // not UTF-8 outranks malformed
        }
        throw failure
    }

    /// Validates `document` and returns, for each of `keys`, where its value lies. Allocates
    /// the result: for tests and cold paths.
    /// - Parameter document: The bytes of the JSON text.
    /// - Returns: One element per key, `nil` where the key is absent.
    /// - Throws: `JSONScanError`, as `scan(_:into:)`.
    public func scan(_ document: UnsafeRawBufferPointer) throws(JSONScanError) -> [JSONField?] {
        var result = [JSONField?](repeating: nil, count: keys.count)
        try result.withUnsafeMutableBufferPointer { (fields) throws(JSONScanError) in
            try scan(document, into: fields)
        }
        return result
    }

    /// What the state machine expects next.
    private enum Step { case value, key, afterValue }

    private func scanDocument(
        _ document: UnsafeRawBufferPointer, keyBytes: UnsafeRawBufferPointer,
        into fields: UnsafeMutableBufferPointer<JSONField?>
    ) throws(JSONScanError) {
        var cursor = JSONCursor(document)
        var depth = 0
        var objectBits: UInt64 = 0  // bit d-1 set: the container at depth d is an object
        var topKind = JSONField.Kind.null
        var topStart = -1
        var member = -1  // index of the requested key whose value is being scanned, else -1
        var memberStart = 0  // where that member's key starts (its opening quote)
        var step = Step.value

        scanning: while true {
            switch step {
            case .value:
                cursor.skipWhitespace()
                guard !cursor.isAtEnd else { throw cursor.unexpected() }
                let start = cursor.position
                let containerDepth = depth
                var field = JSONField(kind: .null, range: start..<start)
                switch document[start] {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    let isObject = document[start] == UInt8(ascii: "{")
                    guard depth < Self.maximumDepth else {
                        throw JSONScanError(code: .tooDeep, offset: start, reason: "nesting deeper than \(Self.maximumDepth)")
                    }
                    depth += 1
                    if isObject { objectBits |= 1 << UInt64(depth - 1) } else { objectBits &= ~(1 << UInt64(depth - 1)) }
                    field.kind = isObject ? .object : .array
                    cursor.position += 1
                    cursor.skipWhitespace()
                    if !cursor.isAtEnd, document[cursor.position] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        cursor.position += 1
                        depth -= 1
                        step = .afterValue
                    } else {
                        step = isObject ? .key : .value
                    }
                case UInt8(ascii: "\""):
                    field.kind = .string
                    field.hasEscapes = try cursor.scanString()
                    step = .afterValue
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    field.kind = .number
                    field.isInteger = try cursor.scanNumber()
                    step = .afterValue
                case UInt8(ascii: "t"):
                    field.kind = .boolean
                    try cursor.scanLiteral("true")
                    step = .afterValue
                case UInt8(ascii: "f"):
                    field.kind = .boolean
                    try cursor.scanLiteral("false")
                    step = .afterValue
                case UInt8(ascii: "n"):
                    try cursor.scanLiteral("null")
                    step = .afterValue
                default:
                    throw cursor.unexpected()
                }
                if containerDepth == 0 {
                    topKind = field.kind
                    topStart = start
                } else if containerDepth == 1, member >= 0 {
                    field.memberStart = memberStart
                    fields[member] = field  // its range is completed when the value ends
                }

            case .key:
                cursor.skipWhitespace()
                guard !cursor.isAtEnd, document[cursor.position] == UInt8(ascii: "\"") else { throw cursor.unexpected() }
                let keyStart = cursor.position
                let hasEscapes = try cursor.scanString()
                if depth == 1, !keyRanges.isEmpty {
                    member = matchKey(document[keyStart + 1..<cursor.position - 1], hasEscapes: hasEscapes, keyBytes: keyBytes)
                    memberStart = keyStart
                    if member >= 0, fields[member] != nil {
                        throw JSONScanError(code: .duplicateKey, offset: keyStart, reason: "duplicate key '\(keys[member])'")
                    }
                }
                cursor.skipWhitespace()
                guard !cursor.isAtEnd, document[cursor.position] == UInt8(ascii: ":") else { throw cursor.unexpected() }
                cursor.position += 1
                step = .value

            case .afterValue:
                if depth == 0 { break scanning }
                if depth == 1, member >= 0 {
                    fields[member]!.range = fields[member]!.range.lowerBound..<cursor.position
                    member = -1
                }
                cursor.skipWhitespace()
                guard !cursor.isAtEnd else { throw cursor.unexpected() }
                let isObject = objectBits & (1 << UInt64(depth - 1)) != 0
                switch document[cursor.position] {
                case UInt8(ascii: ","):
                    cursor.position += 1
                    step = isObject ? .key : .value
                case UInt8(ascii: "}") where isObject, UInt8(ascii: "]") where !isObject:
                    cursor.position += 1
                    depth -= 1
                default:
                    throw cursor.unexpected()
                }
            }
        }
        cursor.skipWhitespace()
        guard cursor.isAtEnd else { throw cursor.unexpected() }
        guard topKind == .object else {
            throw JSONScanError(code: .notAnObject, offset: topStart, reason: "expected an object, found \(Self.article(topKind))")
        }
    }
}
