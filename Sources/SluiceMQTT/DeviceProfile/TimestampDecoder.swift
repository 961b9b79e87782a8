import SluiceJSON
import SluiceConfiguration

/// Reads a device's timestamp from a scanned JSON value in place, without allocating:
/// integer milliseconds, (fractional) seconds rounded down to milliseconds, or an RFC 3339
/// date-time `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` parsed by hand.
///
/// Accepted instants lie in 2000-01-01T00:00:00Z..<2100-01-01T00:00:00Z; anything else is
/// more likely a unit mistake or an unset clock than a real reading.
enum TimestampDecoder {
    /// 2000-01-01T00:00:00Z in milliseconds since the epoch: the earliest accepted instant.
    static let earliestMillis: Int64 = 946_684_800_000
    /// 2100-01-01T00:00:00Z in milliseconds since the epoch: the first rejected instant.
    static let endMillis: Int64 = 4_102_444_800_000

    /// Why a timestamp was not accepted; `description` is the header detail's tail.
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// The instant `field` holds in `unit`, in milliseconds since the Unix epoch.
    static func millis(_ field: JSONField, unit: TimestampUnit, in document: UnsafeRawBufferPointer) -> Result<Int64, Problem> {
        let millis: Int64?
        switch unit {
        case .milliseconds:
            guard field.kind == .number, field.isInteger else {
                return .failure(Problem(description: "expected integer milliseconds, found \(ProfileMatcher.typeName(field))"))
            }
            millis = integer(UnsafeRawBufferPointer(rebasing: document[field.range]))
        case .seconds:
            guard field.kind == .number else {
                return .failure(Problem(description: "expected seconds as a number, found \(ProfileMatcher.typeName(field))"))
            }
            millis = secondsAsMillis(UnsafeRawBufferPointer(rebasing: document[field.range]))
        case .rfc3339:
            guard field.kind == .string else {
                return .failure(Problem(description: "expected an RFC 3339 string, found \(ProfileMatcher.typeName(field))"))
            }
            let content = UnsafeRawBufferPointer(rebasing: document[field.contentRange])
            if field.hasEscapes {
                millis = withUnsafeTemporaryAllocation(byteCount: content.count, alignment: 1) { buffer in
                    rfc3339(UnsafeRawBufferPointer(rebasing: buffer[0..<JSONScanner.unescape(content, into: buffer)]))
                }
            } else {
                millis = rfc3339(content)
            }
            guard millis != nil else { return .failure(Problem(description: "not an RFC 3339 date-time")) }
        }
        guard let millis, millis >= earliestMillis, millis < endMillis else {
            return .failure(Problem(description: "outside 2000-01-01..<2100-01-01"))
        }
        return .success(millis)
    }

    /// A JSON integer's value; saturates at the `Int64` bounds.
    static func integer(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard !bytes.isEmpty else { return nil }
        let isNegative = bytes[0] == UInt8(ascii: "-")
        var value: Int64 = 0
        for index in (isNegative ? 1 : 0)..<bytes.count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(digit))
            if overflow1 || overflow2 { return isNegative ? .min : .max }
            value = sum
        }
        return isNegative ? -value : value
    }

    /// A JSON number of seconds as milliseconds, rounded down (toward negative infinity), computed
    /// exactly from the decimal digits; saturates at the `Int64` bounds.
    static func secondsAsMillis(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        var index = 0
        let isNegative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if isNegative { index += 1 }
        let integerDigits = index
        while index < bytes.count, JSONCursor.isDigit(bytes[index]) { index += 1 }
        let integerEnd = index
        let hasFraction = index < bytes.count && bytes[index] == UInt8(ascii: ".")
        if hasFraction { index += 1 }
        let fractionDigits = index  // captured by `digit` below: a `let`, so it is not boxed
        while hasFraction, index < bytes.count, JSONCursor.isDigit(bytes[index]) { index += 1 }
        let fractionEnd = index
        var exponent = 0
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            let isNegativeExponent = index < bytes.count && bytes[index] == UInt8(ascii: "-")
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
            while index < bytes.count, JSONCursor.isDigit(bytes[index]) {
                exponent = min(exponent * 10 + Int(bytes[index] - UInt8(ascii: "0")), 100_000)
                index += 1
            }
            if isNegativeExponent { exponent = -exponent }
        }
        guard index == bytes.count, integerEnd > integerDigits else { return nil }

        // The digits d0 d1 … (integer then fraction part) with the decimal point after
        // `wholeDigits` of them; milliseconds are the first `wholeDigits + 3`.
        let integerCount = integerEnd - integerDigits
        let digitCount = integerCount + (fractionEnd - fractionDigits)
        func digit(_ position: Int) -> Int64 {
            let offset = position < integerCount ? integerDigits + position : fractionDigits + position - integerCount
            return Int64(bytes[offset] - UInt8(ascii: "0"))
        }
        let keep = integerCount + exponent + 3
        var value: Int64 = 0
        for position in 0..<max(0, min(keep, digitCount)) {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit(position))
            if overflow1 || overflow2 { return isNegative ? .min : .max }
            value = sum
        }
        if keep > digitCount, value != 0 {
            for _ in digitCount..<keep {
                let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
                if overflow { return isNegative ? .min : .max }
                value = times10
            }
        }
        guard isNegative else { return value }
        let hasDroppedDigits = (min(max(0, keep), digitCount)..<digitCount).contains { digit($0) != 0 }
        return -value - (hasDroppedDigits ? 1 : 0)
    }

    /// An RFC 3339 date-time (`T`/`Z` in either case, fraction truncated to milliseconds, second
    /// 60 allowed and counted as the next minute's :00) as milliseconds since the epoch.
    static func rfc3339(_ text: UnsafeRawBufferPointer) -> Int64? {
        func number(_ start: Int, _ count: Int) -> Int64? {
            var value: Int64 = 0
            for index in start..<start + count {
                let digit = text[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
            }
            return value
        }
        func byte(_ index: Int, is expected: Unicode.Scalar) -> Bool {
            index < text.count && text[index] == UInt8(ascii: expected)
        }
        guard text.count >= 20, byte(4, is: "-"), byte(7, is: "-"), text[10] | 0x20 == UInt8(ascii: "t"),
            byte(13, is: ":"), byte(16, is: ":"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
        else { return nil }
        var index = 19
        var millis: Int64 = 0
        if byte(index, is: ".") {
            index += 1
            let start = index
            while index < text.count, JSONCursor.isDigit(text[index]) {
                if index - start < 3 { millis = millis * 10 + Int64(text[index] - UInt8(ascii: "0")) }
                index += 1
            }
            guard index > start else { return nil }
            for _ in min(index - start, 3)..<3 { millis *= 10 }
        }
        var offsetSeconds: Int64 = 0
        if index < text.count, text[index] | 0x20 == UInt8(ascii: "z") {
            index += 1
        } else if byte(index, is: "+") || byte(index, is: "-") {
            guard index + 6 <= text.count, byte(index + 3, is: ":"),
                let offsetHour = number(index + 1, 2), let offsetMinute = number(index + 4, 2),
                offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetSeconds = (offsetHour * 60 + offsetMinute) * 60 * (byte(index, is: "-") ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == text.count, (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = ((days * 24 + hour) * 60 + minute) * 60 + second - offsetSeconds
        return seconds * 1000 + millis
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's
    /// `days_from_civil`).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let year = month <= 2 ? year - 1 : year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
