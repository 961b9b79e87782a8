import SluiceConfiguration
import Testing

@testable import SluiceStreams

@Suite("project: keep, drop and rename fields; add the key and the source topic")
struct ProjectOperatorTests {
    @Test("keep, then rename, then add the key and topic, in document order")
    func keepRenameAdd() {
        var settings = ProjectSettings()
        settings.keep = ["temp", "ts"]
        settings.rename = [FieldRename(from: "temp", to: "t")]
        settings.addKey = "device"
        settings.addTopic = "source"
        let output = run([.project(settings)], [reading(#"{ "ts": 5, "hum": {"a": [1, 2]}, "temp": 21.5 }"#, key: "dev-\"7")]).output
        #expect(output.map(text) == [#"{"ts":5,"t":21.5,"device":"dev-\"7","source":"in"}"#])
    }

    @Test("drop removes members wherever they are; nested values are copied untouched; not-JSON passes unchanged")
    func drop() {
        var settings = ProjectSettings()
        settings.drop = ["debug", "raw"]
        let output = run([.project(settings)], [
            reading(#"{"debug":true,"temp":1,"nested":{"debug":2,"s":"}"},"raw":[1,{"x":"]"}]}"#),
            reading("not json"),
        ]).output
        #expect(output.map(text) == [#"{"temp":1,"nested":{"debug":2,"s":"}"}}"#, "not json"])
    }

    @Test("a filter after a window sees the aggregate record")
    func chained() {
        let window = WindowSettings(size: .seconds(60), aggregates: [WindowAggregate(field: "temp", functions: [.max, .first, .last, .sum])])
        let records = [(0, 10.0), (1_000, 30.0), (59_999, 20.0), (60_000, 5.0), (120_000, 1.0)].map {
            reading(#"{"temp":\#($0.1)}"#, at: Int64($0.0))
        }
        let output = run([.window(window), .filter(FilterSettings(conditions: [FilterCondition(field: "temp_max", comparison: .greater, operand: .number(10))]))], records).output
        #expect(output.map(text) == [#"{"window_start":0,"window_end":60000,"count":3,"temp_max":30.0,"temp_first":10.0,"temp_last":20.0,"temp_sum":60.0}"#])
    }

    @Test("hopping windows: each record counts in size/advance windows")
    func hopping() {
        let window = WindowSettings(size: .seconds(60), advance: .seconds(30), aggregates: [WindowAggregate(field: "v", functions: [.count])])
        let records = [0, 10_000, 40_000, 70_000, 100_000, 200_000].map { reading(#"{"v":1}"#, at: Int64($0)) }
        let output = run([.window(window)], records).output.map(text)
        // Windows [-30 s, 30 s) holds 0 and 10 s; [0, 60 s) 0, 10 s, 40 s; [30 s, 90 s) 40 s, 70 s; [60 s, 120 s) 70 s, 100 s;
        // [90 s, 150 s) 100 s. All close by 200 s; the windows of 200 s stay open.
        #expect(output == [
            #"{"window_start":-30000,"window_end":30000,"count":2,"v_count":2}"#,
            #"{"window_start":0,"window_end":60000,"count":3,"v_count":3}"#,
            #"{"window_start":30000,"window_end":90000,"count":2,"v_count":2}"#,
            #"{"window_start":60000,"window_end":120000,"count":2,"v_count":2}"#,
            #"{"window_start":90000,"window_end":150000,"count":1,"v_count":1}"#,
        ])
    }
}
