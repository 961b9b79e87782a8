extension UpstreamSettings {
    /// The keys of the `upstream` section.
    static let configurationKeys = [
        "name", "bootstrap_servers", "acks", "idempotence", "compression", "linger", "batch_bytes", "topic_prefix",
        "topic_map", "topics", "max_in_flight_bytes", "cursor_commit_interval", "on_unrecoverable", "properties",
        "property_files",
    ]

    /// Applies the `upstream` section; `property_files` values are paths whose contents become
    /// property values (secrets such as `sasl.password` stay out of the configuration file).
    mutating func apply(_ mapping: YAMLMapping, reader: inout ConfigurationReader) {
        reader.read(mapping["name"], into: &name) { value throws(ConfigurationError) in try value.topicName() }
        if let servers = reader.attempt({ () throws(ConfigurationError) in
            try mapping.required("bootstrap_servers", fix: "add bootstrap_servers: kafka-1:9092,kafka-2:9092")
        }) {
            reader.read(servers, into: &bootstrapServers) { value throws(ConfigurationError) in
                let text = try value.string(expected: "host:port[,host:port…]")
                let valid = text.split(separator: ",").allSatisfy { server in
                    guard let colon = server.lastIndex(of: ":"), let port = Int(server[server.index(after: colon)...]) else { return false }
                    return colon != server.startIndex && (1...65_535).contains(port)
                }
                try value.require(valid, .invalidValue, expected: "host:port[,host:port…]", fix: "e.g. kafka-1:9092,kafka-2:9092")
                return text
            }
        }
        reader.read(mapping["acks"], into: &acks) { value throws(ConfigurationError) in try value.choice(UpstreamAcks.self) }
        reader.read(mapping["idempotence"], into: &isIdempotent) { value throws(ConfigurationError) in try value.boolean() }
        reader.read(mapping["compression"], into: &compression) { value throws(ConfigurationError) in
            try value.choice(among: ["none", "gzip", "snappy", "lz4", "zstd"])
        }
        reader.read(mapping["linger"], into: &linger) { value throws(ConfigurationError) in try value.duration() }
        reader.read(mapping["batch_bytes"], into: &batchBytes) { value throws(ConfigurationError) in try value.byteCount() }
        reader.read(mapping["topic_prefix"], into: &topicPrefix) { value throws(ConfigurationError) in try value.text() }
        for (local, value) in reader.mapping(mapping["topic_map"], keys: nil)?.entries ?? [] {
            if let upstream = reader.attempt({ () throws(ConfigurationError) in try value.topicName() }) { topicMap[local] = upstream }
        }
        if let list = mapping["topics"], let items = reader.attempt({ () throws(ConfigurationError) in try list.sequence() }) {
            topics = items.compactMap { item in reader.attempt { () throws(ConfigurationError) in try item.topicName() } }
        }
        reader.read(mapping["max_in_flight_bytes"], into: &maxInFlightBytes) { value throws(ConfigurationError) in
            let bytes = try value.byteCount()
            try value.require(bytes >= 64 * 1024, .outOfRange, expected: "at least 64KiB", fix: "use e.g. 16MiB")
            return bytes
        }
        reader.read(mapping["cursor_commit_interval"], into: &cursorCommitInterval) { value throws(ConfigurationError) in
            try value.duration()
        }
        reader.read(mapping["on_unrecoverable"], into: &onUnrecoverable) { value throws(ConfigurationError) in
            try value.choice(UnrecoverablePolicy.self)
        }
        for (key, value) in reader.mapping(mapping["properties"], keys: nil)?.entries ?? [] {
            if let text = reader.attempt({ () throws(ConfigurationError) in try value.text() }) { properties[key] = text }
        }
        for (key, value) in reader.mapping(mapping["property_files"], keys: nil)?.entries ?? [] {
            let secret = reader.attempt { () throws(ConfigurationError) in
                let path = try value.path(expected: "the path of a file holding the value")
                var contents = try ConfigurationReader.contents(of: path, at: value.location, key: value.path)
                while contents.hasSuffix("\n") || contents.hasSuffix("\r") { contents.removeLast() }
                return contents
            }
            if let secret { properties[key] = secret }
        }
        if isIdempotent && acks != .all, let place = mapping["idempotence"] ?? mapping["acks"] {
            reader.errors.append(
                place.keyLocation.error(
                    .conflict, "upstream: an idempotent producer needs acks: all, found acks: \(acks.rawValue)",
                    fix: "set acks: all, or idempotence: false (then retries may duplicate or reorder)"))
        }
    }
}
