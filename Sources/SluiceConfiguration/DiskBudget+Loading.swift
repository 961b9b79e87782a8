import SluiceLog

extension DiskBudget {
    /// The keys of the `storage` section.
    static let configurationKeys = ["max_bytes", "min_free_bytes", "on_full"]

    /// Applies the `storage` section: `max_bytes` (a size or null; default null), `min_free_bytes`
    /// (a size or null; default 64MiB) and `on_full` (`block`, the default, or `drop-oldest`).
    mutating func apply(_ mapping: YAMLMapping, reader: inout ConfigurationReader) {
        reader.read(mapping["max_bytes"], into: &maxBytes) { value throws(ConfigurationError) -> Int? in
            if value.isNull { return nil }
            let bytes = try value.byteCount()
            try value.require(bytes >= 1 << 20, expected: "at least 1MiB", fix: "use e.g. 2GiB, or null for no limit")
            return bytes
        }
        reader.read(mapping["min_free_bytes"], into: &minFreeBytes) { value throws(ConfigurationError) -> Int? in
            value.isNull ? nil : try value.byteCount()
        }
        reader.read(mapping["on_full"], into: &policy) { value throws(ConfigurationError) in
            try value.choice(Policy.self)
        }
    }
}
