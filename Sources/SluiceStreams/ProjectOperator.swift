import SluiceConfiguration
import SluiceJSON

/// The `project` operator: rewrites a JSON object's top-level members — keep, drop, rename —
/// and adds the record key and the source topic as fields. A value that is not a JSON object
/// passes unchanged. Keys are matched as written in the document (escapes not decoded).
///
/// Pure and stateless: one validating scan and one walk over the members per record.
public struct ProjectOperator: Sendable {
    private let keep: Set<[UInt8]>?
    private let drop: Set<[UInt8]>
    private let rename: [[UInt8]: [UInt8]]
    private let addKey: [UInt8]?
    private let addTopic: [UInt8]?
    private let validator = JSONScanner(keys: [])

    /// Compiles a projection.
    public init(_ settings: ProjectSettings) {
        keep = settings.keep.map { Set($0.map { Array($0.utf8) }) }
        drop = Set(settings.drop.map { Array($0.utf8) })
        var rename: [[UInt8]: [UInt8]] = [:]
        for entry in settings.rename { rename[Array(entry.from.utf8)] = Array(entry.to.utf8) }
        self.rename = rename
        addKey = settings.addKey.map { Array($0.utf8) }
        addTopic = settings.addTopic.map { Array($0.utf8) }
    }

    /// The projected value of `record`.
    public func apply(_ record: StreamRecord, context: StreamContext) -> StreamRecord {
        guard let value = record.value else { return record }
        var output = record
        let projected: [UInt8]? = value.withUnsafeBytes { document in
            do throws(JSONScanError) {
                _ = try validator.scan(document)
            } catch {
                return nil
            }
            var writer = JSONObjectWriter(capacity: document.count + 32)
            for member in JSONMembers(document) {
                let key = UnsafeRawBufferPointer(rebasing: document[member.keyRange])
                let keyBytes = [UInt8](key)
                if let keep, !keep.contains(keyBytes) { continue }
                if drop.contains(keyBytes) { continue }
                let valueBytes = UnsafeRawBufferPointer(rebasing: document[member.valueRange])
                if let newName = rename[keyBytes] {
                    writer.key(newName)
                    writer.raw(valueBytes)
                } else {
                    writer.rawMember(escapedKey: key, value: valueBytes)
                }
            }
            if let addKey {
                writer.key(addKey)
                writer.string(record.key ?? [])
            }
            if let addTopic {
                writer.key(addTopic)
                writer.string(context.sourceTopic.utf8)
            }
            return writer.finish()
        }
        if let projected { output.value = projected }
        return output
    }
}
