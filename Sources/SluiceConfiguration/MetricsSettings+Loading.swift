extension MetricsSettings {
    /// The keys of the `metrics` section.
    static let configurationKeys = ["enabled", "listen", "quiet_after"]

    /// Applies the `metrics` section.
    /// - Returns: whether the endpoint is enabled (`enabled`, default true when the section is present).
    mutating func apply(_ mapping: YAMLMapping, reader: inout ConfigurationReader) -> Bool {
        var isEnabled = true
        reader.read(mapping["enabled"], into: &isEnabled) { value throws(ConfigurationError) in try value.boolean() }
        if let (host, port) = reader.attempt({ () throws(ConfigurationError) in try mapping["listen"].map(Self.hostPort) }) ?? nil {
            self.host = host
            self.port = port
        }
        reader.read(mapping["quiet_after"], into: &quietAfter) { value throws(ConfigurationError) in
            let quietAfter = try value.duration()
            try value.require(
                quietAfter >= .seconds(10) && quietAfter <= .seconds(7 * 86_400), expected: "10s…7d",
                fix: "a few times the slowest device's reporting interval, e.g. 5m")
            return quietAfter
        }
        return isEnabled
    }

    /// `host:port`, or a bare port (on 127.0.0.1); IPv6 hosts in brackets (`[::1]:9464`).
    private static func hostPort(_ value: YAMLValue) throws(ConfigurationError) -> (String, Int) {
        let expected = "host:port or a port, e.g. 127.0.0.1:9464"
        let text = try value.string(expected: expected)
        if let port = Int(text), (0...65_535).contains(port) { return ("127.0.0.1", port) }
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
            let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port)
        else { throw value.error(.invalidValue, expected: expected, fix: "e.g. listen: 127.0.0.1:9464") }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }
}
