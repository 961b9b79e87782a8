import Testing

@testable import SluiceConfiguration

@Suite("Durations, sizes and booleans as configuration files write them")
struct ConfigurationValueTests {
    @Test(
        "a duration is a whole number and a unit: ms, s, m, h or d",
        arguments: [
            ("250ms", Duration.milliseconds(250)), ("30s", .seconds(30)), ("5m", .seconds(300)), ("1h", .seconds(3600)),
            ("7d", .seconds(7 * 86_400)), ("0s", .zero), ("30 s", .seconds(30)), (" 1d ", .seconds(86_400)),
        ])
    func durations(text: String, duration: Duration) throws {
        #expect(try ConfigurationValue.duration(text) == duration)
    }

    @Test(
        "a duration without a unit, with a fraction or with an unknown unit is refused, and the fix shows the form",
        arguments: [
            ("30", "add a unit: 30s for seconds, 30ms for milliseconds"),
            ("30sec", "write 30s"),
            ("5 minutes", "write 5m"),
            ("2H", "write 2h"),
            ("1.5s", "write a whole number of a smaller unit, e.g. 1500ms rather than 1.5s"),
            ("-5s", "write a whole number and a unit"),
            ("soon", "write a whole number and a unit"),
            ("2w", "units are ms, s, m, h and d"),
        ])
    func badDurations(text: String, fix: String) {
        let error = #expect(throws: ConfigurationError.self) { try ConfigurationValue.duration(text) }
        #expect(error?.code == .invalidValue)
        #expect(error?.message == "expected a duration such as 250ms, 30s, 5m, 1h or 7d, found '\(text)'")
        #expect(error?.fix == fix)
        #expect(error?.line == nil, "value parsers know no place; the YAML reader adds it")
    }

    @Test(
        "a size is bytes, or a whole number with a 1024-based (KiB) or 1000-based (KB) unit",
        arguments: [
            ("4096", 4096), ("0", 0), ("512B", 512), ("512KiB", 512 << 10), ("16MiB", 16 << 20), ("1GiB", 1 << 30),
            ("2TiB", 2 << 40), ("1KB", 1000), ("64MB", 64_000_000), ("1GB", 1_000_000_000), ("16 MiB", 16 << 20),
        ])
    func sizes(text: String, bytes: Int) throws {
        #expect(try ConfigurationValue.byteCount(text) == bytes)
    }

    @Test(
        "a size with an ambiguous, misspelt or fractional unit is refused with a fix",
        arguments: [
            ("16M", "write 16MiB (powers of 1024) or 16MB (powers of 1000)"),
            ("4k", "write 4KiB (powers of 1024) or 4KB (powers of 1000)"),
            ("16mib", "did you mean 16MiB? units are case-sensitive"),
            ("1.5GiB", "write a whole number of a smaller unit, e.g. 1536MiB rather than 1.5GiB"),
            ("16 megabytes", "units are B, KiB, MiB, GiB, TiB (1024-based) and KB, MB, GB, TB (1000-based)"),
            ("-1", "write a whole number of bytes, or one with a unit"),
            ("lots", "write a whole number of bytes, or one with a unit"),
        ])
    func badSizes(text: String, fix: String) {
        let error = #expect(throws: ConfigurationError.self) { try ConfigurationValue.byteCount(text) }
        #expect(error?.code == .invalidValue)
        #expect(error?.message == "expected a size such as 4096, 512KiB, 16MiB or 1GiB, found '\(text)'")
        #expect(error?.fix == fix)
    }

    @Test("sizes and durations too large for 64 bits are out of range, not wrapped")
    func overflow() {
        #expect(
            (#expect(throws: ConfigurationError.self) { try ConfigurationValue.byteCount("99999999TiB") })?.code
                == .outOfRange)
        #expect(
            (#expect(throws: ConfigurationError.self) { try ConfigurationValue.duration("999999999999999d") })?.code
                == .outOfRange)
        #expect(
            (#expect(throws: ConfigurationError.self) { try ConfigurationValue.byteCount("99999999999999999999") })?
                .code == .outOfRange)
        #expect(ConfigurationValue.text(.seconds(Int64.max)) == "\(Int64.max)s")
    }

    @Test("a boolean is true or false; YAML 1.1's yes/no/on/off are refused with the word to write")
    func booleans() throws {
        #expect(try ConfigurationValue.boolean("true") == true)
        #expect(try ConfigurationValue.boolean("False") == false)
        for (text, fix) in [("yes", "write true"), ("off", "write false"), ("1", "write true or false")] {
            let error = #expect(throws: ConfigurationError.self) { try ConfigurationValue.boolean(text) }
            #expect(error?.message == "expected true or false, found '\(text)'")
            #expect(error?.fix == fix)
        }
    }

    @Test(
        "durations and sizes print in the largest unit that divides them, and read back the same",
        arguments: [
            (Duration.milliseconds(250), "250ms"), (.seconds(30), "30s"), (.seconds(90), "90s"), (.seconds(300), "5m"),
            (.seconds(7 * 86_400), "7d"),
        ])
    func durationText(duration: Duration, text: String) throws {
        #expect(ConfigurationValue.text(duration) == text)
        #expect(try ConfigurationValue.duration(text) == duration)
    }

    @Test("sizes print in the largest binary unit that divides them")
    func sizeText() {
        #expect(ConfigurationValue.text(byteCount: 16 << 20) == "16MiB")
        #expect(ConfigurationValue.text(byteCount: 1536) == "1536")
        #expect(ConfigurationValue.text(byteCount: 3 << 10) == "3KiB")
        #expect(ConfigurationValue.text(byteCount: 0) == "0")
    }
}
