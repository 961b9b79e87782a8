import SluiceLog

extension TopicConfiguration {
    /// The keys of a topic's settings (`topic_defaults`, `topics.<name>`, `dead_letters`).
    static let configurationKeys = [
        "partitions", "segment_bytes", "segment_duration", "index_interval_bytes", "retention", "retention_bytes",
        "compression", "max_batch_bytes",
    ]

    /// The codecs Sluice can write, by their configuration names.
    private static let writableCodecNames = CompressionCodec.allCases.filter(\.isWritable).map(\.description)

    /// Applies the settings present in `mapping` over these; absent keys keep their value.
    ///
    /// Each value is checked with `problem` on its own, so a problem is reported on the line of the
    /// value that causes it; whatever `problem` still finds in the combination is reported at the
    /// mapping's key.
    /// - Parameters:
    ///   - mapping: the topic's settings.
    ///   - reader: where problems are reported.
    mutating func apply(_ mapping: YAMLMapping, reader: inout ConfigurationReader) {
        set(\.partitionCount, from: mapping["partitions"], reader: &reader, fix: "use 1 to 10000 partitions") {
            value throws(ConfigurationError) in
            try value.integer(in: Int.min...Int.max, expected: "a partition count 1…10000")
        }
        set(\.segmentBytes, from: mapping["segment_bytes"], reader: &reader, fix: "use 1KiB to 2GiB, e.g. 16MiB") {
            value throws(ConfigurationError) in try value.byteCount()
        }
        set(\.segmentDuration, from: mapping["segment_duration"], reader: &reader) {
            value throws(ConfigurationError) in try Self.positiveDuration(value, orNullMeaning: "to roll on size only")
        }
        set(
            \.indexIntervalBytes, from: mapping["index_interval_bytes"], reader: &reader,
            fix: "use a positive size, e.g. 4KiB"
        ) {
            value throws(ConfigurationError) in try value.byteCount()
        }
        set(\.retention, from: mapping["retention"], reader: &reader) {
            value throws(ConfigurationError) in
            try Self.positiveDuration(value, orNullMeaning: "to keep records forever")
        }
        set(
            \.retentionBytes, from: mapping["retention_bytes"], reader: &reader, fix: "use a size, or null for no limit"
        ) {
            value throws(ConfigurationError) in value.isNull ? nil : try value.byteCount()
        }
        set(\.compression, from: mapping["compression"], reader: &reader) { value throws(ConfigurationError) in
            // The choice already names the codecs Sluice can write, so gzip is refused with that list.
            CompressionCodec(name: try value.choice(among: Self.writableCodecNames))!
        }
        set(
            \.maxBatchBytes, from: mapping["max_batch_bytes"], reader: &reader,
            fix: "use at least \(RecordBatchHeader.size) bytes, e.g. 1MiB"
        ) {
            value throws(ConfigurationError) in try value.byteCount()
        }
        if let problem {
            reader.errors.append(
                mapping.owner.keyLocation.error(
                    .conflict, "\(mapping.owner.path): \(problem)", fix: "change the settings of this topic"))
        }
    }

    /// Sets one field from `value` when present, after checking `problem` for that field alone.
    private mutating func set<Value>(
        _ field: WritableKeyPath<TopicConfiguration, Value>, from value: YAMLValue?, reader: inout ConfigurationReader,
        fix: String? = nil, _ parse: (YAMLValue) throws(ConfigurationError) -> Value
    ) {
        guard let value else { return }
        reader.attempt { () throws(ConfigurationError) in
            let parsed = try parse(value)
            var probe = TopicConfiguration()
            probe[keyPath: field] = parsed
            if let problem = probe.problem {
                throw value.location.error(.outOfRange, "\(value.path): \(problem)", fix: fix)
            }
            self[keyPath: field] = parsed
        }
    }

    /// A duration above zero, or nil for null.
    private static func positiveDuration(
        _ value: YAMLValue, orNullMeaning meaning: String
    ) throws(ConfigurationError) -> Duration? {
        if value.isNull { return nil }
        let duration: Duration
        do {
            duration = try value.duration()
        } catch {
            // "forever", "never", "none": a word where null was meant.
            var error = error
            if let text = try? value.text(), text.allSatisfy(\.isLetter) {
                error.fix = "write a duration such as 7d, or null \(meaning)"
            }
            throw error
        }
        try value.require(
            duration > .zero, expected: "a duration above zero", fix: "use a positive duration, or null \(meaning)")
        return duration
    }
}
