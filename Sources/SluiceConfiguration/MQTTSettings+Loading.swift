import Foundation

extension MQTTSettings {
    /// The keys of the `mqtt` section.
    static let configurationKeys = [
        "host", "port", "client_id", "protocol", "qos", "keepalive", "username", "password_file", "tls",
        "extra_subscriptions", "max_payload_bytes", "reconnect", "batch_linger",
    ]

    /// MQTT's largest packet (the "remaining length" is at most 268,435,455 bytes).
    private static let largestPayloadBytes = 268_435_455

    /// Applies the `mqtt` section; relative file paths in it are relative to the configuration file.
    /// - Parameters:
    ///   - mapping: the section.
    ///   - reader: where problems are reported.
    mutating func apply(_ mapping: YAMLMapping, reader: inout ConfigurationReader) {
        reader.read(mapping["host"], into: &host) { value throws(ConfigurationError) in
            try value.string(expected: "a host name or IP address")
        }
        reader.read(mapping["port"], into: &port) { value throws(ConfigurationError) in
            try value.integer(
                in: 1...65_535, expected: "a port 1…65535", fix: "use the broker's port, usually 1883, or 8883 with TLS"
            )
        }
        reader.read(mapping["client_id"], into: &clientID) { value throws(ConfigurationError) in
            try value.string(
                expected: "a client id", fix: "keep it fixed, so the broker keeps the session while Sluice is down")
        }
        reader.read(mapping["protocol"], into: &protocolVersion) { value throws(ConfigurationError) in
            try value.choice(MQTTProtocolVersion.self)
        }
        reader.read(mapping["qos"], into: &qos) { value throws(ConfigurationError) in
            try value.integer(in: 0...2, expected: "a QoS 0, 1 or 2", fix: "use 1: at least once")
        }
        reader.read(mapping["keepalive"], into: &keepalive) { value throws(ConfigurationError) in
            let keepalive = try value.duration()
            try value.require(
                keepalive >= .seconds(5) && keepalive <= .seconds(65_535) && keepalive.components.attoseconds == 0,
                expected: "whole seconds 5s…65535s (libmosquitto's range)", fix: "use e.g. 30s")
            return keepalive
        }
        reader.read(mapping["batch_linger"], into: &batchLinger) { value throws(ConfigurationError) in
            let linger = try value.duration()
            try value.require(
                linger >= .zero && linger <= .seconds(1), expected: "a duration 0ms…1s",
                fix: "use 10ms; larger batches compress better but each message waits up to this long")
            return linger
        }
        reader.read(mapping["username"], into: &username) { value throws(ConfigurationError) in
            try value.string(expected: "a user name")
        }
        reader.read(mapping["password_file"], into: &password) { value throws(ConfigurationError) in
            let path = try value.path(expected: "the path of a file holding the password")
            var password = try ConfigurationReader.contents(of: path, at: value.location, key: value.path)
            while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
            guard !password.isEmpty else {
                throw value.location.error(
                    .invalidValue, "mqtt.password_file: expected a password in '\(path)', found an empty file",
                    fix: "write the password into the file")
            }
            return password
        }
        if let passwordFile = mapping["password_file"], password != nil, username == nil {
            reader.errors.append(
                passwordFile.keyLocation.error(
                    .conflict,
                    "mqtt.password_file is set but mqtt.username is not; MQTT sends a password only with a user name",
                    fix: "add username: …"))
        }
        if let tlsValue = mapping["tls"], !tlsValue.isNull,
            let tlsMapping = reader.mapping(tlsValue, keys: TLSSettings.configurationKeys)
        {
            tls = TLSSettings(tlsMapping, reader: &reader)
        }
        reader.read(mapping["extra_subscriptions"], into: &extraSubscriptions) { value throws(ConfigurationError) in
            var filters: [String] = []
            for item in try value.sequence(expected: "a list of MQTT topic filters") {
                let pattern = try item.topicFilter()
                try item.require(
                    pattern.wildcardNames.isEmpty, .invalidValue, expected: "a plain MQTT filter",
                    fix: "use + here; named wildcards belong in device profiles")
                filters.append(pattern.subscriptionFilter)
            }
            return filters
        }
        reader.read(mapping["max_payload_bytes"], into: &maxPayloadBytes) { value throws(ConfigurationError) in
            let bytes = try value.byteCount()
            try value.require(
                (1...Self.largestPayloadBytes).contains(bytes), expected: "a size of 1 byte…256MiB",
                fix: "use e.g. 256KiB")
            return bytes
        }
        if let reconnect = reader.mapping(mapping["reconnect"], keys: ["min", "max"]) {
            applyReconnect(reconnect, reader: &reader)
        }
    }

    /// Applies `reconnect: { min, max }`: both above zero, `min` not above `max`.
    private mutating func applyReconnect(_ mapping: YAMLMapping, reader: inout ConfigurationReader) {
        func positive(_ value: YAMLValue) throws(ConfigurationError) -> Duration {
            let delay = try value.duration()
            try value.require(delay > .zero, expected: "a delay above zero", fix: "use e.g. 1s")
            return delay
        }
        reader.read(mapping["min"], into: &reconnectMinimum, positive)
        reader.read(mapping["max"], into: &reconnectMaximum, positive)
        if let value = mapping["max"] ?? mapping["min"], reconnectMinimum > reconnectMaximum {
            let (minimum, maximum) = (
                ConfigurationValue.text(reconnectMinimum), ConfigurationValue.text(reconnectMaximum)
            )
            reader.errors.append(
                value.location.error(
                    .conflict, "mqtt.reconnect: expected min not above max, found min \(minimum) and max \(maximum)",
                    fix: "make max at least min"))
        }
    }
}
