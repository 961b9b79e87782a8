/// The lexer under `JSONScanner`: a position in a document and the scanning of one token at a
/// time (strings with their escapes and UTF-8, numbers, literals, whitespace).
///
/// Reads go through `UnsafeRawBufferPointer`'s subscript, bounds-checked in debug builds, and
/// every read is preceded by an explicit end check.
package struct JSONCursor {
    /// The document.
    let bytes: UnsafeRawBufferPointer
    /// The next byte to read.
    var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Whether the whole document has been read.
    var isAtEnd: Bool { position >= bytes.count }

    /// Skips JSON whitespace: space, tab, line feed, carriage return.
    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// Scans a string whose opening quote is at `position`; leaves `position` after the closing
    /// quote.
    /// - Returns: Whether the string contains escapes.
    /// - Throws: On an unterminated string, a control character, a bad escape or bad UTF-8.
    mutating func scanString() throws(JSONScanError) -> Bool {
        let count = bytes.count
        var hasEscapes = false
        position += 1
        while true {
            // Eight plain ASCII bytes at a time: no quote, backslash, control or non-ASCII byte.
            while position + 8 <= count {
                let word = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
                if Self.needsAttention(word) { break }
                position += 8
            }
            guard position < count else { throw unexpected() }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return hasEscapes
            case UInt8(ascii: "\\"):
                hasEscapes = true
                try scanEscape()
            case 0x00..<0x20:
                throw JSONScanError(code: .syntax, offset: position, reason: "control character \(Self.hex(byte)) in string")
            case 0x20..<0x80:
                position += 1
            default:
                let length = JSONScanner.utf8SequenceLength(bytes, at: position)
                guard length > 0 else { throw invalidUTF8(at: position) }
                position += length
            }
        }
    }

    /// Scans the escape whose backslash is at `position`, a surrogate pair as one.
    private mutating func scanEscape() throws(JSONScanError) {
        let start = position
        guard position + 1 < bytes.count else { position += 1; throw unexpected() }
        switch bytes[position + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 2
        case UInt8(ascii: "u"):
            let unit = try hexEscape(at: start)
            position = start + 6
            if (0xDC00...0xDFFF).contains(unit) {
                throw JSONScanError(code: .syntax, offset: start, reason: "lone low surrogate \\u\(Self.hex4(unit))")
            }
            if (0xD800...0xDBFF).contains(unit) {
                let hasLow =
                    position + 1 < bytes.count && bytes[position] == UInt8(ascii: "\\")
                    && bytes[position + 1] == UInt8(ascii: "u")
                guard hasLow, (0xDC00...0xDFFF).contains(try hexEscape(at: position)) else {
                    throw JSONScanError(code: .syntax, offset: start, reason: "lone high surrogate \\u\(Self.hex4(unit))")
                }
                position += 6
            }
        default:
            throw JSONScanError(code: .syntax, offset: start, reason: "invalid escape \\\(Self.show(bytes[start + 1]))")
        }
    }

    /// The code unit of the `\uXXXX` escape at `offset`.
    private func hexEscape(at offset: Int) throws(JSONScanError) -> UInt16 {
        var unit: UInt16 = 0
        for index in offset + 2..<offset + 6 {
            guard index < bytes.count else { throw JSONScanError(code: .syntax, offset: index, reason: "unexpected end of input") }
            guard let digit = JSONScanner.hexValue(bytes[index]) else {
                throw JSONScanError(code: .syntax, offset: offset, reason: "invalid \\u escape")
            }
            unit = unit << 4 | UInt16(digit)
        }
        return unit
    }

    /// Scans a number at `position` per RFC 8259 §6; leaves `position` after it.
    /// - Returns: Whether the number has neither fraction nor exponent.
    mutating func scanNumber() throws(JSONScanError) -> Bool {
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count else { throw unexpected() }
        switch bytes[position] {
        case UInt8(ascii: "0"):
            position += 1
            if position < bytes.count, Self.isDigit(bytes[position]) {
                throw JSONScanError(code: .syntax, offset: position - 1, reason: "leading zero in number")
            }
        case UInt8(ascii: "1")...UInt8(ascii: "9"):
            skipDigits()
        default:
            throw unexpected()
        }
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            try requireDigits()
            isInteger = false
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            try requireDigits()
            isInteger = false
        }
        return isInteger
    }

    private mutating func requireDigits() throws(JSONScanError) {
        guard position < bytes.count, Self.isDigit(bytes[position]) else { throw unexpected() }
        skipDigits()
    }

    private mutating func skipDigits() {
        while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
    }

    /// Scans `true`, `false` or `null` (the one whose first letter is at `position`).
    mutating func scanLiteral(_ literal: StaticString) throws(JSONScanError) {
        let start = position
        let length = literal.utf8CodeUnitCount
        for index in 0..<length {
            guard position < bytes.count, bytes[position] == literal.utf8Start[index] else {
                throw JSONScanError(code: .syntax, offset: start, reason: "invalid literal, expected '\(literal)'")
            }
            position += 1
        }
    }

    /// The error for the byte at `position` (or the end of input) being out of place.
    func unexpected() -> JSONScanError {
        guard position < bytes.count else {
            return JSONScanError(code: .syntax, offset: position, reason: "unexpected end of input")
        }
        let byte = bytes[position]
        if position == 0, bytes.count >= 3, byte == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            return JSONScanError(code: .syntax, offset: 0, reason: "byte order mark not allowed")
        }
        return JSONScanError(code: .syntax, offset: position, reason: "unexpected \(Self.show(byte))")
    }

    /// The error for a bad UTF-8 sequence starting at `offset`.
    func invalidUTF8(at offset: Int) -> JSONScanError {
        JSONScanError(code: .invalidUTF8, offset: offset, reason: "invalid UTF-8 byte \(Self.hex(bytes[offset]))")
    }

    // MARK: Byte helpers

    /// Whether any byte of `word` is a quote, a backslash, below 0x20 or above 0x7F (SWAR).
    @inline(__always)
    static func needsAttention(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroInQuote = (quote &- ones) & ~quote
        let zeroInBackslash = (backslash &- ones) & ~backslash
        let below0x20 = (word &- ones &* 0x20) & ~word
        return (zeroInQuote | zeroInBackslash | below0x20 | word) & highs != 0
    }

    package static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// `'x'` for printable ASCII, else `byte 0xNN`.
    static func show(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte \(hex(byte))"
    }

    package static func hex(_ byte: UInt8) -> String { "0x" + padded(UInt16(byte), width: 2) }

    static func hex4(_ unit: UInt16) -> String { padded(unit, width: 4) }

    private static func padded(_ value: UInt16, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
