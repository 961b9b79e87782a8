/// One step of a pipeline: a stateless operator itself, or the index of a stateful one in the
/// pipeline's own arrays (so its state is mutated in place, never copied on write).
enum PipelineStep: Sendable {
    case filter(FilterOperator)
    case project(ProjectOperator)
    case deadband(Int)
    case window(Int)
}
