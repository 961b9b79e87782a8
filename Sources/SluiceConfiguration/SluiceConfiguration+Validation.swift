import SluiceLog

extension SluiceConfiguration {
    /// The checks that need the whole configuration and every profile, each reported on the line
    /// of the value to change:
    /// - no profile writes to the dead-letter topic;
    /// - no two profiles subscribe to the same filter (a message must have one profile);
    /// - every entry of `topics` names a topic some profile writes to (checked only when every
    ///   profile was read, or an unreadable profile's topic would be reported too), and not the
    ///   dead-letter topic, which `dead_letters` configures.
    /// - Parameters:
    ///   - profiles: the loaded profiles with their places.
    ///   - allProfilesRead: whether every profile file was read.
    ///   - topicLocations: the place of each `topics` entry.
    ///   - reader: where problems are reported.
    func check(
        _ profiles: [DeviceProfileDocument], allProfilesRead: Bool, topicLocations: [String: FileLocation],
        reader: inout ConfigurationReader
    ) {
        var profileByFilter: [String: DeviceProfileDocument] = [:]
        for document in profiles {
            let profile = document.profile
            if profile.topic == deadLetters.topic {
                reader.errors.append(
                    document.topicLocation.error(
                        .conflict, "topic: expected a topic other than the dead-letter topic, found '\(profile.topic)'",
                        fix: "write to another topic; rejected messages reach \(deadLetters.topic) on their own"))
            }
            let filter = profile.filter.subscriptionFilter
            if let first = profileByFilter[filter] {
                reader.errors.append(
                    document.filterLocation.error(
                        .conflict,
                        "filter: expected a filter no other profile has, found '\(filter)', also the filter of \(first.filterLocation)",
                        fix: "merge the two profiles, or make their filters differ"))
            } else {
                profileByFilter[filter] = document
            }
        }
        let writtenTopics = Set(profiles.map(\.profile.topic)).union(streams.map(\.output))
        for (topic, location) in topicLocations.sorted(by: { $0.key < $1.key }) {
            if topic == deadLetters.topic {
                reader.errors.append(
                    location.error(
                        .conflict, "topics.\(topic): the dead-letter topic is configured under dead_letters",
                        fix: "move these settings to dead_letters"))
            } else if allProfilesRead && !writtenTopics.contains(topic) {
                let suggestion = writtenTopics.sorted().closest(to: topic).map { "did you mean '\($0)'? else " } ?? ""
                reader.errors.append(
                    location.error(
                        .conflict, "topics.\(topic): no device profile writes to topic '\(topic)'",
                        fix: "\(suggestion)remove it or add a profile"))
            }
        }
    }

    /// `storage.max_bytes` must leave room beyond the active segments, which are never deleted:
    /// at least twice what they can grow to (every partition × its `segment_bytes`).
    func checkStorage(at location: FileLocation, reader: inout ConfigurationReader) {
        guard let maxBytes = storage.maxBytes else { return }
        let topics = Set(profiles.map(\.topic)).map { topicConfiguration($0) } + [deadLetters.configuration]
        let partitions = topics.reduce(0) { $0 + $1.partitionCount }
        let active = topics.reduce(0) { $0 + $1.partitionCount * $1.segmentBytes }
        if maxBytes < 2 * active {
            reader.errors.append(
                location.error(
                    .conflict,
                    "storage.max_bytes: expected at least twice what the \(partitions) active segments can hold (\(active) bytes), found \(maxBytes) bytes",
                    fix: "raise max_bytes to at least \((2 * active + (1 << 20) - 1) >> 20)MiB, or lower segment_bytes in topic_defaults"))
        }
    }
}
