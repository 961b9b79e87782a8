import Foundation
import Testing

@Suite("sluice demo, end to end")
struct DemoCommandTests {
    @Test("writes, reads back and reopens a log, saying what it did")
    func demo() throws {
        let directory = NSTemporaryDirectory() + "sluice-demo-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = try SluiceBinary.run(["demo", "--data-dir", directory, "--readings", "3000", "--devices", "30", "--partitions", "2"])
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput.contains("30 simulated sensors, 3000 readings → topic \"telemetry\", 2 partitions, zstd"))
        #expect(output.standardOutput.contains("read back 3000 records: every key, value, header, timestamp and offset matches"))
        #expect(output.standardOutput.contains("truncated 0; high watermarks unchanged"))
        #expect(FileManager.default.fileExists(atPath: directory + "/telemetry-1/00000000000000000000.log"))
    }

    @Test("bad options are refused with what is expected")
    func badOptions() throws {
        let output = try SluiceBinary.run(["demo", "--compression", "snappy"])
        #expect(output.status != 0)
        #expect(output.standardError.contains("--compression must be none, lz4 or zstd, not 'snappy'"))
    }
}
