/// A device profile with the places of the values that checks across files report on: two profiles
/// with one filter, a profile writing to the dead-letter topic.
struct DeviceProfileDocument {
    /// The profile.
    var profile: DeviceProfile
    /// Where its `filter` value is.
    var filterLocation: FileLocation
    /// Where its `topic` value is.
    var topicLocation: FileLocation
}
