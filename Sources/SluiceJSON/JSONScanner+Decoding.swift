extension JSONScanner {
    /// Decodes the escapes of a string's content (the bytes between its quotes) into UTF-8.
    ///
    /// The output is never longer than the input. Meant for content this scanner accepted; on
    /// anything else it stops at the first bad escape rather than read out of bounds.
    /// - Parameters:
    ///   - content: A string's bytes without the quotes.
    ///   - output: Room for at least `content.count` bytes.
    /// - Returns: The number of bytes written.
    public static func unescape(_ content: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        precondition(output.count >= content.count, "JSONScanner.unescape needs as much room as its input")
        var index = 0
        var written = 0
        while index < content.count {
            let byte = content[index]
            guard byte == UInt8(ascii: "\\") else {
                output[written] = byte
                written += 1
                index += 1
                continue
            }
            guard index + 1 < content.count else { break }
            let simple: UInt8? =
                switch content[index + 1] {
                case UInt8(ascii: "b"): 0x08
                case UInt8(ascii: "f"): 0x0C
                case UInt8(ascii: "n"): 0x0A
                case UInt8(ascii: "r"): 0x0D
                case UInt8(ascii: "t"): 0x09
                case UInt8(ascii: "u"): nil
                case let other: other  // \" \\ \/
                }
            if let simple {
                output[written] = simple
                written += 1
                index += 2
                continue
            }
            guard var scalar = codeUnit(content, at: index) else { break }
            index += 6
            if (0xD800...0xDBFF).contains(scalar) {
                guard let low = codeUnit(content, at: index), (0xDC00...0xDFFF).contains(low) else { break }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                index += 6
            }
            guard let unicodeScalar = Unicode.Scalar(scalar) else { break }
            for unit in UTF8.encode(unicodeScalar)! {
                output[written] = unit
                written += 1
            }
        }
        return written
    }

    /// The value of the `\uXXXX` escape at `offset`, if it is one.
    private static func codeUnit(_ content: UnsafeRawBufferPointer, at offset: Int) -> UInt32? {
        guard offset + 6 <= content.count, content[offset] == UInt8(ascii: "\\"), content[offset + 1] == UInt8(ascii: "u")
        else { return nil }
        var value: UInt32 = 0
        for index in offset + 2..<offset + 6 {
            guard let digit = hexValue(content[index]) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// The value of a hexadecimal digit.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The length of the well-formed UTF-8 sequence at `offset` (Unicode table 3-7: no overlong
    /// forms, no surrogates, nothing above U+10FFFF), or 0 if there is none.
    package static func utf8SequenceLength(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int {
        let lead = bytes[offset]
        let length: Int
        var second: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; second = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; second = 0x80...0x9F
        case 0xF0: length = 4; second = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; second = 0x80...0x8F
        default: return 0
        }
        guard offset + length <= bytes.count, second.contains(bytes[offset + 1]) else { return 0 }
        for index in offset + 2..<offset + length where bytes[index] & 0xC0 != 0x80 { return 0 }
        return length
    }

    /// The offset of the first byte that does not start a well-formed UTF-8 sequence, if any.
    static func firstInvalidUTF8(in bytes: UnsafeRawBufferPointer) -> Int? {
        var offset = 0
        while offset < bytes.count {
            let length = utf8SequenceLength(bytes, at: offset)
            if length == 0 { return offset }
            offset += length
        }
        return nil
    }

    /// The index of the requested key equal to `raw` (a key's bytes between its quotes), or -1.
    func matchKey(_ raw: Slice<UnsafeRawBufferPointer>, hasEscapes: Bool, keyBytes: UnsafeRawBufferPointer) -> Int {
        let raw = UnsafeRawBufferPointer(rebasing: raw)
        guard hasEscapes else { return matchDecodedKey(raw, keyBytes: keyBytes) }
        return withUnsafeTemporaryAllocation(byteCount: raw.count, alignment: 1) { buffer in
            let count = Self.unescape(raw, into: buffer)
            return matchDecodedKey(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), keyBytes: keyBytes)
        }
    }

    private func matchDecodedKey(_ key: UnsafeRawBufferPointer, keyBytes: UnsafeRawBufferPointer) -> Int {
        candidates: for (index, range) in keyRanges.enumerated() where range.count == key.count {
            var offset = 0
            for keyIndex in range {
                guard keyBytes[keyIndex] == key[offset] else { continue candidates }
                offset += 1
            }
            return index
        }
        return -1
    }

    /// "an object", "a string", "null"…: for messages.
    static func article(_ kind: JSONField.Kind) -> String {
        switch kind {
        case .object, .array: "an \(kind.rawValue)"
        case .null: "null"
        default: "a \(kind.rawValue)"
        }
    }
}
