extension KafkaListenerSettings {
    /// The keys of the `kafka_listener` section.
    static let configurationKeys = [
        "listen", "advertised", "max_connections", "max_request_bytes", "max_in_flight_requests", "max_queued_request_bytes", "auto_create_topics",
        "sasl_plain_users_file", "group_initial_rebalance_delay", "min_session_timeout", "max_session_timeout",
    ]

    /// Applies the `kafka_listener` section.
    mutating func apply(_ mapping: YAMLMapping, reader: inout ConfigurationReader) {
        if let (host, port) = reader.attempt({ () throws(ConfigurationError) in try mapping["listen"].map(Self.hostPort) }) ?? nil {
            self.host = host
            self.port = port
        }
        if let (host, port) = reader.attempt({ () throws(ConfigurationError) in try mapping["advertised"].map(Self.hostPort) }) ?? nil {
            advertisedHost = host
            advertisedPort = port
        }
        reader.read(mapping["max_connections"], into: &maxConnections) { value throws(ConfigurationError) in
            try value.integer(in: 1...10_000)
        }
        reader.read(mapping["max_request_bytes"], into: &maxRequestBytes) { value throws(ConfigurationError) in
            let bytes = try value.byteCount()
            try value.require((64 << 10 ... 1 << 30).contains(bytes), expected: "64KiB…1GiB", fix: "use e.g. 16MiB")
            return bytes
        }
        reader.read(mapping["max_in_flight_requests"], into: &maxInFlightRequests) { value throws(ConfigurationError) in
            try value.integer(in: 1...1000)
        }
        reader.read(mapping["max_queued_request_bytes"], into: &maxQueuedRequestBytes) { value throws(ConfigurationError) in
            let bytes = try value.byteCount()
            try value.require((64 << 10 ... 4 << 30).contains(bytes), expected: "64KiB…4GiB", fix: "use e.g. 32MiB")
            return bytes
        }
        reader.read(mapping["auto_create_topics"], into: &autoCreateTopics) { value throws(ConfigurationError) in try value.boolean() }
        if let file = mapping["sasl_plain_users_file"] {
            let users = reader.attempt { () throws(ConfigurationError) -> [String: String] in
                let path = try file.path(expected: "the path of a file of user:password lines")
                let contents = try ConfigurationReader.contents(of: path, at: file.location, key: file.path)
                var users: [String: String] = [:]
                for (number, line) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let line = line.trimmingSuffix("\r")
                    if line.isEmpty || line.hasPrefix("#") { continue }
                    guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                        throw file.error(
                            .invalidValue, expected: "user:password on every line of \(path), found none on line \(number + 1)",
                            fix: "write one user:password per line")
                    }
                    users[String(line[..<colon])] = String(line[line.index(after: colon)...])
                }
                return users
            }
            if let users { saslPlainUsers = users }
        }
        reader.read(mapping["group_initial_rebalance_delay"], into: &groupInitialRebalanceDelay) { value throws(ConfigurationError) in
            let delay = try value.duration()
            try value.require(delay <= .seconds(300), expected: "at most 5m", fix: "Kafka's default is 3s")
            return delay
        }
        var minimum = sessionTimeouts.lowerBound
        var maximum = sessionTimeouts.upperBound
        reader.read(mapping["min_session_timeout"], into: &minimum) { value throws(ConfigurationError) in try value.duration() }
        reader.read(mapping["max_session_timeout"], into: &maximum) { value throws(ConfigurationError) in try value.duration() }
        if minimum <= maximum {
            sessionTimeouts = minimum...maximum
        } else if let place = mapping["min_session_timeout"] {
            reader.errors.append(place.error(.conflict, expected: "at most max_session_timeout", fix: "swap the two values"))
        }
        let wildcard = host == "0.0.0.0" || host == "::"
        if wildcard && advertisedHost == nil, let place = mapping["listen"] {
            reader.errors.append(
                place.error(
                    .missingValue, expected: "an advertised host:port beside a wildcard listen address",
                    fix: "add advertised: <this gateway's address>:\(port), the address clients connect to"))
        }
        if !isLoopback && saslPlainUsers.isEmpty, let place = mapping["listen"] {
            reader.errors.append(
                place.error(
                    .conflict, expected: "sasl_plain_users_file with a non-loopback listen address",
                    fix: "add sasl_plain_users_file: /etc/sluice/kafka-users (user:password lines), or listen on 127.0.0.1"))
        }
    }

    /// A `host:port` value; IPv6 hosts in brackets (`[::1]:9092`).
    private static func hostPort(_ value: YAMLValue) throws(ConfigurationError) -> (String, Int) {
        let expected = "host:port, e.g. 127.0.0.1:9092"
        let text = try value.string(expected: expected)
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
            let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port)
        else { throw value.error(.invalidValue, expected: expected) }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }
}

extension Substring {
    fileprivate func trimmingSuffix(_ suffix: String) -> Substring {
        hasSuffix(suffix) ? dropLast(suffix.count) : self
    }
}
