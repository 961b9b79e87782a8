import SluiceLog

extension StreamJobSettings {
    /// The keys of one job under `streams:`.
    static let configurationKeys = ["input", "inputs", "output", "operators", "max_keys", "checkpoint_interval"]
    /// The operator names.
    static let operatorNames = ["filter", "project", "deadband", "window"]

    /// Reads the `streams:` section: a mapping from job name to job.
    static func readAll(_ section: YAMLMapping, reader: inout ConfigurationReader) -> [StreamJobDocument] {
        var documents: [StreamJobDocument] = []
        for (name, value) in section.entries {
            guard LogManager.isValidTopicName(name) else {
                reader.errors.append(
                    value.keyLocation.error(
                        .invalidValue, "streams: expected a job name of 1–249 letters, digits, '.', '_' or '-', found '\(name)'",
                        fix: "e.g. telemetry-1m"))
                continue
            }
            guard let mapping = reader.mapping(value, keys: configurationKeys) else { continue }
            if let document = read(name: name, mapping, reader: &reader) { documents.append(document) }
        }
        return documents
    }

    /// Reads one job; nil (with errors added) when a required part is missing or unreadable.
    private static func read(name: String, _ mapping: YAMLMapping, reader: inout ConfigurationReader) -> StreamJobDocument? {
        let errorCount = reader.errors.count
        var inputs: [String] = []
        var inputLocations: [FileLocation] = []
        if let input = mapping["input"], mapping["inputs"] != nil {
            reader.errors.append(
                input.keyLocation.error(.conflict, "\(mapping.owner.path): both input and inputs are given", fix: "keep one of them"))
        } else if let input = mapping["input"] {
            if let topic = reader.attempt({ () throws(ConfigurationError) in try input.topicName() }) {
                inputs = [topic]
                inputLocations = [input.location]
            }
        } else if let list = mapping["inputs"] {
            if let items = reader.attempt({ () throws(ConfigurationError) in try list.sequence(expected: "a list of topic names") }) {
                for item in items {
                    if let topic = reader.attempt({ () throws(ConfigurationError) in try item.topicName() }) {
                        inputs.append(topic)
                        inputLocations.append(item.location)
                    }
                }
                if items.isEmpty {
                    reader.errors.append(list.error(.missingValue, expected: "at least one input topic", fix: "e.g. inputs: [telemetry]"))
                }
            }
        } else {
            reader.attempt { () throws(ConfigurationError) in _ = try mapping.required("input", fix: "add input: <topic>, e.g. input: telemetry") }
        }
        var output = ""
        var outputLocation = mapping.owner.keyLocation
        if let value = reader.attempt({ () throws(ConfigurationError) in
            try mapping.required("output", fix: "add output: <topic>, e.g. output: \(inputs.first ?? "telemetry")-1m")
        }) {
            outputLocation = value.location
            reader.read(value, into: &output) { value throws(ConfigurationError) in try value.topicName() }
        }
        var job = StreamJobSettings(name: name, inputs: inputs, output: output, operators: [])
        reader.read(mapping["max_keys"], into: &job.maxKeys) { value throws(ConfigurationError) in
            try value.integer(in: 1...10_000_000, fix: "use e.g. 10000, a bit above the number of devices")
        }
        reader.read(mapping["checkpoint_interval"], into: &job.checkpointInterval) { value throws(ConfigurationError) in
            let interval = try value.duration()
            try value.require(
                interval >= .milliseconds(10) && interval <= .seconds(3600), expected: "a checkpoint interval of 10ms…1h",
                fix: "use e.g. 10s")
            return interval
        }
        var fieldUses: [StreamJobDocument.FieldUse] = []
        var isReshaped = false
        if let list = reader.attempt({ () throws(ConfigurationError) in
            try mapping.required("operators", fix: "add operators: with a list of filter, project, deadband or window")
        }), let items = reader.attempt({ () throws(ConfigurationError) in
            try list.sequence(expected: "a list of operators (filter, project, deadband, window)")
        }) {
            if items.isEmpty {
                reader.errors.append(list.error(.missingValue, expected: "at least one operator", fix: "e.g. - filter: \"temp > -40\""))
            }
            var windowCount = 0
            for item in items {
                guard let entry = reader.mapping(item, keys: operatorNames) else { continue }
                guard entry.entries.count == 1, let (kind, value) = entry.entries.first else {
                    if entry.entries.count > 1 {
                        reader.errors.append(
                            item.location.error(
                                .invalidValue, "\(item.path): expected one operator per list item, found \(entry.entries.map(\.key).joined(separator: ", "))",
                                fix: "start each operator with its own '- '"))
                    } else if reader.errors.count == errorCount {
                        reader.errors.append(item.error(.missingValue, expected: "an operator: filter, project, deadband or window"))
                    }
                    continue
                }
                var uses: [StreamJobDocument.FieldUse] = []
                let parsed: StreamOperatorSettings?
                switch kind {
                case "filter": parsed = readFilter(value, uses: &uses, reader: &reader).map { .filter($0) }
                case "project": parsed = readProject(value, reader: &reader).map { .project($0) }
                case "deadband": parsed = readDeadband(value, uses: &uses, reader: &reader).map { .deadband($0) }
                default:
                    windowCount += 1
                    if windowCount == 2 {
                        reader.errors.append(
                            value.keyLocation.error(
                                .conflict, "\(value.path): a job has at most one window", fix: "chain a second job that reads this job's output"))
                    }
                    parsed = readWindow(value, uses: &uses, reader: &reader).map { .window($0) }
                }
                if !isReshaped { fieldUses += uses }
                if kind == "project" || kind == "window" { isReshaped = true }
                if let parsed { job.operators.append(parsed) }
            }
        }
        guard reader.errors.count == errorCount else { return nil }
        return StreamJobDocument(
            job: job, nameLocation: mapping.owner.keyLocation, inputLocations: inputLocations, outputLocation: outputLocation,
            fieldUses: fieldUses)
    }
}
