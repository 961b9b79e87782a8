/// Where a requested top-level member's value lies in a scanned JSON document, and its type.
///
/// The ranges are byte offsets into the document that was scanned, so a caller can read a
/// number or a string in place without allocating.
public struct JSONField: Sendable, Hashable {
    /// The JSON type of a value.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `{…}`.
        case object
        /// `[…]`.
        case array
        /// `"…"`.
        case string
        /// A number (see `JSONField.isInteger`).
        case number
        /// `true` or `false`.
        case boolean
        /// `null`.
        case null
    }

    /// The value's JSON type.
    public var kind: Kind
    /// The value's bytes in the document; for a string, quotes included.
    public var range: Range<Int>
    /// For a number: whether it has neither fraction nor exponent (`-12`, not `1.0` or `1e2`).
    public var isInteger: Bool
    /// For a string: whether it contains backslash escapes (then `contentRange` is not the text).
    public var hasEscapes: Bool
    /// Where the member's key starts (its opening quote), so a member can be cut out or copied
    /// whole (`"key": value` is `memberStart..<range.upperBound`). 0 when not scanned from a document.
    public var memberStart: Int = 0

    /// Creates a field description.
    /// - Parameters:
    ///   - kind: The value's JSON type.
    ///   - range: The value's bytes in the document, quotes included for strings.
    ///   - isInteger: For numbers, whether the number has no fraction or exponent.
    ///   - hasEscapes: For strings, whether the string contains escapes.
    public init(kind: Kind, range: Range<Int>, isInteger: Bool = false, hasEscapes: Bool = false) {
        self.kind = kind
        self.range = range
        self.isInteger = isInteger
        self.hasEscapes = hasEscapes
    }

    /// The value's bytes without the quotes of a string (for other kinds, `range`).
    public var contentRange: Range<Int> {
        kind == .string ? range.lowerBound + 1..<range.upperBound - 1 : range
    }

    /// The text of a string value, escapes decoded; `nil` for other kinds. Allocates: meant for
    /// tests and cold paths (the hot path reads `contentRange` in place).
    /// - Parameter document: The document this field was scanned from.
    public func decodedString(in document: UnsafeRawBufferPointer) -> String? {
        guard kind == .string else { return nil }
        let content = UnsafeRawBufferPointer(rebasing: document[contentRange])
        guard hasEscapes else { return String(decoding: content, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: content.count, initializingUTF8With: { buffer in
            JSONScanner.unescape(content, into: UnsafeMutableRawBufferPointer(buffer))
        })
    }
}
