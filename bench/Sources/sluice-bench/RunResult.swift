/// The figures of one mode's run, printed by that run as one `result key=value …` line and read
/// back by `sluice-bench report`, which needs every mode to compute ratios.
struct RunResult {
    var mode: LogAppendMode
    var records: Int
    var seconds: Double
    var bytesWritten: Int
    var fsyncs: Int
    /// Sizes of every file the run left (segments and indexes), after close.
    var diskBytes: Int
    /// Record values only: what the devices sent.
    var payloadBytes: Int
    /// Resident memory when the clock started (the generated records or batches are in it).
    var rssBeforeKiB: Int
    /// Peak resident memory of the process (VmHWM).
    var peakRSSKiB: Int

    var recordsPerSecond: Double { Double(records) / seconds }
    var megabytesPerSecond: Double { Double(bytesWritten) / seconds / 1e6 }

    var line: String {
        "result mode=\(mode.rawValue) records=\(records) seconds=\(seconds) bytesWritten=\(bytesWritten) fsyncs=\(fsyncs)"
            + " diskBytes=\(diskBytes) payloadBytes=\(payloadBytes) rssBeforeKiB=\(rssBeforeKiB) peakRSSKiB=\(peakRSSKiB)"
    }

    init(
        mode: LogAppendMode, records: Int, measurement: AppendMeasurement, diskBytes: Int, payloadBytes: Int,
        rssBeforeKiB: Int, peakRSSKiB: Int
    ) {
        self.mode = mode
        self.records = records
        self.seconds = measurement.seconds
        self.bytesWritten = measurement.bytesWritten
        self.fsyncs = measurement.fsyncs
        self.diskBytes = diskBytes
        self.payloadBytes = payloadBytes
        self.rssBeforeKiB = rssBeforeKiB
        self.peakRSSKiB = peakRSSKiB
    }

    /// Parses a `line`; nil for any other text.
    init?(line: String) {
        var fields: [Substring: Substring] = [:]
        for pair in line.split(separator: " ").dropFirst() {
            guard let equals = pair.firstIndex(of: "=") else { return nil }
            fields[pair[..<equals]] = pair[pair.index(after: equals)...]
        }
        func int(_ key: Substring) -> Int? { fields[key].flatMap { Int($0) } }
        guard line.hasPrefix("result "), let mode = fields["mode"].flatMap({ LogAppendMode(rawValue: String($0)) }),
            let records = int("records"), let seconds = fields["seconds"].flatMap({ Double($0) }),
            let bytesWritten = int("bytesWritten"), let fsyncs = int("fsyncs"), let diskBytes = int("diskBytes"),
            let payloadBytes = int("payloadBytes"), let rssBefore = int("rssBeforeKiB"), let peak = int("peakRSSKiB")
        else { return nil }
        self.init(
            mode: mode, records: records,
            measurement: AppendMeasurement(seconds: seconds, bytesWritten: bytesWritten, fsyncs: fsyncs),
            diskBytes: diskBytes, payloadBytes: payloadBytes, rssBeforeKiB: rssBefore, peakRSSKiB: peak)
    }
}
