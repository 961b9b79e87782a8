import SluiceConfiguration
import SluiceJSON

/// A job's operators in order, and their state: turns each input record into the records it
/// yields (none, one, or the windows it closes). Knows nothing of the log or the catalog, so it
/// is tested alone; `StreamJobRunner` feeds it and writes what it yields.
///
/// Thread-safety: a value type; one pipeline per job, used by one thread.
public struct StreamPipeline: Sendable {
    private let job: StreamJobSettings
    private var steps: [PipelineStep] = []
    private var filters: [FilterOperator] = []
    private var projects: [ProjectOperator] = []
    private var deadbands: [DeadbandOperator] = []
    private var windows: [WindowOperator] = []
    private var current: [StreamRecord] = []
    /// The steps before the first `project` (up to and including a window) read the input's
    /// fields: one pass of this finder serves them all.
    private var sharedFinder: JSONFieldFinder?
    private var sharedEnd = 0
    /// Per step: where its fields are among the shared ones.
    private var slots: [[Int]] = []

    /// A pipeline without operators, to hold a place while the real one is borrowed.
    static let placeholder = StreamPipeline(StreamJobSettings(name: "", inputs: [], output: "", operators: []))

    /// Compiles the operators of `job`.
    public init(_ job: StreamJobSettings) {
        self.job = job
        for settings in job.operators {
            switch settings {
            case .filter(let filter):
                steps.append(.filter(filters.count))
                filters.append(FilterOperator(filter))
            case .project(let project):
                steps.append(.project(projects.count))
                projects.append(ProjectOperator(project))
            case .deadband(let deadband):
                steps.append(.deadband(deadbands.count))
                deadbands.append(DeadbandOperator(deadband, maxKeys: job.maxKeys))
            case .window(let window):
                steps.append(.window(windows.count))
                windows.append(WindowOperator(window, maxKeys: job.maxKeys))
            }
        }
        var sharedKeys: [String] = []
        func slotsOf(_ fields: [String]) -> [Int] {
            fields.map { field in
                if let index = sharedKeys.firstIndex(of: field) { return index }
                sharedKeys.append(field)
                return sharedKeys.count - 1
            }
        }
        scan: for step in steps {
            switch step {
            case .filter(let index): slots.append(slotsOf(filters[index].fields))
            case .deadband(let index): slots.append(slotsOf([deadbands[index].field]))
            case .window(let index):
                slots.append(slotsOf(windows[index].fields))
                sharedEnd += 1
                break scan
            case .project: break scan
            }
            sharedEnd += 1
        }
        if !sharedKeys.isEmpty { sharedFinder = JSONFieldFinder(keys: sharedKeys) }
    }

    /// Runs one record through every operator, appending what comes out to `output`.
    public mutating func process(_ record: StreamRecord, context: inout StreamContext, output: inout [StreamRecord]) {
        guard let finder = sharedFinder, let value = record.value else {
            return processRest(record, from: 0, context: &context, output: &output)
        }
        value.withUnsafeBytes { document in
            let count = finder.keys.count
            withUnsafeTemporaryAllocation(of: JSONField?.self, capacity: count) { fields in
                let isObject = finder.find(document, into: fields)
                defer { fields.deinitialize() }
                withUnsafeTemporaryAllocation(of: Double?.self, capacity: count) { numbers in
                    // Each shared field's number is parsed once, whichever operators read it.
                    for index in 0..<count { (numbers.baseAddress! + index).initialize(to: Self.number(fields[index], in: document)) }
                    defer { numbers.deinitialize() }
                    processShared(
                        record, document: document, fields: UnsafeBufferPointer(fields), numbers: UnsafeBufferPointer(numbers),
                        isObject: isObject, context: &context, output: &output)
                }
            }
        }
    }

    /// The steps before `sharedEnd`, reading the fields found once; then the rest.
    private mutating func processShared(
        _ record: StreamRecord, document: UnsafeRawBufferPointer, fields: UnsafeBufferPointer<JSONField?>,
        numbers: UnsafeBufferPointer<Double?>, isObject: Bool, context: inout StreamContext, output: inout [StreamRecord]
    ) {
        for stepIndex in 0..<sharedEnd {
            switch steps[stepIndex] {
            case .filter(let index):
                guard isObject, filters[index].passes(document: document, fields: fields, numbers: numbers, slots: slots[stepIndex]) else {
                    return
                }
            case .deadband(let index):
                guard deadbands[index].passes(record, number: numbers[slots[stepIndex][0]], context: &context) else { return }
            case .window(let index):
                let stepSlots = slots[stepIndex]
                current.removeAll(keepingCapacity: true)
                withUnsafeTemporaryAllocation(of: Double?.self, capacity: max(1, stepSlots.count)) { own in
                    for (position, slot) in stepSlots.enumerated() { (own.baseAddress! + position).initialize(to: numbers[slot]) }
                    defer { own.deinitialize() }
                    windows[index].apply(record, numbers: UnsafeBufferPointer(own), context: &context, output: &current)
                }
                guard !current.isEmpty else { return }
                let closed = current
                for window in closed { processRest(window, from: stepIndex + 1, context: &context, output: &output) }
                return
            case .project:
                break  // never before sharedEnd
            }
        }
        processRest(record, from: sharedEnd, context: &context, output: &output)
    }

    /// The finite number a found field holds, if any.
    private static func number(_ field: JSONField?, in document: UnsafeRawBufferPointer) -> Double? {
        guard let field, field.kind == .number else { return nil }
        return JSONNumber.parse(UnsafeRawBufferPointer(rebasing: document[field.range]))
    }

    /// Runs `record` through the steps from `start` on (after a window).
    private mutating func processRest(_ record: StreamRecord, from start: Int, context: inout StreamContext, output: inout [StreamRecord]) {
        var item = record
        var stepIndex = start
        while stepIndex < steps.count {
            switch steps[stepIndex] {
            case .filter(let index):
                guard filters[index].passes(item.value) else { return }
            case .project(let index):
                item = projects[index].apply(item, context: context)
            case .deadband(let index):
                guard deadbands[index].passes(item, context: &context) else { return }
            case .window(let index):
                var closed: [StreamRecord] = []
                windows[index].apply(item, context: &context, output: &closed)
                for window in closed { processRest(window, from: stepIndex + 1, context: &context, output: &output) }
                return
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
