import SluiceLog

extension LogSettings {
    /// The keys of the `log` section.
    static let configurationKeys = ["fsync", "flush_interval"]

    /// Applies the `log` section: `fsync` (`always`, `interval` or `never`; default `interval`) and
    /// `flush_interval` (default 250ms), which is read only with `fsync: interval`, so switching
    /// the policy back and forth does not need the interval removed.
    /// - Parameters:
    ///   - mapping: the section.
    ///   - reader: where problems are reported.
    mutating func apply(_ mapping: YAMLMapping, reader: inout ConfigurationReader) {
        var policy = "interval"
        reader.read(mapping["fsync"], into: &policy) { value throws(ConfigurationError) in
            try value.choice(among: ["always", "interval", "never"])
        }
        var interval = Duration.milliseconds(250)
        if case .interval(let current) = fsync { interval = current }
        reader.read(mapping["flush_interval"], into: &interval) { value throws(ConfigurationError) in
            let interval = try value.duration()
            try value.require(
                interval > .zero, expected: "a flush interval above zero", fix: "use e.g. 250ms, or fsync: always")
            return interval
        }
        switch policy {
        case "always": fsync = .always
        case "never": fsync = .never
        default: fsync = .interval(interval)
        }
    }
}
