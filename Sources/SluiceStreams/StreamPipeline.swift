import SluiceConfiguration

/// A job's operators in order, and their state: turns each input record into the records it
/// yields (none, one, or the windows it closes). Knows nothing of the log or the catalog, so it
/// is tested alone; `StreamJobRunner` feeds it and writes what it yields.
///
/// Thread-safety: a value type; one pipeline per job, used by one thread.
public struct StreamPipeline: Sendable {
    private let job: StreamJobSettings
    private var steps: [PipelineStep] = []
    private var deadbands: [DeadbandOperator] = []
    private var windows: [WindowOperator] = []
    private var current: [StreamRecord] = []
    private var next: [StreamRecord] = []

    /// Compiles the operators of `job`.
    public init(_ job: StreamJobSettings) {
        self.job = job
        for settings in job.operators {
            switch settings {
            case .filter(let filter): steps.append(.filter(FilterOperator(filter)))
            case .project(let project): steps.append(.project(ProjectOperator(project)))
            case .deadband(let deadband):
                steps.append(.deadband(deadbands.count))
                deadbands.append(DeadbandOperator(deadband, maxKeys: job.maxKeys))
            case .window(let window):
                steps.append(.window(windows.count))
                windows.append(WindowOperator(window, maxKeys: job.maxKeys))
            }
        }
    }

    /// Runs one record through every operator, appending what comes out to `output`.
    public mutating func process(_ record: StreamRecord, context: inout StreamContext, output: inout [StreamRecord]) {
        // The common case, one record passing from step to step, needs no buffers.
        var item = record
        var stepIndex = 0
        while stepIndex < steps.count {
            switch steps[stepIndex] {
            case .filter(let filter):
                guard filter.passes(item.value) else { return }
            case .project(let project):
                item = project.apply(item, context: context)
            case .deadband(let index):
                guard deadbands[index].passes(item, context: &context) else { return }
            case .window(let index):
                current.removeAll(keepingCapacity: true)
                windows[index].apply(item, context: &context, output: &current)
                guard !current.isEmpty else { return }
                // Usually one window closes at a time; any later steps run over each.
                let closed = current
                for window in closed { processRest(window, from: stepIndex + 1, context: &context, output: &output) }
                return
            }
            stepIndex += 1
        }
        output.append(item)
    }

    /// Runs `record` through the steps from `start` on (after a window).
    private mutating func processRest(_ record: StreamRecord, from start: Int, context: inout StreamContext, output: inout [StreamRecord]) {
        var item = record
        var stepIndex = start
        while stepIndex < steps.count {
            switch steps[stepIndex] {
            case .filter(let filter):
                guard filter.passes(item.value) else { return }
            case .project(let project):
                item = project.apply(item, context: context)
            case .deadband(let index):
                guard deadbands[index].passes(item, context: &context) else { return }
            case .window:
                return  // the configuration allows one window per job
            }
            stepIndex += 1
        }
        output.append(item)
    }

    /// Keys with state, over all stateful operators.
    public var keyCount: Int {
        deadbands.reduce(0) { $0 + $1.keyCount } + windows.reduce(0) { $0 + $1.keyCount }
    }

    /// The state of every stateful operator, for a checkpoint.
    public func encodedState() -> [UInt8] {
        var writer = StateWriter()
        writer.integer(1)  // format version
        for deadband in deadbands { deadband.encode(into: &writer) }
        for window in windows { window.encode(into: &writer) }
        return writer.bytes
    }

    /// Restores what `encodedState()` saved.
    /// - Throws: `StreamError` `.corruptState`; the state is then empty.
    public mutating func restore(_ bytes: [UInt8]) throws(StreamError) {
        var reader = StateReader(bytes)
        do throws(StreamError) {
            guard try reader.integer() == 1 else { throw StreamError.truncatedState }
            for index in deadbands.indices { try deadbands[index].decode(from: &reader) }
            for index in windows.indices { try windows[index].decode(from: &reader) }
            guard reader.isAtEnd else { throw StreamError.truncatedState }
        } catch {
            self = StreamPipeline(job)
            throw error
        }
    }
}
