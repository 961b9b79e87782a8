import SluiceConfiguration
import SluiceJSON

/// The `deadband` operator: per key, passes a record when its numeric field moved by more than
/// the delta since the last passed record of the key, or when `max_silence` of event time passed
/// since then (a heartbeat). The first record of a key passes; records without a numeric field
/// pass unchanged. State: 16 bytes per key plus the key.
///
/// Pure: the decision depends only on the records of the key in order, never on the wall clock.
public struct DeadbandOperator: Sendable {
    struct KeyState: Sendable {
        var lastValue: Double
        var lastTimestamp: Int64
    }

    private let settings: DeadbandSettings
    private let finder: JSONFieldFinder
    private let maxSilenceMillis: Int64?
    private let maxKeys: Int
    private(set) var states: [StateKey: KeyState] = [:]

    /// Creates a deadband holding state for at most `maxKeys` keys.
    public init(_ settings: DeadbandSettings, maxKeys: Int) {
        self.settings = settings
        finder = JSONFieldFinder(keys: [settings.field])
        maxSilenceMillis = settings.maxSilence.map { $0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000 }
        self.maxKeys = maxKeys
    }

    /// Keys with state.
    public var keyCount: Int { states.count }

    /// The numeric field watched.
    public var field: String { settings.field }

    /// Whether `record` passes; updates the key's state when it does.
    public mutating func passes(_ record: StreamRecord, context: inout StreamContext) -> Bool {
        passes(record, number: Self.number(in: record.value, finder: finder), context: &context)
    }

    /// Whether `record`, whose field holds `number` (nil: no finite number), passes.
    public mutating func passes(_ record: StreamRecord, number: Double?, context: inout StreamContext) -> Bool {
        guard let number else { return true }
        let key = StateKey(source: context.source, key: record.key ?? [])
        guard let state = states[key] else {
            guard states.count < maxKeys else {
                context.refusedKeys += 1
                return false
            }
            states[key] = KeyState(lastValue: number, lastTimestamp: record.timestamp)
            return true
        }
        let change = abs(number - state.lastValue)
        let moved: Bool
        switch settings.delta {
        case .absolute(let delta): moved = change > delta
        case .percent(let percent): moved = change > abs(state.lastValue) * percent / 100
        }
        let isHeartbeat = maxSilenceMillis.map { record.timestamp - state.lastTimestamp >= $0 } ?? false
        guard moved || isHeartbeat else { return false }
        states[key] = KeyState(lastValue: number, lastTimestamp: record.timestamp)
        return true
    }

    /// The finite number at the finder's one key in `value`, if any.
    static func number(in value: [UInt8]?, finder: JSONFieldFinder) -> Double? {
        guard let value else { return nil }
        return value.withUnsafeBytes { document -> Double? in
            withUnsafeTemporaryAllocation(of: JSONField?.self, capacity: 1) { fields -> Double? in
                defer { fields.deinitialize() }
                finder.find(document, into: fields)
                guard let field = fields[0], field.kind == .number else { return nil }
                return JSONNumber.parse(UnsafeRawBufferPointer(rebasing: document[field.range]))
            }
        }
    }

    // MARK: Checkpoints

    func encode(into writer: inout StateWriter) {
        writer.integer(Int64(states.count))
        for (key, state) in states {
            writer.integer(Int64(key.source))
            writer.data(key.key)
            writer.double(state.lastValue)
            writer.integer(state.lastTimestamp)
        }
    }

    mutating func decode(from reader: inout StateReader) throws(StreamError) {
        states.removeAll()
        let count = try reader.count(limit: 100_000_000)
        for _ in 0..<count {
            let source = Int32(truncatingIfNeeded: try reader.integer())
            let key = try reader.data()
            states[StateKey(source: source, key: key)] = KeyState(lastValue: try reader.double(), lastTimestamp: try reader.integer())
        }
    }
}
