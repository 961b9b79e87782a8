/// The key operator state is kept under: the record key within one input partition. State is
/// per input partition so that a job's output depends only on each partition's order, which a
/// replay after a crash reproduces exactly.
struct StateKey: Hashable {
    /// The input partition's index among the job's inputs.
    var source: Int32
    /// The record key (empty for records without one).
    var key: [UInt8]

    /// The key's bytes in one go (`[UInt8]`'s own hashing feeds the hasher byte by byte).
    func hash(into hasher: inout Hasher) {
        hasher.combine(source)
        key.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
