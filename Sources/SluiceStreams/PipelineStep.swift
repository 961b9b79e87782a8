/// One step of a pipeline: the index of its operator in the pipeline's array of that kind, so a
/// step is a trivial value (no reference counting per record) and stateful operators are
/// mutated in place, never copied on write.
enum PipelineStep: Sendable {
    case filter(Int)
    case project(Int)
    case deadband(Int)
    case window(Int)
}
