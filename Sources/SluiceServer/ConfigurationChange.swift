import SluiceConfiguration

/// What differs between the running configuration and a newly loaded one, split into what a
/// reload (SIGHUP) applies — device profiles and the settings of topics ingest has not opened
/// yet — and what needs a restart, named by section so the log line says exactly what to do.
public struct ConfigurationChange: Sendable, Equatable {
    /// Profiles (by name) that are new.
    public var addedProfiles: [String] = []
    /// Profiles (by name) that are gone.
    public var removedProfiles: [String] = []
    /// Profiles (by name) whose definition changed.
    public var changedProfiles: [String] = []
    /// Sections or settings that changed but are applied only by a restart, e.g. `mqtt`,
    /// `topics.telemetry` (a topic that is open keeps its partitions and retention).
    public var needsRestart: [String] = []

    /// Compares `old` (running) with `new` (just loaded).
    public init(from old: SluiceConfiguration, to new: SluiceConfiguration) {
        let oldProfiles = Dictionary(old.profiles.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newProfiles = Dictionary(new.profiles.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        addedProfiles = new.profiles.map(\.name).filter { oldProfiles[$0] == nil }
        removedProfiles = old.profiles.map(\.name).filter { newProfiles[$0] == nil }
        changedProfiles = new.profiles.compactMap { profile in
            oldProfiles[profile.name].flatMap { $0 == profile ? nil : profile.name }
        }
        func note(_ section: String, _ isChanged: Bool) { if isChanged { needsRestart.append(section) } }
        note("gateway_id", old.gatewayID != new.gatewayID)
        note("data_dir", old.dataDirectory != new.dataDirectory)
        note("devices_dir", old.devicesDirectory != new.devicesDirectory)
        note("mqtt", old.mqtt != new.mqtt)
        note("log", old.log != new.log)
        note("dead_letters", old.deadLetters != new.deadLetters)
        note("upstream", old.upstream != new.upstream)
        note("kafka_listener", old.kafkaListener != new.kafkaListener)
        // Topics that were open keep the settings they were opened with.
        let openTopics = Set(old.profiles.map(\.topic))
        for topic in openTopics.sorted() where old.topicConfiguration(topic) != new.topicConfiguration(topic) {
            needsRestart.append("topics.\(topic)")
        }
        // Forwarding covers the topics it was started with.
        if let upstream = new.upstream, upstream.topics.isEmpty, old.upstream == new.upstream {
            for topic in Set(new.profiles.map(\.topic)).subtracting(openTopics).sorted() {
                needsRestart.append("upstream (to forward the new topic \(topic))")
            }
        }
    }

    /// Whether anything at all differs.
    public var isEmpty: Bool {
        addedProfiles.isEmpty && removedProfiles.isEmpty && changedProfiles.isEmpty && needsRestart.isEmpty
    }

    /// Whether the device profiles differ (what a reload applies).
    public var changesProfiles: Bool { !(addedProfiles.isEmpty && removedProfiles.isEmpty && changedProfiles.isEmpty) }
}
