/// The combined table of all modes' results (Markdown), with each goal checked. A mode run several
/// times is shown by its median run (by time), with the range of records/s beside it.
enum ResultTable {
    static func render(_ allResults: [RunResult]) -> String {
        var modes: [LogAppendMode] = []
        var runs: [LogAppendMode: [RunResult]] = [:]
        for result in allResults {
            if runs[result.mode] == nil { modes.append(result.mode) }
            runs[result.mode, default: []].append(result)
        }
        let byMode = runs.mapValues { $0.sorted { $0.seconds < $1.seconds }[($0.count - 1) / 2] }
        var lines = [
            "| mode | records/s | range (runs) | MB/s written | × raw limit | fsyncs | written B/rec | on disk B/rec | payload B/rec | disk ÷ payload | peak RSS MiB | peak − start MiB |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for mode in modes {
            let result = byMode[mode]!
            let rates = runs[mode]!.map(\.recordsPerSecond)
            let range = "\(fixed(rates.min()!, 0))–\(fixed(rates.max()!, 0)) (\(rates.count))"
            let ratio = ratioToLimit(result, byMode).map { fixed($0, 2) + " (\(result.mode.limit!.rawValue))" } ?? "—"
            let perRecord = { (bytes: Int) in Double(bytes) / Double(result.records) }
            let cells = [
                result.mode.rawValue, fixed(result.recordsPerSecond, 0), range, fixed(result.megabytesPerSecond, 1), ratio,
                String(result.fsyncs), fixed(perRecord(result.bytesWritten), 1), fixed(perRecord(result.diskBytes), 1),
                fixed(perRecord(result.payloadBytes), 1), fixed(Double(result.diskBytes) / Double(result.payloadBytes), 2),
                fixed(Double(result.peakRSSKiB) / 1024, 1), fixed(Double(result.peakRSSKiB - result.rssBeforeKiB) / 1024, 1),
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        lines.append("")
        if let interval = byMode[.storeInterval], let ratio = ratioToLimit(interval, byMode) {
            lines.append("goal store-interval ≥ 0.80 × raw-interval records/s: \(fixed(ratio, 2)) — \(ratio >= 0.8 ? "met" : "NOT met")")
        }
        if let zstd = byMode[.storeZstdInterval] {
            let ratio = Double(zstd.diskBytes) / Double(zstd.payloadBytes)
            lines.append("goal store-zstd-interval on disk ≤ 0.50 × payload bytes: \(fixed(ratio, 2)) — \(ratio <= 0.5 ? "met" : "NOT met")")
        }
        return lines.joined(separator: "\n")
    }

    /// records/s of `result` over records/s of its raw limit, when both ran.
    private static func ratioToLimit(_ result: RunResult, _ byMode: [LogAppendMode: RunResult]) -> Double? {
        guard let limit = result.mode.limit, let raw = byMode[limit] else { return nil }
        return result.recordsPerSecond / raw.recordsPerSecond
    }

    /// `value` rounded to `decimals` places, without Foundation's formatter.
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((value * Double(scale)).rounded())
        guard decimals > 0 else { return String(scaled) }
        let fraction = String(abs(scaled) % scale)
        return (scaled < 0 ? "-" : "") + "\(abs(scaled) / scale)." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
}
