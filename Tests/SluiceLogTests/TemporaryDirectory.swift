import Foundation

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init(_ label: String = "sluice-test") {
        path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    func files(in subdirectory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path + "/" + subdirectory)) ?? []).sorted()
    }
}

/// Test data: realistic telemetry records from `devices` devices.
func telemetryRecords(count: Int, devices: Int = 10, startOffset: Int = 0, baseTime: Int64 = 1_700_000_000_000) -> [Record] {
    (startOffset..<startOffset + count).map { sequence in
        let device = "dev-\(sequence % devices)"
        let json = #"{"device":"\#(device)","seq":\#(sequence),"temp":\#(20 + sequence % 7).5,"hum":\#(40 + sequence % 11)}"#
        return Record(
            timestamp: baseTime + Int64(sequence) * 100, key: Array(device.utf8), value: Array(json.utf8),
            headers: [RecordHeader(key: "mqtt.topic", value: Array("sensors/\(device)/env".utf8))])
    }
}

import SluiceLog

/// Records with offsets as the log numbers them, for comparing with what is read back.
func numbered(_ records: [Record], from base: Int64) -> [Record] {
    records.enumerated().map { index, record in
        var copy = record
        copy.offset = base + Int64(index)
        return copy
    }
}
