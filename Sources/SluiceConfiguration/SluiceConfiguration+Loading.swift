import Foundation
import SluiceLog

extension SluiceConfiguration {
    /// The top-level keys of the configuration file.
    static let configurationKeys = [
        "gateway_id", "data_dir", "devices_dir", "mqtt", "log", "topic_defaults", "topics", "dead_letters", "upstream", "kafka_listener",
        "storage", "metrics", "streams",
    ]

    /// Loads the configuration file and the device profiles of its `devices_dir`, then checks them
    /// against each other (see `load(yaml:file:)`).
    /// - Parameter path: the configuration file, e.g. `/etc/sluice/sluice.yaml`.
    /// - Returns: the configuration, with `profiles` loaded.
    /// - Throws: `ConfigurationErrors` with every problem found, in this file and in the profiles,
    ///   each naming its file and line.
    public static func load(file path: String) throws(ConfigurationErrors) -> SluiceConfiguration {
        let yaml: String
        do {
            yaml = try ConfigurationReader.contents(of: path)
        } catch {
            throw ConfigurationErrors([error])
        }
        return try load(yaml: yaml, file: path)
    }

    /// Loads a configuration from YAML text, then the device profiles of its `devices_dir`.
    ///
    /// Every key is optional; an absent key keeps the default of the model (`gateway_id` defaults
    /// to the host name). Relative paths are resolved against the folder of `path`. After reading,
    /// the whole configuration is checked: each profile's filter is unique and its topic is not the
    /// dead-letter topic, and every entry of `topics` names a topic some profile writes to.
    /// - Parameters:
    ///   - yaml: the configuration's text.
    ///   - path: the file it came from, for messages and for resolving relative paths.
    /// - Returns: the configuration, with `profiles` loaded.
    /// - Throws: `ConfigurationErrors` with every problem found.
    public static func load(yaml: String, file path: String) throws(ConfigurationErrors) -> SluiceConfiguration {
        var reader = ConfigurationReader(file: path)
        let root: YAMLValue
        do {
            root = try reader.root(of: yaml)
        } catch {
            throw ConfigurationErrors([error])
        }
        var configuration = SluiceConfiguration()
        configuration.gatewayID = ProcessInfo.processInfo.hostName
        let document = reader.mapping(root, keys: configurationKeys)
        let (topicLocations, maxBytesLocation) = document.map { configuration.apply($0, reader: &reader) } ?? ([:], nil)
        let streamDocuments = document.flatMap { reader.mapping($0["streams"], keys: nil) }
            .map { StreamJobSettings.readAll($0, reader: &reader) } ?? []
        configuration.streams = streamDocuments.map(\.job)
        let location = document?["devices_dir"]?.location ?? FileLocation(file: path)
        let (profiles, allProfilesRead) = loadProfiles(
            in: configuration.devicesDirectory, at: location, reader: &reader)
        configuration.profiles = profiles.map(\.profile)
        configuration.check(profiles, allProfilesRead: allProfilesRead, topicLocations: topicLocations, reader: &reader)
        if let maxBytesLocation { configuration.checkStorage(at: maxBytesLocation, reader: &reader) }
        configuration.checkStreams(streamDocuments, profiles: profiles, allProfilesRead: allProfilesRead, reader: &reader)
        guard reader.errors.isEmpty else {
            // This file first, then the profiles in the order they were read (by name).
            let profileFiles = Set(reader.errors.compactMap(\.file)).subtracting([path]).sorted()
            throw ConfigurationErrors(reader.errors, fileOrder: [path] + profileFiles)
        }
        return configuration
    }

    /// Applies the top-level keys.
    /// - Returns: the place of each `topics` entry and of `storage.max_bytes`, for the checks
    ///   across files.
    private mutating func apply(
        _ document: YAMLMapping, reader: inout ConfigurationReader
    ) -> (topics: [String: FileLocation], maxBytes: FileLocation?) {
        reader.read(document["gateway_id"], into: &gatewayID) { value throws(ConfigurationError) in
            // The alphabet of topic names: the id travels in record headers and upstream topic prefixes.
            let expected = "a gateway id of 1–249 letters, digits, '.', '_' or '-'"
            let id = try value.text(expected: expected)
            try value.require(LogManager.isValidTopicName(id), .invalidValue, expected: expected, fix: "e.g. gw-0001")
            return id
        }
        reader.read(document["data_dir"], into: &dataDirectory) { value throws(ConfigurationError) in
            try value.path(expected: "the log's data folder")
        }
        reader.read(document["devices_dir"], into: &devicesDirectory) { value throws(ConfigurationError) in
            try value.path(expected: "the device-profile folder")
        }
        if let section = reader.mapping(document["mqtt"], keys: MQTTSettings.configurationKeys) {
            mqtt.apply(section, reader: &reader)
        }
        if let section = reader.mapping(document["log"], keys: LogSettings.configurationKeys) {
            log.apply(section, reader: &reader)
        }
        if let section = reader.mapping(document["topic_defaults"], keys: TopicConfiguration.configurationKeys) {
            topicDefaults.apply(section, reader: &reader)
        }
        if let section = reader.mapping(document["upstream"], keys: UpstreamSettings.configurationKeys) {
            var settings = UpstreamSettings()
            settings.apply(section, reader: &reader)
            upstream = settings
        }
        var maxBytesLocation: FileLocation?
        if let section = reader.mapping(document["storage"], keys: DiskBudget.configurationKeys) {
            storage.apply(section, reader: &reader)
            maxBytesLocation = section["max_bytes"]?.location
        }
        if let section = reader.mapping(document["kafka_listener"], keys: KafkaListenerSettings.configurationKeys) {
            var settings = KafkaListenerSettings()
            settings.apply(section, reader: &reader)
            kafkaListener = settings
        }
        if let section = reader.mapping(document["metrics"], keys: MetricsSettings.configurationKeys) {
            var settings = MetricsSettings()
            metrics = settings.apply(section, reader: &reader) ? settings : nil
        }
        var topicLocations: [String: FileLocation] = [:]
        for (name, value) in reader.mapping(document["topics"], keys: nil)?.entries ?? [] {
            guard LogManager.isValidTopicName(name) else {
                reader.errors.append(
                    value.keyLocation.error(
                        .invalidValue,
                        "topics: expected a topic name of 1–249 letters, digits, '.', '_' or '-', found '\(name)'",
                        fix: "e.g. telemetry"))
                continue
            }
            var topic = topicDefaults
            if let section = reader.mapping(value, keys: TopicConfiguration.configurationKeys) {
                topic.apply(section, reader: &reader)
            }
            topics[name] = topic
            topicLocations[name] = value.keyLocation
        }
        // The dead-letter topic takes the topic defaults too, except its single partition.
        deadLetters.configuration = topicDefaults
        deadLetters.configuration.partitionCount = 1
        if let section = reader.mapping(
            document["dead_letters"], keys: ["topic"] + TopicConfiguration.configurationKeys)
        {
            reader.read(section["topic"], into: &deadLetters.topic) { value throws(ConfigurationError) in
                try value.topicName()
            }
            deadLetters.configuration.apply(section, reader: &reader)
        }
        return (topicLocations, maxBytesLocation)
    }

    /// Loads every `*.yaml` in `directory`, sorted by name; a `*.yml` file is reported rather than
    /// silently skipped.
    /// - Parameters:
    ///   - directory: the resolved `devices_dir`.
    ///   - location: where `devices_dir` is set (or the file, for the default).
    /// - Returns: the profiles read, and whether every profile file was read (so that every
    ///   topic written to is known).
    private static func loadProfiles(
        in directory: String, at location: FileLocation, reader: inout ConfigurationReader
    ) -> (profiles: [DeviceProfileDocument], allRead: Bool) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            reader.errors.append(
                location.error(
                    .fileNotFound, "devices_dir: expected a folder of device profiles, found no folder '\(directory)'",
                    fix: "create it with one <class>.yaml per device class, or correct devices_dir"))
            return ([], false)
        }
        var profiles: [DeviceProfileDocument] = []
        var profileFileCount = 0
        for name in names where !name.hasPrefix(".") {
            let file = (directory as NSString).appendingPathComponent(name)
            if name.hasSuffix(".yml") {
                reader.errors.append(
                    FileLocation(file: file).error(
                        .invalidValue, "device profile '\(name)' is not loaded: only *.yaml files are",
                        fix: "rename it to \((name as NSString).deletingPathExtension).yaml"))
            }
            guard name.hasSuffix(".yaml") else { continue }
            profileFileCount += 1
            var profileReader = ConfigurationReader(file: file)
            do {
                let yaml = try ConfigurationReader.contents(of: file)
                if let profile = DeviceProfile.read(yaml: yaml, reader: &profileReader) { profiles.append(profile) }
            } catch {
                profileReader.errors.append(error)
            }
            reader.errors += profileReader.errors
        }
        if profileFileCount == 0 {
            reader.errors.append(
                location.error(
                    .missingValue,
                    "devices_dir: expected at least one device profile (*.yaml) in '\(directory)', found none",
                    fix: "add one <class>.yaml per device class (see devices/README.md)"))
        }
        return (profiles, profileFileCount > 0 && profiles.count == profileFileCount)
    }
}
