#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the value of a JSON number in place, without allocating.
public enum JSONNumber {
    /// Powers of ten exactly representable as a `Double`.
    private static let exactPowers: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// The `Double` nearest to the number `bytes` spell (correctly rounded), or nil if they are
    /// not a JSON number or the number is not finite (`1e400`).
    ///
    /// Plain decimals of up to 15 significant digits and 22 fraction digits take a fast path
    /// that is exact (both parts are exact doubles and one division rounds correctly); others go
    /// through the C library's `strtod`, which rounds correctly too.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        let count = bytes.count
        guard count > 0 else { return nil }
        var index = 0
        let isNegative = bytes[0] == UInt8(ascii: "-")
        if isNegative { index = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var sawDigit = false
        var isSimple = true
        while index < count {
            let byte = bytes[index]
            if byte &- UInt8(ascii: "0") < 10 {
                mantissa = mantissa &* 10 &+ UInt64(byte &- UInt8(ascii: "0"))
                if mantissa != 0 { digits += 1 }
                sawDigit = true
                index += 1
            } else if byte == UInt8(ascii: ".") {
                // Count the fraction digits that follow.
                index += 1
                let start = index
                while index < count, bytes[index] &- UInt8(ascii: "0") < 10 {
                    mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- UInt8(ascii: "0"))
                    if mantissa != 0 { digits += 1 }
                    index += 1
                }
                fractionDigits = index - start
                if fractionDigits == 0 { return nil }
            } else {
                isSimple = false
                break
            }
        }
        guard sawDigit else { return nil }
        if isSimple && digits <= 15 && fractionDigits <= 22 {
            let value = Double(mantissa) / exactPowers[fractionDigits]
            return isNegative ? -value : value
        }
        return slowParse(bytes)
    }

    /// `strtod` on a NUL-terminated copy (numbers are short: the copy lives on the stack).
    private static func slowParse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        guard bytes.count < 512 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
            for index in 0..<bytes.count {
                let byte = bytes[index]
                // Only the JSON number alphabet: strtod also reads hex, "inf" and "nan".
                guard byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
                    || byte == UInt8(ascii: ".") || byte | 0x20 == UInt8(ascii: "e")
                else { return nil }
                buffer[index] = CChar(bitPattern: byte)
            }
            buffer[bytes.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &end)
            guard let end, end == buffer.baseAddress! + bytes.count, value.isFinite else { return nil }
            return value
        }
    }
}
