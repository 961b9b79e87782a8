import SluiceConfiguration
import SluiceJSON

/// The `window` operator: per key, tumbling or hopping windows of event time (the record
/// timestamp), each closed once the key's newest timestamp reaches its end plus the grace, and then
/// written as one aggregate record. Records whose every window has closed are late (for the
/// dead-letter topic). Event time is per key because each device keeps its own clock.
///
/// State per key: the newest timestamp and the open windows (with a grace below the window size,
/// at most `size / advance + 1` of them), each 16 bytes plus 48 per aggregated field.
///
/// Pure: the output depends only on each key's records in order, never on the wall clock.
public struct WindowOperator: Sendable {
    /// Per field: count, sum, min, max, first, last.
    static let slotsPerField = 6

    /// One closed window, handed to `result(of:key:)`.
    struct OpenWindow: Sendable {
        var start: Int64
        var count: Int64
        /// `slotsPerField` values per aggregated field.
        var values: ArraySlice<Double>
    }

    /// A key's open windows, oldest first, in three flat arrays (one allocation each per key,
    /// reused as windows close and open: no allocation per window).
    struct KeyState: Sendable {
        var eventTime: Int64
        var starts: [Int64] = []
        var counts: [Int64] = []
        /// `stride` values per open window.
        var values: [Double] = []
    }

    /// The settings in the form the hot path reads.
    struct Layout: Sendable {
        var finder: JSONFieldFinder
        var fieldCount: Int
        var sizeMillis: Int64
        var advanceMillis: Int64
        var graceMillis: Int64
    }

    private let settings: WindowSettings
    private let layout: Layout
    private var sizeMillis: Int64 { layout.sizeMillis }
    private let maxKeys: Int
    /// Output field names, `<field>_<function>`, per aggregate and function.
    private let outputNames: [[[UInt8]]]
    private(set) var states: [StateKey: KeyState] = [:]

    /// Creates the operator holding state for at most `maxKeys` keys.
    public init(_ settings: WindowSettings, maxKeys: Int) {
        self.settings = settings
        layout = Layout(
            finder: JSONFieldFinder(keys: settings.aggregates.map(\.field)), fieldCount: settings.aggregates.count,
            sizeMillis: Self.millis(settings.size), advanceMillis: max(1, Self.millis(settings.advance)),
            graceMillis: Self.millis(settings.grace))
        self.maxKeys = maxKeys
        outputNames = settings.aggregates.map { aggregate in
            aggregate.functions.map { Array("\(aggregate.field)_\($0.rawValue)".utf8) }
        }
    }

    private static func millis(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// Keys with state.
    public var keyCount: Int { states.count }

    /// The aggregated fields, in the order `apply(_:numbers:context:output:)` takes their numbers.
    public var fields: [String] { layout.finder.keys }

    /// Adds `record` to its windows and appends the records of the windows it closes to `output`.
    public mutating func apply(_ record: StreamRecord, context: inout StreamContext, output: inout [StreamRecord]) {
        let count = layout.fieldCount
        withUnsafeTemporaryAllocation(of: Double?.self, capacity: max(1, count)) { numbers in
            numbers.initialize(repeating: nil)
            defer { numbers.deinitialize() }
            Self.numbers(in: record.value, finder: layout.finder, into: numbers)
            apply(record, numbers: UnsafeBufferPointer(numbers), context: &context, output: &output)
        }
    }

    /// As `apply(_:context:output:)`, with the numbers of `fields` already read from the record
    /// (nil where a field holds no finite number).
    public mutating func apply(
        _ record: StreamRecord, numbers: UnsafeBufferPointer<Double?>, context: inout StreamContext, output: inout [StreamRecord]
    ) {
        let key = StateKey(source: context.source, key: record.key ?? [])
        let index: Dictionary<StateKey, KeyState>.Index
        if let found = states.index(forKey: key) {
            index = found
        } else {
            guard states.count < maxKeys else {
                context.refusedKeys += 1
                return
            }
            states[key] = KeyState(eventTime: .min)
            index = states.index(forKey: key)!
        }
        // In place: copying the state out and back would copy its window arrays on every record.
        let closedCount = Self.add(record, numbers: numbers, to: &states.values[index], layout: layout, context: &context)
        guard closedCount > 0 else { return }
        let stride = layout.fieldCount * Self.slotsPerField
        for window in 0..<closedCount {
            let state = states.values[index]
            output.append(result(
                of: OpenWindow(start: state.starts[window], count: state.counts[window], values: state.values[window * stride..<(window + 1) * stride]),
                key: record.key))
        }
        states.values[index].starts.removeFirst(closedCount)
        states.values[index].counts.removeFirst(closedCount)
        states.values[index].values.removeFirst(closedCount * stride)
    }

    /// Adds `record` to the windows of `state` it belongs to (a late record to `context.late`),
    /// advances the key's event time, and returns how many of the oldest windows that closed.
    private static func add(
        _ record: StreamRecord, numbers: UnsafeBufferPointer<Double?>, to state: inout KeyState, layout: Layout, context: inout StreamContext
    ) -> Int {
        let fieldCount = layout.fieldCount
        let timestamp = record.timestamp
        let lastStart = floorDivide(timestamp, layout.advanceMillis) * layout.advanceMillis
        let windowsPerRecord = layout.sizeMillis / layout.advanceMillis
        var accepted = false
        let stride = fieldCount * slotsPerField
        var start = lastStart - (windowsPerRecord - 1) * layout.advanceMillis
        while start <= lastStart {
            defer { start += layout.advanceMillis }
            if start + layout.sizeMillis + layout.graceMillis <= state.eventTime { continue }  // closed already
            accepted = true
            var index = 0
            while index < state.starts.count && state.starts[index] < start { index += 1 }
            if index == state.starts.count || state.starts[index] != start {
                state.starts.insert(start, at: index)
                state.counts.insert(0, at: index)
                state.values.insert(contentsOf: emptyValues(fieldCount), at: index * stride)
            }
            state.counts[index] += 1
            state.values.withUnsafeMutableBufferPointer { values in
                for field in 0..<fieldCount {
                    guard let number = numbers[field] else { continue }
                    let base = index * stride + field * slotsPerField
                    if values[base] == 0 { values[base + 4] = number }
                    values[base] += 1
                    values[base + 1] += number
                    values[base + 2] = Swift.min(values[base + 2], number)
                    values[base + 3] = Swift.max(values[base + 3], number)
                    values[base + 5] = number
                }
            }
        }
        if !accepted {
            context.late.append((record, "window closed: the key's event time is \(state.eventTime), grace \(layout.graceMillis) ms"))
        }
        state.eventTime = Swift.max(state.eventTime, timestamp)
        var closed = 0
        while closed < state.starts.count, state.starts[closed] + layout.sizeMillis + layout.graceMillis <= state.eventTime {
            closed += 1
        }
        return closed
    }

    /// One window's initial values (count 0, sum 0, min +inf, max -inf), lazily: no array.
    private static func emptyValues(_ fieldCount: Int) -> LazyMapSequence<Range<Int>, Double> {
        (0..<fieldCount * slotsPerField).lazy.map { slot in
            switch slot % slotsPerField {
            case 2: .infinity
            case 3: -.infinity
            default: 0
            }
        }
    }

    /// The finite numbers of the aggregated fields in `value`.
    private static func numbers(in value: [UInt8]?, finder: JSONFieldFinder, into numbers: UnsafeMutableBufferPointer<Double?>) {
        guard let value else { return }
        let count = finder.keys.count
        value.withUnsafeBytes { document in
            withUnsafeTemporaryAllocation(of: JSONField?.self, capacity: max(1, count)) { fields in
                defer { fields.deinitialize() }
                guard finder.find(document, into: fields) else { return }
                for index in 0..<count {
                    guard let field = fields[index], field.kind == .number else { continue }
                    numbers[index] = JSONNumber.parse(UnsafeRawBufferPointer(rebasing: document[field.range]))
                }
            }
        }
    }

    /// `{"window_start":…,"window_end":…,"count":…,"<field>_<function>":…}`, timestamped with the start.
    private func result(of window: OpenWindow, key: [UInt8]?) -> StreamRecord {
        var writer = JSONObjectWriter(capacity: 64 + 24 * outputNames.reduce(0) { $0 + $1.count })
        writer.key("window_start".utf8)
        writer.integer(window.start)
        writer.key("window_end".utf8)
        writer.integer(window.start + sizeMillis)
        writer.key("count".utf8)
        writer.integer(window.count)
        for (field, aggregate) in settings.aggregates.enumerated() {
            let base = window.values.startIndex + field * Self.slotsPerField
            let count = window.values[base]
            for (index, function) in aggregate.functions.enumerated() {
                writer.key(outputNames[field][index])
                switch function {
                case .count: writer.integer(Int64(count))
                case .sum: writer.number(window.values[base + 1])
                case _ where count == 0: writer.null()
                case .avg: writer.number(window.values[base + 1] / count)
                case .min: writer.number(window.values[base + 2])
                case .max: writer.number(window.values[base + 3])
                case .first: writer.number(window.values[base + 4])
                case .last: writer.number(window.values[base + 5])
                }
            }
        }
        return StreamRecord(key: key, value: writer.finish(), timestamp: window.start)
    }

    /// Division rounding towards minus infinity (timestamps before 1970 are allowed).
    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    // MARK: Checkpoints

    func encode(into writer: inout StateWriter) {
        writer.integer(Int64(states.count))
        for (key, state) in states {
            writer.integer(Int64(key.source))
            writer.data(key.key)
            writer.integer(state.eventTime)
            writer.integer(Int64(state.starts.count))
            let stride = state.starts.isEmpty ? 0 : state.values.count / state.starts.count
            for window in state.starts.indices {
                writer.integer(state.starts[window])
                writer.integer(state.counts[window])
                writer.integer(Int64(stride))
                for value in state.values[window * stride..<(window + 1) * stride] { writer.double(value) }
            }
        }
    }

    mutating func decode(from reader: inout StateReader) throws(StreamError) {
        states.removeAll()
        let expectedValues = settings.aggregates.count * Self.slotsPerField
        let count = try reader.count(limit: 100_000_000)
        for _ in 0..<count {
            let source = Int32(truncatingIfNeeded: try reader.integer())
            let key = try reader.data()
            let eventTime = try reader.integer()
            let windowCount = try reader.count(limit: 1_000_000)
            var state = KeyState(eventTime: eventTime)
            for _ in 0..<windowCount {
                state.starts.append(try reader.integer())
                state.counts.append(try reader.integer())
                let valueCount = try reader.count(limit: expectedValues)
                guard valueCount == expectedValues else { throw StreamError.truncatedState }
                for _ in 0..<valueCount { state.values.append(try reader.double()) }
            }
            states[StateKey(source: source, key: key)] = state
        }
    }
}
