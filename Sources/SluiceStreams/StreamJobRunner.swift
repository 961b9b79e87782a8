import Logging
import SluiceCatalog
import SluiceConfiguration
import SluiceLog

/// Runs one job against the log: reads each input partition from its position, feeds the
/// pipeline, appends what it yields to the output partition of its key (late records to the
/// dead-letter topic), and checkpoints every `checkpointInterval`.
///
/// **Exactly once.** A checkpoint holds, in one catalog transaction, the next input offset of
/// every input partition, the pipeline's state, and the high watermark of every output partition
/// (after they were appended to and fsynced). Every record written carries its job, input
/// partition and input offset in headers. A restart restores the checkpoint and reads each output
/// partition from its checkpointed high watermark to its end: what this job wrote after the
/// checkpoint. Replaying the input from the checkpoint yields the same records again (the
/// operators depend only on input order), and those whose input offset is at or below the
/// highest already written for that output and input partition are skipped. So each input
/// record contributes to the output exactly once, across `kill -9`.
///
/// Thread-safety: confined to one thread (the job's queue); `StreamService` runs one per job.
public final class StreamJobRunner {
    private struct Input {
        let partition: Partition
        let topic: String
        let name: String
        let nameBytes: [UInt8]
        var position: Int64
        var context: StreamContext
    }

    /// The job's settings.
    public let job: StreamJobSettings
    private let catalog: Catalog
    private let statistics: StreamStatistics
    private let logger: Logger
    private let outputs: [Partition]
    /// The output partitions, then the dead-letter partition (if any): the slots written to.
    private let slots: [Partition]
    private var inputs: [Input] = []
    private var pipeline: StreamPipeline
    private var pending: [[Record]]
    private var pendingBytes: [Int]
    /// Per slot and input: the highest input offset whose results the slot already holds.
    private var alreadyWritten: [[Int64]]
    private var yielded: [StreamRecord] = []
    private var status: StreamJobStatus
    private var lastCheckpoint = ContinuousClock.now
    /// Whether input was processed since the last checkpoint (an idle job writes nothing).
    private var isDirty = false
    private var lastRefusalLog: ContinuousClock.Instant?
    private var refusalsSinceLog = 0
    private let jobNameBytes: [UInt8]
    private let fingerprint: String
    private let readBytes = 256 * 1024
    private let flushBytes = 256 * 1024

    /// Opens the job: restores its checkpoint (or saves a first one) and reads what the outputs
    /// hold beyond it.
    /// - Parameters:
    ///   - job: the job; its input and output topics must be open in `log`.
    ///   - deadLetters: where late records go (nil: they are only counted).
    /// - Throws: `StreamError` if the catalog or the log cannot be read.
    public init(
        job: StreamJobSettings, log: LogManager, catalog: Catalog, deadLetters: Partition?, statistics: StreamStatistics,
        logger: Logger
    ) throws(StreamError) {
        self.job = job
        self.catalog = catalog
        self.statistics = statistics
        self.logger = logger
        guard let outputs = log.partitions(of: job.output) else {
            throw StreamError(code: .log, message: "stream job \(job.name): its output topic \(job.output) is not open")
        }
        self.outputs = outputs
        slots = outputs + (deadLetters.map { [$0] } ?? [])
        pending = Array(repeating: [], count: slots.count)
        pendingBytes = Array(repeating: 0, count: slots.count)
        pipeline = StreamPipeline(job)
        status = StreamJobStatus(name: job.name, output: job.output)
        jobNameBytes = Array(job.name.utf8)
        fingerprint = Self.fingerprint(of: job)
        var sources: [Partition] = []
        for topic in job.inputs {
            guard let partitions = log.partitions(of: topic) else {
                throw StreamError(code: .log, message: "stream job \(job.name): its input topic \(topic) is not open")
            }
            sources += partitions
        }
        alreadyWritten = Array(repeating: Array(repeating: -1, count: sources.count), count: slots.count)
        let checkpoint: StreamCheckpoint?
        do {
            checkpoint = try catalog.streamCheckpoint(job: job.name)
        } catch {
            throw StreamError(code: .catalog, message: "stream job \(job.name): cannot read its checkpoint: \(error)")
        }
        for (index, partition) in sources.enumerated() {
            let key = TopicPartitionKey(topic: partition.topic, partition: partition.index)
            let name = key.description
            let position = min(max(checkpoint?.inputOffsets[key] ?? partition.logStartOffset, partition.logStartOffset), partition.highWatermark)
            inputs.append(Input(
                partition: partition, topic: partition.topic, name: name, nameBytes: Array(name.utf8), position: position,
                context: StreamContext(source: Int32(index), sourceTopic: partition.topic)))
        }
        if let checkpoint {
            statistics.noteCheckpoint(job: job.name, inputOffsets: checkpoint.inputOffsets)
            if checkpoint.fingerprint == fingerprint {
                do {
                    try pipeline.restore(checkpoint.state)
                } catch {
                    logger.error("stream job state unreadable; continuing with empty state", metadata: ["stream.job": "\(job.name)", "stream.error": "\(error)"])
                    status.lastError = "checkpoint state unreadable: \(error)"
                }
            } else {
                logger.warning(
                    "stream job definition changed since its checkpoint: continuing from the checkpointed offsets with empty state",
                    metadata: ["stream.job": "\(job.name)"])
            }
            try scanOutputs(after: checkpoint)
        } else {
            try saveCheckpoint()  // so that anything written from now on lies beyond a checkpoint
        }
        publish()
    }

    /// A short hash of what the state depends on: inputs and operators.
    static func fingerprint(of job: StreamJobSettings) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(job.inputs)|\(job.operators)|\(job.maxKeys)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// Reads what this job wrote to each slot after `checkpoint`, noting per input partition the
    /// highest input offset already written.
    private func scanOutputs(after checkpoint: StreamCheckpoint) throws(StreamError) {
        var sourceIndex: [String: Int] = [:]
        for (index, input) in inputs.enumerated() { sourceIndex[input.name] = index }
        for (slot, partition) in slots.enumerated() {
            let key = TopicPartitionKey(topic: partition.topic, partition: partition.index)
            var offset = max(checkpoint.outputHighWatermarks[key] ?? partition.highWatermark, partition.logStartOffset)
            let end = partition.highWatermark
            do {
                while offset < end {
                    let records = try partition.records(from: offset, maxBytes: readBytes)
                    guard let last = records.last else { break }
                    for record in records where record.offset >= offset {
                        guard record.headers.contains(where: { $0.key == StreamHeaders.job && $0.value == jobNameBytes }),
                            let source = record.headers.last(where: { $0.key == StreamHeaders.source })?.value,
                            let index = sourceIndex[String(decoding: source, as: UTF8.self)],
                            let text = record.headers.last(where: { $0.key == StreamHeaders.sourceOffset })?.value,
                            let sourceOffset = Int64(String(decoding: text, as: UTF8.self))
                        else { continue }
                        alreadyWritten[slot][index] = max(alreadyWritten[slot][index], sourceOffset)
                    }
                    offset = last.offset + 1
                }
            } catch {
                throw StreamError(code: .log, message: "stream job \(job.name): cannot read \(key) to resume: \(error)")
            }
        }
        let found = alreadyWritten.joined().filter { $0 >= 0 }.count
        if found > 0 {
            logger.info("stream job resumes after a crash: output already written past its checkpoint is skipped", metadata: [
                "stream.job": "\(job.name)", "stream.slots": "\(found)",
            ])
        }
    }

    // MARK: Processing

    /// Processes one read's worth of records of each input partition that has any.
    /// - Returns: whether anything was processed.
    public func step() -> Bool {
        guard !status.isHalted else { return false }
        var worked = false
        for index in inputs.indices {
            let partition = inputs[index].partition
            let start = partition.logStartOffset
            if inputs[index].position < start {
                let lost = start - inputs[index].position
                status.retentionLost += Int(lost)
                logger.warning("records deleted by retention before the stream job read them", metadata: [
                    "stream.job": "\(job.name)", "stream.partition": "\(inputs[index].name)", "stream.records": "\(lost)",
                ])
                inputs[index].position = start
            }
            let position = inputs[index].position
            guard position < partition.highWatermark else { continue }
            // The pipeline, context and output buffer are moved into locals for the chunk: on the
            // class they would cost an exclusivity check (and a retain) per record.
            var pipeline = StreamPipeline.placeholder
            swap(&pipeline, &self.pipeline)
            var context = inputs[index].context
            var yielded = self.yielded
            var next = position
            var processed = 0
            defer {
                swap(&pipeline, &self.pipeline)
                inputs[index].context = context
                inputs[index].position = next
                self.yielded = yielded
                status.recordsIn += processed
                if processed > 0 { isDirty = true }
            }
            do {
                let result = try partition.read(from: position, maxBytes: readBytes)
                for batch in RecordBatchSequence(result.bytes) where batch.header.lastOffset >= position {
                    for record in try batch.records() where record.offset >= next {
                        yielded.removeAll(keepingCapacity: true)
                        pipeline.process(StreamRecord(record), context: &context, output: &yielded)
                        processed += 1
                        if !yielded.isEmpty || !context.late.isEmpty || context.refusedKeys > 0 {
                            deliver(yielded, context: &context, input: index, offset: record.offset)
                        }
                        next = record.offset + 1
                    }
                }
                worked = true
            } catch {
                halt("cannot read \(inputs[index].name) at offset \(position): \(error)")
                return false
            }
            guard flushPending(ifAbove: flushBytes) else { return false }
        }
        guard flushPending(ifAbove: 0) else { return false }
        noteRefusals()
        publish()
        return worked
    }

    /// Writes what one input record yielded: output records, late records, refusal counts.
    private func deliver(_ yielded: [StreamRecord], context: inout StreamContext, input index: Int, offset: Int64) {
        for item in yielded { emit(item, slot: slot(for: item.key, input: index), input: index, offset: offset, dead: nil) }
        if !context.late.isEmpty {
            for (late, detail) in context.late where slots.count > outputs.count {
                emit(late, slot: slots.count - 1, input: index, offset: offset, dead: detail)
            }
            status.lateRecords += context.late.count
            context.late.removeAll(keepingCapacity: true)
        }
        if context.refusedKeys > 0 {
            refusalsSinceLog += context.refusedKeys
            status.refusedKeys += context.refusedKeys
            context.refusedKeys = 0
        }
    }

    /// The output partition of `key`: Kafka's partitioner, so the key keeps its partition;
    /// records without a key stay in the number of their input partition.
    private func slot(for key: [UInt8]?, input index: Int) -> Int {
        guard let key else { return inputs[index].partition.index % outputs.count }
        return KeyPartitioner.partition(forKey: key, partitionCount: outputs.count)
    }

    private func emit(_ item: StreamRecord, slot: Int, input index: Int, offset: Int64, dead detail: String?) {
        guard offset > alreadyWritten[slot][index] else {
            status.replaySkipped += 1
            return
        }
        var headers = item.headers.filter {
            $0.key != StreamHeaders.job && $0.key != StreamHeaders.source && $0.key != StreamHeaders.sourceOffset
        }
        if let detail {
            headers.append(RecordHeader(key: StreamHeaders.reason, value: Array("late".utf8)))
            headers.append(RecordHeader(key: StreamHeaders.detail, value: Array(detail.utf8)))
        }
        headers.append(RecordHeader(key: StreamHeaders.job, value: jobNameBytes))
        headers.append(RecordHeader(key: StreamHeaders.source, value: inputs[index].nameBytes))
        headers.append(RecordHeader(key: StreamHeaders.sourceOffset, value: Array(String(offset).utf8)))
        pending[slot].append(Record(timestamp: item.timestamp, key: item.key, value: item.value, headers: headers))
        pendingBytes[slot] += (item.key?.count ?? 0) + (item.value?.count ?? 0) + 64
        if detail == nil { status.recordsOut += 1 }
    }

    /// Appends each slot's pending records holding more than `threshold` bytes as one batch.
    /// - Returns: false if an append failed (the job halts).
    private func flushPending(ifAbove threshold: Int) -> Bool {
        for slot in slots.indices where !pending[slot].isEmpty && pendingBytes[slot] > threshold {
            do {
                try slots[slot].append(pending[slot])
            } catch {
                halt("cannot append to \(slots[slot].topic)-\(slots[slot].index): \(error)")
                return false
            }
            pending[slot].removeAll(keepingCapacity: true)
            pendingBytes[slot] = 0
        }
        return true
    }

    /// Stops processing after an error; the next start resumes from the last checkpoint.
    private func halt(_ reason: String) {
        status.isHalted = true
        status.lastError = reason
        logger.error("stream job halted; restart sluice after fixing the cause (it resumes from its checkpoint)", metadata: [
            "stream.job": "\(job.name)", "stream.error": "\(reason)",
        ])
        publish()
    }

    /// Logs refused keys at most every 10 s.
    private func noteRefusals() {
        guard refusalsSinceLog > 0 else { return }
        let now = ContinuousClock.now
        if let last = lastRefusalLog, now - last < .seconds(10) { return }
        logger.error("stream job refused records of new keys: max_keys reached", metadata: [
            "stream.job": "\(job.name)", "stream.max_keys": "\(job.maxKeys)", "stream.refused": "\(refusalsSinceLog)",
        ])
        lastRefusalLog = now
        refusalsSinceLog = 0
    }

    // MARK: Checkpoints

    /// Saves a checkpoint if input was processed since the last one and the interval has passed
    /// (or now, with `force`). An idle job writes nothing: no fsync, no catalog commit.
    public func checkpointIfDue(force: Bool) {
        guard !status.isHalted, isDirty, force || ContinuousClock.now - lastCheckpoint >= job.checkpointInterval else { return }
        do {
            guard flushPending(ifAbove: 0) else { return }
            try saveCheckpoint()
        } catch {
            status.lastError = "\(error)"
            logger.error("cannot save the stream job's checkpoint", metadata: ["stream.job": "\(job.name)", "stream.error": "\(error)"])
        }
        publish()
    }

    /// fsyncs the outputs, then saves positions, state and output high watermarks in one transaction.
    private func saveCheckpoint() throws(StreamError) {
        lastCheckpoint = .now
        var outputMarks: [TopicPartitionKey: Int64] = [:]
        do {
            for partition in slots {
                try partition.flush()
                outputMarks[TopicPartitionKey(topic: partition.topic, partition: partition.index)] = partition.highWatermark
            }
        } catch {
            throw StreamError(code: .log, message: "stream job \(job.name): cannot fsync its output: \(error)")
        }
        var inputOffsets: [TopicPartitionKey: Int64] = [:]
        for input in inputs { inputOffsets[TopicPartitionKey(topic: input.topic, partition: input.partition.index)] = input.position }
        let state = pipeline.encodedState()
        do {
            try catalog.saveStreamCheckpoint(StreamCheckpoint(
                job: job.name, inputOffsets: inputOffsets, outputHighWatermarks: outputMarks, fingerprint: fingerprint, state: state,
                updatedAtMillis: LogClock.nowMillis()))
        } catch {
            throw StreamError(code: .catalog, message: "stream job \(job.name): cannot save its checkpoint: \(error)")
        }
        statistics.noteCheckpoint(job: job.name, inputOffsets: inputOffsets)
        status.stateBytes = state.count
        status.lastCheckpointMillis = LogClock.nowMillis()
        isDirty = false
    }

    /// The job's status now.
    public var currentStatus: StreamJobStatus {
        publish()
        return status
    }

    private func publish() {
        status.keys = pipeline.keyCount
        status.inputs = inputs.map { .init(partition: $0.name, position: $0.position, highWatermark: $0.partition.highWatermark) }
        statistics.update(status)
    }
}
