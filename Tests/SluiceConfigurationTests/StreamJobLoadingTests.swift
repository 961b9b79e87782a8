import Testing

@testable import SluiceConfiguration

@Suite("The streams: section: jobs are read with their defaults, bad ones refused on the line of the mistake with a fix")
struct StreamJobLoadingTests {
    let file = Fixture.configurationFile

    @Test("a job with every operator is read as written, unset keys at their defaults")
    func readsJobs() throws {
        let configuration = try loadConfiguration(
            """
            devices_dir: devices
            streams:
              room-1m:
                input: energy
                output: telemetry-1m
                operators:
                  - filter: { any: ["temp > -40.5", 'state == "on"', "armed != true", "error == null", "temp exists"] }
                  - project: { keep: [temp, ts], drop: [debug], rename: { temp: t }, add_key: device, add_topic: source }
                  - deadband: { field: temp, delta: 2%, max_silence: 5m }
                  - window: { size: 1m, advance: 30s, grace: 10s, aggregates: { temp: [avg, min, max, count] } }
              plugs:
                inputs: [energy]
                output: energy-alarms
                max_keys: 500
                checkpoint_interval: 2s
                operators:
                  - deadband: { field: watts, delta: 5 }
            """)
        #expect(configuration.streams.count == 2)
        let job = configuration.streams[0]
        #expect(job.name == "room-1m" && job.inputs == ["energy"] && job.output == "telemetry-1m")
        #expect(job.maxKeys == 10_000 && job.checkpointInterval == .seconds(10))
        #expect(job.operators.map(\.name) == ["filter", "project", "deadband", "window"])
        #expect(
            job.operators[0]
                == .filter(FilterSettings(mode: .any, conditions: [
                    FilterCondition(field: "temp", comparison: .greater, operand: .number(-40.5)),
                    FilterCondition(field: "state", comparison: .equal, operand: .string("on")),
                    FilterCondition(field: "armed", comparison: .notEqual, operand: .boolean(true)),
                    FilterCondition(field: "error", comparison: .equal, operand: .null),
                    FilterCondition(field: "temp", comparison: .exists, operand: .none),
                ])))
        var project = ProjectSettings()
        project.keep = ["temp", "ts"]
        project.drop = ["debug"]
        project.rename = [FieldRename(from: "temp", to: "t")]
        project.addKey = "device"
        project.addTopic = "source"
        #expect(job.operators[1] == .project(project))
        #expect(job.operators[2] == .deadband(DeadbandSettings(field: "temp", delta: .percent(2), maxSilence: .seconds(300))))
        #expect(
            job.operators[3]
                == .window(WindowSettings(
                    size: .seconds(60), advance: .seconds(30), grace: .seconds(10),
                    aggregates: [WindowAggregate(field: "temp", functions: [.avg, .min, .max, .count])])))
        #expect(configuration.streams[1].maxKeys == 500 && configuration.streams[1].checkpointInterval == .seconds(2))
        #expect(configuration.streams[1].operators == [.deadband(DeadbandSettings(field: "watts", delta: .absolute(5)))])
    }

    @Test(
        "each bad job definition is reported at its place with a fix",
        arguments: [
            (
                "      - window: { size: 1m, grace: 2m, aggregates: { temp: [avg] } }",
                "7:36: error: streams.j.operators[0].window.grace: expected a grace no longer than the window (1m), found '2m' (fix: use a grace of at most 1m, or a longer window)"
            ),
            (
                "      - window: { size: 1m, advance: 25s, aggregates: { temp: [avg] } }",
                "7:38: error: streams.j.operators[0].window.advance: expected an advance above zero that divides the size (1m), found '25s' (fix: use the size for tumbling windows, or e.g. 30s)"
            ),
            (
                "      - window: { size: 1m, aggregates: { temp: [median] } }",
                "7:50: error: streams.j.operators[0].window.aggregates.temp[0]: expected count, min, max, avg, sum, first or last, found 'median'"
            ),
            (
                "      - sort: { by: temp }",
                "7:9: error: unknown key 'sort' in streams.j.operators[0] (fix: known keys in streams.j.operators[0] are filter, project, deadband and window)"
            ),
            (
                "      - fitler: \"temp > 1\"",
                "7:9: error: unknown key 'fitler' in streams.j.operators[0] (fix: did you mean 'filter'?)"
            ),
            (
                "      - filter: \"temp = 1\"",
                "7:17: error: streams.j.operators[0].filter: expected a condition such as \"temp > 30\", 'state == \"alarm\"' or \"battery exists\", found 'temp = 1' (fix: compare with == (two equals signs))"
            ),
            (
                "      - filter: \"temp > warm\"",
                "7:17: error: streams.j.operators[0].filter: expected a condition such as \"temp > 30\", 'state == \"alarm\"' or \"battery exists\", found 'temp > warm' (fix: compare with a number, a quoted string (temp == \"warm\"), true, false or null)"
            ),
            (
                "      - filter: \"tmp > 30\"",
                "7:17: error: streams.j: no device profile writing telemetry declares field 'tmp' (fix: did you mean 'temp'?)"
            ),
            (
                "      - deadband: { field: temp }",
                "7:9: error: streams.j.operators[0].deadband.delta is required but missing (fix: add delta: 0.5 (units of the field) or delta: 2% (of the last value))"
            ),
            (
                "      - deadband: { field: temp, delta: lots }",
                "7:41: error: streams.j.operators[0].deadband.delta: expected a change such as 0.5 (units of the field) or 2% (of the last value), found 'lots'"
            ),
        ])
    func badOperator(operatorLine: String, expected: String) {
        let yaml = "devices_dir: devices\nstreams:\n  j:\n    input: telemetry\n    output: derived\n    operators:\n" + operatorLine
        let error = configurationError(yaml)
        #expect(error?.description == "\(file):\(expected)")
    }

    @Test(
        "inputs and outputs are checked against the profiles, the dead-letter topic and the other jobs",
        arguments: [
            (
                "  j: { input: telemetry, output: telemetry, operators: [filter: \"temp > 1\"] }",
                "3:15: error: streams.j: the output topic 'telemetry' is also an input, so the job would read its own output (fix: write to another topic, e.g. output: telemetry-j)"
            ),
            (
                "  j: { input: telemtry, output: out, operators: [filter: \"temp > 1\"] }",
                "3:15: error: streams.j: no device profile or stream job writes to topic 'telemtry' (fix: did you mean 'telemetry'? else add a profile for it or correct the name)"
            ),
            (
                "  j: { input: telemetry, output: _dead_letters, operators: [filter: \"temp > 1\"] }",
                "3:34: error: streams.j.output: expected a topic other than the dead-letter topic, found '_dead_letters' (fix: write to a topic of its own, e.g. telemetry-j)"
            ),
            (
                "  j: { input: telemetry, output: energy, operators: [filter: \"temp > 1\"] }",
                "3:34: error: streams.j.output: topic 'energy' is written by a device profile (fix: write to a topic of its own, e.g. energy-j)"
            ),
            (
                "  j: { input: telemetry, operators: [filter: \"temp > 1\"] }",
                "3:3: error: streams.j.output is required but missing (fix: add output: <topic>, e.g. output: telemetry-1m)"
            ),
        ])
    func badTopics(job: String, expected: String) {
        let error = configurationError("devices_dir: devices\nstreams:\n" + job)
        #expect(error?.description == "\(file):\(expected)")
    }

    @Test("jobs feeding each other in a circle are refused")
    func circle() {
        let errors = configurationErrors(
            """
            devices_dir: devices
            streams:
              a: { inputs: [telemetry, c-out], output: a-out, operators: [filter: "temp > 1"] }
              b: { input: a-out, output: c-out, operators: [filter: "x > 1"] }
            """)
        #expect(errors.map(\.message).contains { $0.contains("streams.a: its output comes back to it as input through other jobs") })
    }
}
