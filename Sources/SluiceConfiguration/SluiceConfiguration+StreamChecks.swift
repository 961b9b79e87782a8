extension SluiceConfiguration {
    /// The checks of the `streams:` section against the rest of the configuration, each reported
    /// on the line of the value to change:
    /// - every input is a device-profile topic or another job's output (when every profile was read);
    /// - the output is not an input of the same job, not the dead-letter topic, not a profile's
    ///   topic and not another job's output; jobs feeding each other in a circle are refused;
    /// - a field an operator reads as a number is not declared with another type by a profile that
    ///   writes the input, and is declared by at least one of them when all have a JSON schema.
    func checkStreams(
        _ documents: [StreamJobDocument], profiles: [DeviceProfileDocument], allProfilesRead: Bool,
        reader: inout ConfigurationReader
    ) {
        let profileTopics = Set(profiles.map(\.profile.topic))
        var outputOwner: [String: StreamJobDocument] = [:]
        for document in documents {
            let job = document.job
            if job.inputs.contains(job.output) {
                continue  // reported with the input
            } else if job.output == deadLetters.topic {
                reader.errors.append(
                    document.outputLocation.error(
                        .conflict, "streams.\(job.name).output: expected a topic other than the dead-letter topic, found '\(job.output)'",
                        fix: "write to a topic of its own, e.g. \(job.inputs.first ?? "telemetry")-\(job.name)"))
            } else if profileTopics.contains(job.output) {
                reader.errors.append(
                    document.outputLocation.error(
                        .conflict, "streams.\(job.name).output: topic '\(job.output)' is written by a device profile",
                        fix: "write to a topic of its own, e.g. \(job.output)-\(job.name)"))
            } else if let first = outputOwner[job.output] {
                reader.errors.append(
                    document.outputLocation.error(
                        .conflict, "streams.\(job.name).output: topic '\(job.output)' is also the output of job \(first.job.name) (\(first.outputLocation))",
                        fix: "give each job its own output topic"))
            } else {
                outputOwner[job.output] = document
            }
        }
        let known = profileTopics.union(outputOwner.keys)
        for document in documents {
            let job = document.job
            for (input, location) in zip(job.inputs, document.inputLocations) {
                if input == job.output {
                    reader.errors.append(
                        location.error(
                            .conflict, "streams.\(job.name): the output topic '\(input)' is also an input, so the job would read its own output",
                            fix: "write to another topic, e.g. output: \(input)-\(job.name)"))
                } else if input == deadLetters.topic {
                    continue  // reading dead letters (e.g. to count them) is allowed
                } else if allProfilesRead && !known.contains(input) {
                    let suggestion = known.subtracting([job.output]).sorted().closest(to: input).map { "did you mean '\($0)'? else " } ?? ""
                    reader.errors.append(
                        location.error(
                            .conflict, "streams.\(job.name): no device profile or stream job writes to topic '\(input)'",
                            fix: "\(suggestion)add a profile for it or correct the name"))
                }
            }
            checkFields(document, profiles: profiles, reader: &reader)
        }
        // Jobs feeding each other in a circle would never settle.
        for document in documents where !document.job.inputs.contains(document.job.output) {
            var seen: Set<String> = [document.job.name]
            var frontier = [document.job.output]
            var isCycle = false
            while let topic = frontier.popLast(), !isCycle {
                for next in documents where next.job.inputs.contains(topic) {
                    if next.job.name == document.job.name { isCycle = true; break }
                    if seen.insert(next.job.name).inserted { frontier.append(next.job.output) }
                }
            }
            if isCycle {
                reader.errors.append(
                    document.outputLocation.error(
                        .conflict, "streams.\(document.job.name): its output comes back to it as input through other jobs",
                        fix: "break the circle: let one job write to a topic no job in it reads"))
            }
        }
    }

    /// The field checks of one job against the schemas of the profiles writing its inputs.
    private func checkFields(_ document: StreamJobDocument, profiles: [DeviceProfileDocument], reader: inout ConfigurationReader) {
        let writers = profiles.map(\.profile).filter { document.job.inputs.contains($0.topic) }
        guard !writers.isEmpty else { return }
        var schemas: [(profile: DeviceProfile, schema: JSONSchema)] = []
        for profile in writers {
            if case .json(let schema) = profile.format, !schema.fields.isEmpty { schemas.append((profile, schema)) }
        }
        let allHaveSchemas = schemas.count == writers.count
        for use in document.fieldUses {
            var isDeclared = false
            for (profile, schema) in schemas {
                guard let rule = schema.fields.first(where: { $0.name == use.field }) else { continue }
                isDeclared = true
                if use.needsNumber && ![.number, .integer, .any].contains(rule.type) {
                    reader.errors.append(
                        use.location.error(
                            .conflict,
                            "streams.\(document.job.name): field '\(use.field)' is used as a number, but profile \(profile.name) (\(profile.sourceFile)) declares it \(rule.type.rawValue)",
                            fix: "use a numeric field, or compare with a quoted string"))
                }
            }
            if allHaveSchemas && !isDeclared {
                let names = Set(schemas.flatMap { $0.schema.fields.map(\.name) }).sorted()
                let suggestion = names.closest(to: use.field).map { "did you mean '\($0)'?" }
                    ?? "fields of \(Set(document.job.inputs).sorted().joined(separator: ", ")) are \(names.joined(separator: ", "))"
                reader.errors.append(
                    use.location.error(
                        .invalidValue,
                        "streams.\(document.job.name): no device profile writing \(document.job.inputs.joined(separator: ", ")) declares field '\(use.field)'",
                        fix: suggestion))
            }
        }
    }
}
