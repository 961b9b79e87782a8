/// One operator of a stream job, as configured.
public enum StreamOperatorSettings: Sendable, Hashable {
    /// Keeps the records whose JSON fields pass the conditions.
    case filter(FilterSettings)
    /// Keeps, renames or drops fields; adds the key or the source topic as a field.
    case project(ProjectSettings)
    /// Per key, passes a record only when a number moved enough, or after a silence.
    case deadband(DeadbandSettings)
    /// Per key, one aggregate record per event-time window.
    case window(WindowSettings)

    /// The operator's name as the configuration writes it.
    public var name: String {
        switch self {
        case .filter: "filter"
        case .project: "project"
        case .deadband: "deadband"
        case .window: "window"
        }
    }
}
