import SluiceLog
import Yams

extension StreamJobSettings {
    /// A top-level JSON field name as operators take it.
    static func fieldName(_ value: YAMLValue) throws(ConfigurationError) -> String {
        let name = try value.string(expected: "a top-level JSON field name")
        try value.require(
            !name.contains("\"") && !name.contains("\\") && name.unicodeScalars.allSatisfy { $0.value >= 0x20 }, .invalidValue,
            expected: "a field name without quotes, backslashes or control characters")
        return name
    }

    /// `filter: "temp > 30"`, `filter: [c1, c2]` (all), `filter: { all: [...] }` or `{ any: [...] }`.
    static func readFilter(
        _ value: YAMLValue, uses: inout [StreamJobDocument.FieldUse], reader: inout ConfigurationReader
    ) -> FilterSettings? {
        var mode = FilterSettings.Mode.all
        var list = value
        if value.isMapping {
            guard let mapping = reader.mapping(value, keys: ["all", "any"]) else { return nil }
            guard mapping.entries.count == 1, let (key, conditions) = mapping.entries.first else {
                reader.errors.append(
                    value.error(.invalidValue, expected: "one of all: [...] or any: [...]", fix: "split it into two filters (they combine as all)"))
                return nil
            }
            mode = key == "all" ? .all : .any
            list = conditions
        }
        let items: [YAMLValue]
        if case Node.sequence = list.node {
            guard let sequence = reader.attempt({ () throws(ConfigurationError) in try list.sequence() }) else { return nil }
            items = sequence
        } else {
            items = [list]
        }
        guard !items.isEmpty else {
            reader.errors.append(list.error(.missingValue, expected: "at least one condition", fix: "e.g. \"temp > -40\""))
            return nil
        }
        var conditions: [FilterCondition] = []
        for item in items {
            guard let condition = reader.attempt({ () throws(ConfigurationError) in try FilterCondition.parse(item) }) else { continue }
            let isNumeric = if case .number = condition.operand { true } else { false }
            uses.append(.init(field: condition.field, needsNumber: isNumeric, location: item.location))
            conditions.append(condition)
        }
        return conditions.count == items.count ? FilterSettings(mode: mode, conditions: conditions) : nil
    }

    /// `project: { keep: [...], drop: [...], rename: { old: new }, add_key: device, add_topic: source }`.
    static func readProject(_ value: YAMLValue, reader: inout ConfigurationReader) -> ProjectSettings? {
        guard let mapping = reader.mapping(value, keys: ["keep", "drop", "rename", "add_key", "add_topic"]) else { return nil }
        let errorCount = reader.errors.count
        var project = ProjectSettings()
        func fields(_ key: String, reader: inout ConfigurationReader) -> [String]? {
            guard let list = mapping[key] else { return nil }
            guard let items = reader.attempt({ () throws(ConfigurationError) in try list.sequence(expected: "a list of field names") }) else {
                return nil
            }
            return items.compactMap { item in reader.attempt { () throws(ConfigurationError) in try fieldName(item) } }
        }
        project.keep = fields("keep", reader: &reader)
        project.drop = fields("drop", reader: &reader) ?? []
        for (from, target) in reader.mapping(mapping["rename"], keys: nil)?.entries ?? [] {
            if let to = reader.attempt({ () throws(ConfigurationError) in try fieldName(target) }) {
                project.rename.append(FieldRename(from: from, to: to))
            }
        }
        reader.read(mapping["add_key"], into: &project.addKey) { value throws(ConfigurationError) in try fieldName(value) }
        reader.read(mapping["add_topic"], into: &project.addTopic) { value throws(ConfigurationError) in try fieldName(value) }
        if mapping.entries.isEmpty {
            reader.errors.append(
                value.error(.missingValue, expected: "at least one of keep, drop, rename, add_key or add_topic", fix: "e.g. { keep: [temp, hum] }"))
        }
        return reader.errors.count == errorCount ? project : nil
    }

    /// `deadband: { field: temp, delta: 0.5 | 2%, max_silence: 5m }`.
    static func readDeadband(
        _ value: YAMLValue, uses: inout [StreamJobDocument.FieldUse], reader: inout ConfigurationReader
    ) -> DeadbandSettings? {
        guard let mapping = reader.mapping(value, keys: ["field", "delta", "max_silence"]) else { return nil }
        let errorCount = reader.errors.count
        var field = ""
        if let fieldValue = reader.attempt({ () throws(ConfigurationError) in try mapping.required("field", fix: "add field: <numeric field>") }) {
            reader.read(fieldValue, into: &field) { value throws(ConfigurationError) in try fieldName(value) }
            uses.append(.init(field: field, needsNumber: true, location: fieldValue.location))
        }
        var delta = DeadbandSettings.Threshold.absolute(0)
        if let deltaValue = reader.attempt({ () throws(ConfigurationError) in
            try mapping.required("delta", fix: "add delta: 0.5 (units of the field) or delta: 2% (of the last value)")
        }) {
            reader.read(deltaValue, into: &delta) { value throws(ConfigurationError) in
                let expected = "a change such as 0.5 (units of the field) or 2% (of the last value)"
                var text = try value.text(expected: expected)
                let isPercent = text.hasSuffix("%")
                if isPercent { text.removeLast() }
                guard let number = Double(text.trimmingSpaces), number.isFinite else {
                    throw value.error(.invalidValue, expected: expected)
                }
                try value.require(number >= 0, expected: "a change of at least 0", fix: "the deadband compares magnitudes; drop the sign")
                return isPercent ? .percent(number) : .absolute(number)
            }
        }
        var maxSilence: Duration?
        reader.read(mapping["max_silence"], into: &maxSilence) { value throws(ConfigurationError) in
            if value.isNull { return nil }
            let silence = try value.duration()
            try value.require(silence > .zero, expected: "a duration above zero", fix: "use e.g. 5m, or leave it out for no heartbeat")
            return silence
        }
        return reader.errors.count == errorCount ? DeadbandSettings(field: field, delta: delta, maxSilence: maxSilence) : nil
    }

    /// `window: { size: 1m, advance: 30s, grace: 10s, aggregates: { temp: [avg, min, max, count] } }`.
    static func readWindow(
        _ value: YAMLValue, uses: inout [StreamJobDocument.FieldUse], reader: inout ConfigurationReader
    ) -> WindowSettings? {
        guard let mapping = reader.mapping(value, keys: ["size", "advance", "grace", "aggregates"]) else { return nil }
        let errorCount = reader.errors.count
        var size = Duration.seconds(60)
        if let sizeValue = reader.attempt({ () throws(ConfigurationError) in try mapping.required("size", fix: "add size: 1m") }) {
            reader.read(sizeValue, into: &size) { value throws(ConfigurationError) in
                let size = try value.duration()
                try value.require(
                    size >= .seconds(1) && size <= .seconds(7 * 86_400), expected: "a window size of 1s…7d", fix: "use e.g. 1m")
                return size
            }
        }
        var advance = size
        reader.read(mapping["advance"], into: &advance) { value throws(ConfigurationError) in
            let advance = try value.duration()
            try value.require(
                advance >= .milliseconds(1) && advance <= size && size.wholeMilliseconds % max(1, advance.wholeMilliseconds) == 0,
                expected: "an advance above zero that divides the size (\(ConfigurationValue.text(size)))",
                fix: "use the size for tumbling windows, or e.g. \(ConfigurationValue.text(.milliseconds(max(1, size.wholeMilliseconds / 2))))")
            return advance
        }
        var grace = Duration.zero
        reader.read(mapping["grace"], into: &grace) { value throws(ConfigurationError) in
            let grace = try value.duration()
            try value.require(
                grace <= size, expected: "a grace no longer than the window (\(ConfigurationValue.text(size)))",
                fix: "use a grace of at most \(ConfigurationValue.text(size)), or a longer window")
            return grace
        }
        var aggregates: [WindowAggregate] = []
        if let list = reader.attempt({ () throws(ConfigurationError) in
            try mapping.required("aggregates", fix: "add aggregates: { <field>: [avg, min, max, count] }")
        }), let entries = reader.mapping(list, keys: nil) {
            if entries.entries.isEmpty {
                reader.errors.append(list.error(.missingValue, expected: "at least one field", fix: "e.g. { temp: [avg, min, max] }"))
            }
            for (field, functionsValue) in entries.entries {
                uses.append(.init(field: field, needsNumber: true, location: functionsValue.keyLocation))
                guard let items = reader.attempt({ () throws(ConfigurationError) in
                    try functionsValue.sequence(expected: "a list of count, min, max, avg, sum, first or last")
                }) else { continue }
                let functions = items.compactMap { item in
                    reader.attempt { () throws(ConfigurationError) in try item.choice(WindowAggregate.Function.self) }
                }
                if items.isEmpty {
                    reader.errors.append(functionsValue.error(.missingValue, expected: "at least one of count, min, max, avg, sum, first or last"))
                }
                aggregates.append(WindowAggregate(field: field, functions: functions))
            }
        }
        return reader.errors.count == errorCount
            ? WindowSettings(size: size, advance: advance, grace: grace, aggregates: aggregates) : nil
    }
}

extension String {
    /// Without leading and trailing spaces.
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
