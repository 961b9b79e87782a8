import SluiceJSON
import SluiceConfiguration

extension ProfileMatcher {
    /// The checks of a raw profile: size range, then the device id from the topic.
    func evaluateRaw(
        _ profile: CompiledProfile, minBytes: Int, maxBytes: Int?, topic: UnsafeRawBufferPointer, deviceRange: Range<Int>,
        payload: UnsafeRawBufferPointer, arrivalMillis: Int64
    ) -> IngestDecision {
        if payload.count < minBytes {
            return .reject(
                reason: .tooShort, detail: "payload of \(payload.count) bytes is below the minimum of \(minBytes)",
                profileIndex: profile.index)
        }
        if let maxBytes, payload.count > maxBytes {
            return .reject(
                reason: .tooLong, detail: "payload of \(payload.count) bytes is above the maximum of \(maxBytes)",
                profileIndex: profile.index)
        }
        switch readDeviceID(profile, topic: topic, deviceRange: deviceRange, fields: nil, payload: payload) {
        case .success(let deviceID):
            if let problem = profile.timestampProblem {
                return .reject(reason: .badTimestamp, detail: problem, profileIndex: profile.index)
            }
            return .accept(profileIndex: profile.index, deviceID: deviceID, timestampMillis: arrivalMillis)
        case .failure(let problem):
            return .reject(reason: problem.reason, detail: problem.detail, profileIndex: profile.index)
        }
    }

    /// The checks of a JSON profile: the document, the schema, the device id, the timestamp.
    func evaluateJSON(
        _ profile: CompiledProfile, scanner: JSONScanner, rules: [CompiledProfile.Rule],
        fields: UnsafeMutableBufferPointer<JSONField?>, topic: UnsafeRawBufferPointer, deviceRange: Range<Int>,
        payload: UnsafeRawBufferPointer, arrivalMillis: Int64
    ) -> IngestDecision {
        do throws(JSONScanError) {
            try scanner.scan(payload, into: fields)
        } catch {
            let reason: DeadLetterReason =
                switch error.code {
                case .invalidUTF8: .invalidUTF8
                case .notAnObject: .notAnObject
                default: .malformedJSON
                }
            return .reject(reason: reason, detail: error.description, profileIndex: profile.index)
        }
        for rule in rules {
            guard let field = fields[rule.key] else {
                if rule.isRequired {
                    return .reject(reason: .missingField, detail: "field '\(rule.name)' is missing", profileIndex: profile.index)
                }
                continue
            }
            if !Self.field(field, hasType: rule.type) {
                return .reject(
                    reason: .wrongType,
                    detail: "field '\(rule.name)': expected \(rule.type.rawValue), found \(Self.typeName(field))",
                    profileIndex: profile.index)
            }
        }

        let deviceID: String
        switch readDeviceID(profile, topic: topic, deviceRange: deviceRange, fields: fields, payload: payload) {
        case .success(let id): deviceID = id
        case .failure(let problem): return .reject(reason: problem.reason, detail: problem.detail, profileIndex: profile.index)
        }
        var timestampMillis = arrivalMillis
        if let timestamp = profile.timestamp {
            if let field = fields[timestamp.key] {
                switch TimestampDecoder.millis(field, unit: timestamp.unit, in: payload) {
                case .success(let millis): timestampMillis = millis
                case .failure(let problem):
                    return .reject(
                        reason: .badTimestamp, detail: "field '\(timestamp.name)': \(problem)", profileIndex: profile.index)
                }
            } else if timestamp.isRequired {
                return .reject(
                    reason: .missingField, detail: "timestamp field '\(timestamp.name)' is missing", profileIndex: profile.index)
            }
        }
        return .accept(profileIndex: profile.index, deviceID: deviceID, timestampMillis: timestampMillis)
    }

    /// Whether a scanned value satisfies a schema type (`any` takes null too; typed fields don't).
    static func field(_ field: JSONField, hasType type: JSONFieldType) -> Bool {
        switch type {
        case .any: true
        case .number: field.kind == .number
        case .integer: field.kind == .number && field.isInteger
        case .string: field.kind == .string
        case .boolean: field.kind == .boolean
        case .object: field.kind == .object
        case .array: field.kind == .array
        }
    }

    /// The field's type in schema words (`integer` or `number` for numbers).
    static func typeName(_ field: JSONField) -> String {
        field.kind == .number ? (field.isInteger ? "integer" : "number") : field.kind.rawValue
    }
}
