import Testing

@testable import SluiceConfiguration

@Suite("Loading devices/<class>.yaml")
struct DeviceProfileLoadingTests {
    let file = "\(Fixture.folder)/devices/probe.yaml"

    @Test("a profile is named after its file and reads filter, device id, topic, schema and timestamp")
    func roomSensor() throws {
        let path = Fixture.path("devices/room-sensor.yaml")
        let profile = try DeviceProfile.load(file: path)
        #expect(
            profile
                == DeviceProfile(
                    name: "room-sensor",
                    filter: TopicPattern(levels: [
                        .literal("rooms"), .named("room"), .literal("sensors"), .named("device"),
                    ]),
                    deviceID: .topicWildcard("device"), topic: "telemetry",
                    format: .json(
                        JSONSchema(fields: [
                            JSONFieldRule(name: "temp", type: .number),
                            JSONFieldRule(name: "ts", type: .integer, isRequired: false),
                        ])),
                    timestamp: TimestampField(name: "ts", unit: .milliseconds), sourceFile: path))
    }

    @Test("a device id may come from a payload field; without a schema any JSON object is accepted")
    func smartPlug() throws {
        let profile = try DeviceProfile.load(file: Fixture.path("devices/smart-plug.yaml"))
        #expect(profile.deviceID == .payloadField("mac"))
        #expect(profile.filter.subscriptionFilter == "plugs/+/state")
        #expect(profile.format == .json(JSONSchema(fields: [])))
        #expect(profile.timestamp == nil)
    }

    @Test("device_id may be left out when the filter has exactly one named wildcard; format defaults to json")
    func implicitDeviceID() throws {
        let profile = try DeviceProfile.load(yaml: "filter: sensors/{serial}/env\ntopic: telemetry\n", file: file)
        #expect(profile.deviceID == .topicWildcard("serial"))
        #expect(profile.format == .json(JSONSchema(fields: [])))
        #expect(profile.name == "probe")
    }

    @Test("raw profiles bound the payload size; max_bytes is optional")
    func raw() throws {
        let bounded = try DeviceProfile.load(
            yaml: "filter: v/{d}/raw\ntopic: vibration\nformat: raw\nmin_bytes: 16\nmax_bytes: 1KiB\n", file: file)
        #expect(bounded.format == .raw(minBytes: 16, maxBytes: 1024))
        let open = try DeviceProfile.load(yaml: "filter: v/{d}/raw\ntopic: vibration\nformat: raw\n", file: file)
        #expect(open.format == .raw(minBytes: 0, maxBytes: nil))
    }

    @Test("missing filter and topic are reported together, for the file as a whole")
    func missingRequired() {
        let errors = profileErrors("# nothing yet\nformat: json\n")
        #expect(
            errors.map(\.description) == [
                "\(file): error: filter is required but missing (fix: add filter: \"sensors/{device}/env\")",
                "\(file): error: topic is required but missing (fix: add topic: telemetry)",
            ])
    }

    @Test(
        "each mistake in a profile is reported on the line and column of the value to change",
        arguments: [
            (
                "filter: a/{device}/#/b\ntopic: t",
                ":1:9: error: filter: topic filter 'a/{device}/#/b' has '#' at level 3, but '#' may only be the last level (fix: move '#' to the end, or use '+' for one level)"
            ),
            (
                "filter: a/{device}\ntopic: tele metry",
                ":2:8: error: topic: expected a topic name of 1–249 letters, digits, '.', '_' or '-', found 'tele metry' (fix: e.g. telemetry)"
            ),
            (
                "filter: a/{device}\ntopic: t\ndevice_id: { from: topic, wildcard: dev }",
                ":3:37: error: device_id.wildcard: expected a named wildcard of the filter 'a/{device}', found 'dev' (fix: use device, or rename the level in the filter)"
            ),
            (
                "filter: a/+\ntopic: t\ndevice_id: { from: topic, wildcard: id }",
                ":3:37: error: device_id.wildcard: expected a named wildcard of the filter 'a/+', found 'id' (fix: name the device level in the filter, e.g. sensors/{id}/env)"
            ),
            (
                "filter: a/{device}\ntopic: t\ndevice_id: { from: mqtt }",
                ":3:20: error: device_id.from: expected topic or payload, found 'mqtt'"
            ),
            (
                "filter: a/{device}\ntopic: t\ndevice_id: { from: payload, wildcard: device }",
                ":3:29: error: device_id.wildcard does not go with from: payload (fix: use field with from: payload)"
            ),
            (
                "filter: a/{device}\ntopic: t\nformat: raw\ndevice_id: { from: payload, field: imei }",
                ":4:20: error: device_id.from: expected from: topic with format: raw, as a raw payload has no fields, found 'payload' (fix: use { from: topic, wildcard: <name> }, or set format: json)"
            ),
            (
                "filter: a/{device}\ntopic: t\nformat: raw\ntimestamp: { field: ts, unit: seconds }",
                ":4:1: error: timestamp needs format: json; a raw payload has no fields (fix: remove timestamp (arrival time is used), or set format: json)"
            ),
            (
                "filter: a/{device}\ntopic: t\nformat: raw\nschema:\n  temp: number",
                ":4:1: error: schema applies to format: json, not raw (fix: remove schema, or change the format)"
            ),
            (
                "filter: a/{device}\ntopic: t\nmin_bytes: 16",
                ":3:1: error: min_bytes applies to format: raw, not json (fix: remove min_bytes, or change the format)"
            ),
            (
                "filter: a/{device}\ntopic: t\nformat: raw\nmin_bytes: 64\nmax_bytes: 16",
                ":5:12: error: max_bytes: expected max_bytes at least min_bytes (64), found 16 (fix: raise max_bytes or lower min_bytes)"
            ),
            (
                "filter: a/{device}\ntopic: t\nschema:\n  temp: numbr",
                ":4:9: error: schema.temp: expected number, integer, string, boolean, object, array or any, found 'numbr' (fix: did you mean number?)"
            ),
            (
                "filter: a/{device}\ntopic: t\nschema:\n  temp: { type: number, required: maybe }",
                ":4:35: error: schema.temp.required: expected true or false, found 'maybe' (fix: write true or false)"
            ),
            (
                "filter: a/{device}\ntopic: t\ntimestamp: { field: ts, unit: ms }",
                ":3:31: error: timestamp.unit: expected milliseconds, seconds or rfc3339, found 'ms'"
            ),
            (
                "filter: a/{device}\ntopic: t\nschema: { ts: string }\ntimestamp: { field: ts, unit: milliseconds }",
                ":4:21: error: timestamp.field: expected a number field for unit milliseconds, found schema type string for 'ts' (fix: change the unit or the field's type in the schema)"
            ),
            (
                "filter: a/{site}\ntopic: t\nschema: { imei: number }\ndevice_id: { from: payload, field: imei }",
                ":4:36: error: device_id.field: expected a field of type string or integer, found schema type number for 'imei' (fix: use a string or integer field as the device id)"
            ),
            (
                "filter: a/{site}/{device}\ntopic: t",
                ": error: device_id is required when the filter does not have exactly one named wildcard; 'a/{site}/{device}' has 2 (fix: add device_id: { from: topic, wildcard: <name> } or device_id: { from: payload, field: <name> })"
            ),
            (
                "filter: a/{device}\ntopic: t\nfromat: json",
                ":3:1: error: unknown key 'fromat' (fix: did you mean 'format'?)"
            ),
        ])
    func badProfile(yaml: String, expected: String) {
        let errors = profileErrors(yaml)
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.description == "\(file)\(expected)")
    }

    @Test("every problem of a profile is reported at once")
    func collectsAll() {
        let errors = profileErrors("filter: a/{device}/{device}\ntopic: t!\nformat: xml\nschema:\n  temp: float\n")
        #expect(errors.map(\.line) == [1, 2, 3, 5])
    }

    @Test("a profile file that does not exist is an error for the file")
    func missingFile() {
        let error = #expect(throws: ConfigurationErrors.self) {
            try DeviceProfile.load(file: "/nonexistent/sensor.yaml")
        }
        #expect(
            error?.description
                == "/nonexistent/sensor.yaml: error: file '/nonexistent/sensor.yaml' does not exist (fix: create it, or correct the path)"
        )
    }
}
