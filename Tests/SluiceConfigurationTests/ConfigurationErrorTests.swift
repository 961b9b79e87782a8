import Testing

@testable import SluiceConfiguration

@Suite("Errors read like compiler diagnostics")
struct ConfigurationErrorTests {
    @Test("an error prints as path:line:column: error: message (fix: …), leaving out what is unknown")
    func description() {
        var error = ConfigurationError(
            code: .outOfRange, message: "mqtt.qos: expected a QoS 0, 1 or 2, found 3", fix: "use 1: at least once",
            file: "/etc/sluice/sluice.yaml", line: 12, column: 8)
        #expect(
            error.description
                == "/etc/sluice/sluice.yaml:12:8: error: mqtt.qos: expected a QoS 0, 1 or 2, found 3 (fix: use 1: at least once)"
        )
        error.column = nil
        #expect(
            error.description
                == "/etc/sluice/sluice.yaml:12: error: mqtt.qos: expected a QoS 0, 1 or 2, found 3 (fix: use 1: at least once)"
        )
        error.line = nil
        #expect(
            error.description
                == "/etc/sluice/sluice.yaml: error: mqtt.qos: expected a QoS 0, 1 or 2, found 3 (fix: use 1: at least once)"
        )
        error.file = nil
        error.fix = nil
        #expect(error.description == "error: mqtt.qos: expected a QoS 0, 1 or 2, found 3")
    }

    @Test("several errors are grouped by file in reading order, then sorted by line, one per output line")
    func collected() {
        let errors = ConfigurationErrors([
            ConfigurationError(code: .conflict, message: "c", file: "sluice.yaml", line: 30, column: 3),
            ConfigurationError(code: .unknownKey, message: "a", file: "sluice.yaml", line: 2, column: 1),
            ConfigurationError(code: .syntax, message: "p", file: "devices/x.yaml", line: 1, column: 1),
            ConfigurationError(code: .missingValue, message: "b", file: "sluice.yaml"),
        ])
        #expect(errors.errors.map(\.message) == ["a", "c", "b", "p"])
        #expect(
            errors.description == """
                sluice.yaml:2:1: error: a
                sluice.yaml:30:3: error: c
                sluice.yaml: error: b
                devices/x.yaml:1:1: error: p
                """)
    }

    @Test("error codes print their name and compare by identity")
    func codes() {
        #expect(ConfigurationError.Code.unknownKey.description == "unknownKey")
        #expect(ConfigurationError.Code.unknownKey != .wrongType)
    }

    @Test("near misses are suggested: typos, swapped letters, case and separators")
    func suggestions() {
        let keys = ["host", "port", "client_id", "keepalive", "max_payload_bytes"]
        #expect(keys.closest(to: "clientid") == "client_id")
        #expect(keys.closest(to: "cleint_id") == "client_id")
        #expect(keys.closest(to: "Keep-Alive") == "keepalive")
        #expect(keys.closest(to: "prot") == "port")
        #expect(keys.closest(to: "max_payload") == nil)
        #expect(keys.closest(to: "colour") == nil)
        #expect("kitten".editDistance(to: "sitting") == 3)
        #expect("ab".editDistance(to: "ba") == 1)
    }
}
