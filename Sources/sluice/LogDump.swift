import SluiceLog

/// Formats segment and index files as text, the way `kafka-dump-log` does.
enum LogDump {
    /// The lines describing `bytes`, read from `file` (its extension says how to read it).
    static func lines(file: String, bytes: [UInt8], printRecords: Bool, maxPayloadBytes: Int) -> [String] {
        var lines = ["Dumping \(file)"]
        let name = file.split(separator: "/").last.map(String.init) ?? file
        let baseOffset = Int64(name.prefix { $0.isNumber }) ?? 0
        if file.hasSuffix(".timeindex") {
            lines += entries(bytes, size: 12) { "timestamp: \(int64($0, 0)) offset: \(baseOffset + Int64(uint32($0, 8)))" }
        } else if file.hasSuffix(".index") {
            lines += entries(bytes, size: 8) { "offset: \(baseOffset + Int64(uint32($0, 0))) position: \(uint32($0, 4))" }
        } else {
            lines.append("Log starting offset: \(baseOffset)")
            lines += segment(bytes, printRecords: printRecords, maxPayloadBytes: maxPayloadBytes)
        }
        return lines
    }

    private static func segment(_ bytes: [UInt8], printRecords: Bool, maxPayloadBytes: Int) -> [String] {
        var lines: [String] = []
        var sequence = RecordBatchSequence(bytes)
        var position = 0
        var batches = 0
        var records = 0
        while let batch = sequence.next() {
            let header = batch.header
            let lastSequence = header.baseSequence < 0 ? -1 : header.baseSequence + header.lastOffsetDelta
            let timeKind = header.isLogAppendTime ? "LogAppendTime" : "CreateTime"
            let codec = header.compression?.description ?? "unknown(\(header.attributes & 7))"
            lines.append(
                "baseOffset: \(header.baseOffset) lastOffset: \(header.lastOffset) count: \(header.recordCount) "
                    + "baseSequence: \(header.baseSequence) lastSequence: \(lastSequence) producerId: \(header.producerId) "
                    + "producerEpoch: \(header.producerEpoch) partitionLeaderEpoch: \(header.partitionLeaderEpoch) "
                    + "isTransactional: \(header.isTransactional) isControl: \(header.isControl) position: \(position) "
                    + "\(timeKind): \(header.maxTimestamp) size: \(header.totalSize) magic: \(header.magic) "
                    + "compresscodec: \(codec) crc: \(header.crc) isvalid: \(batch.isChecksumValid)")
            batches += 1
            records += Int(header.recordCount)
            if printRecords {
                do {
                    for record in try batch.records() {
                        lines.append(recordLine(record, timeKind: timeKind, baseSequence: header.baseSequence, base: header.baseOffset, maxPayloadBytes: maxPayloadBytes))
                    }
                } catch {
                    lines.append("| cannot decode records: \(error)")
                }
            }
            position = sequence.nextPosition
        }
        if let problem = sequence.problem {
            lines.append("Found \(bytes.count - position) invalid bytes at position \(position): \(problem)")
        }
        lines.append("Summary: \(batches) batches, \(records) records, \(position) valid bytes of \(bytes.count)")
        return lines
    }

    private static func recordLine(_ record: Record, timeKind: String, baseSequence: Int32, base: Int64, maxPayloadBytes: Int) -> String {
        let sequence = baseSequence < 0 ? -1 : Int64(baseSequence) + record.offset - base
        var line = "| offset: \(record.offset) \(timeKind): \(record.timestamp) keySize: \(record.key?.count ?? -1) "
        line += "valueSize: \(record.value?.count ?? -1) sequence: \(sequence) "
        line += "headerKeys: [\(record.headers.map(\.key).joined(separator: ", "))]"
        if let key = record.key { line += " key: \(printable(key, limit: maxPayloadBytes))" }
        if let value = record.value { line += " payload: \(printable(value, limit: maxPayloadBytes))" }
        return line
    }

    /// UTF-8 text as it is, anything else as hex; cut at `limit` bytes with "…".
    static func printable(_ bytes: [UInt8], limit: Int) -> String {
        let shown = Array(bytes.prefix(limit))
        let suffix = bytes.count > limit ? "…" : ""
        if let text = String(validating: shown, as: UTF8.self), text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) {
            return text + suffix
        }
        return "0x" + shown.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined() + suffix
    }

    private static func entries(_ bytes: [UInt8], size: Int, _ describe: (ArraySlice<UInt8>) -> String) -> [String] {
        var lines: [String] = []
        var start = 0
        while start + size <= bytes.count {
            lines.append(describe(bytes[start..<start + size]))
            start += size
        }
        if start < bytes.count { lines.append("Found \(bytes.count - start) trailing bytes: not a whole entry") }
        lines.append("Summary: \(bytes.count / size) entries")
        return lines
    }

    private static func uint32(_ bytes: ArraySlice<UInt8>, _ at: Int) -> UInt32 {
        let start = bytes.startIndex + at
        return bytes[start..<start + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func int64(_ bytes: ArraySlice<UInt8>, _ at: Int) -> Int64 {
        let start = bytes.startIndex + at
        return Int64(bitPattern: bytes[start..<start + 8].reduce(0) { $0 << 8 | UInt64($1) })
    }
}
