import SluiceConfiguration
import SluiceLog

@testable import SluiceStreams

/// A record with a JSON value, for operator tests.
func reading(_ json: String, key: String = "dev-1", at timestamp: Int64 = 0) -> StreamRecord {
    StreamRecord(key: Array(key.utf8), value: Array(json.utf8), timestamp: timestamp)
}

/// The value of a record as text.
func text(_ record: StreamRecord) -> String { String(decoding: record.value ?? [], as: UTF8.self) }

/// Runs `records` through a pipeline of `operators`, returning what comes out.
func run(_ operators: [StreamOperatorSettings], _ records: [StreamRecord], maxKeys: Int = 10_000) -> (output: [StreamRecord], context: StreamContext) {
    var job = StreamJobSettings(name: "test", inputs: ["in"], output: "out", operators: operators)
    job.maxKeys = maxKeys
    var pipeline = StreamPipeline(job)
    var context = StreamContext(source: 0, sourceTopic: "in")
    var output: [StreamRecord] = []
    for record in records { pipeline.process(record, context: &context, output: &output) }
    return (output, context)
}
