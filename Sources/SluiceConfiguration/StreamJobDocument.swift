/// A stream job as read from the file, with the places the checks across the configuration
/// (inputs exist, the output is free, fields have the right type) report at.
struct StreamJobDocument {
    /// A field an operator reads from the input records as they are stored.
    struct FieldUse {
        var field: String
        /// Whether the operator needs a number there (deadband, window, numeric comparisons).
        var needsNumber: Bool
        var location: FileLocation
    }

    var job: StreamJobSettings
    var nameLocation: FileLocation
    var inputLocations: [FileLocation]
    var outputLocation: FileLocation
    /// Fields read before any `project` or `window` reshapes the records.
    var fieldUses: [FieldUse]
}
