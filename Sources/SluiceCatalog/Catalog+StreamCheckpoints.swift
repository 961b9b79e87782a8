internal import Foundation
internal import GRDB

extension Catalog {
    /// The saved checkpoint of a stream job, or nil if it never saved one.
    /// Blocking file I/O: see ``Catalog``.
    /// - Throws: ``CatalogError`` if the catalog cannot be read or the row is malformed.
    public func streamCheckpoint(job: String) throws(CatalogError) -> StreamCheckpoint? {
        let row = try read("reading the checkpoint of stream job '\(job)'") { db in
            try Row.fetchOne(
                db, sql: "SELECT inputs, outputs, fingerprint, state, updated_at FROM stream_checkpoint WHERE job = ?",
                arguments: [job])
        }
        guard let row else { return nil }
        let stateData: Data = row[3] ?? Data()
        let state = [UInt8](stateData)
        guard let inputs = Self.decodePositions(row[0]), let outputs = Self.decodePositions(row[1]) else {
            throw CatalogError(
                code: .corrupt, message: "the checkpoint of stream job '\(job)' in \(path) is malformed; delete its row to restart the job from the beginning",
                path: path)
        }
        return StreamCheckpoint(
            job: job, inputOffsets: inputs, outputHighWatermarks: outputs, fingerprint: row[2], state: state, updatedAtMillis: row[4])
    }

    /// Saves a stream job's checkpoint, replacing the previous one, in one transaction (one row,
    /// one commit). Called by the job every checkpoint interval, never per record.
    /// - Throws: ``CatalogError`` if it cannot be committed; then the previous checkpoint stays.
    public func saveStreamCheckpoint(_ checkpoint: StreamCheckpoint) throws(CatalogError) {
        try write("saving the checkpoint of stream job '\(checkpoint.job)'") { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO stream_checkpoint (job, inputs, outputs, fingerprint, state, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (job) DO UPDATE SET inputs = excluded.inputs, outputs = excluded.outputs,
                        fingerprint = excluded.fingerprint, state = excluded.state, updated_at = excluded.updated_at
                    """)
            statement.setUncheckedArguments([
                checkpoint.job, Self.encodePositions(checkpoint.inputOffsets), Self.encodePositions(checkpoint.outputHighWatermarks),
                checkpoint.fingerprint, Data(checkpoint.state), checkpoint.updatedAtMillis,
            ])
            try statement.execute()
        }
    }

    /// `topic partition offset` lines, sorted (topic names hold no spaces).
    static func encodePositions(_ positions: [TopicPartitionKey: Int64]) -> String {
        positions.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }
            .map { "\($0.key.topic) \($0.key.partition) \($0.value)" }.joined(separator: "\n")
    }

    static func decodePositions(_ text: String) -> [TopicPartitionKey: Int64]? {
        var positions: [TopicPartitionKey: Int64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let partition = Int(parts[1]), let offset = Int64(parts[2]) else { return nil }
            positions[TopicPartitionKey(topic: String(parts[0]), partition: partition)] = offset
        }
        return positions
    }
}
