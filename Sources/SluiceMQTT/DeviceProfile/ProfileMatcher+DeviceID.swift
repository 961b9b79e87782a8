import SluiceJSON
extension ProfileMatcher {
    /// The longest device id accepted, in UTF-8 bytes.
    public static let maximumDeviceIDBytes = 128

    /// Why no device id could be read (`bad_device_id`, or `missing_field` for an absent field).
    struct DeviceIDProblem: Error {
        var reason: DeadLetterReason
        var detail: String
    }

    /// Reads and checks the device id from where `profile` says; makes the one `String` of the
    /// accept path.
    /// - Parameter fields: The scanned JSON fields; `nil` for raw payloads.
    func readDeviceID(
        _ profile: CompiledProfile, topic: UnsafeRawBufferPointer, deviceRange: Range<Int>,
        fields: UnsafeMutableBufferPointer<JSONField?>?, payload: UnsafeRawBufferPointer
    ) -> Result<String, DeviceIDProblem> {
        switch profile.deviceID {
        case .misconfigured(let problem):
            return .failure(DeviceIDProblem(reason: .badDeviceID, detail: problem))
        case .topicLevel:
            // The topic's bytes may come straight from the broker: check their UTF-8 too.
            return Self.makeDeviceID(UnsafeRawBufferPointer(rebasing: topic[deviceRange]), checkUTF8: true, origin: "topic")
        case .field(let key, let name):
            guard let field = fields?[key] else {
                return .failure(DeviceIDProblem(reason: .missingField, detail: "device id field '\(name)' is missing"))
            }
            switch field.kind {
            case .number where field.isInteger:
                return Self.makeDeviceID(UnsafeRawBufferPointer(rebasing: payload[field.range]), checkUTF8: false, origin: name)
            case .string where !field.hasEscapes:
                return Self.makeDeviceID(
                    UnsafeRawBufferPointer(rebasing: payload[field.contentRange]), checkUTF8: false, origin: name)
            case .string:
                let content = UnsafeRawBufferPointer(rebasing: payload[field.contentRange])
                return withUnsafeTemporaryAllocation(byteCount: content.count, alignment: 1) { buffer in
                    let count = JSONScanner.unescape(content, into: buffer)
                    return Self.makeDeviceID(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), checkUTF8: false, origin: name)
                }
            default:
                return .failure(
                    DeviceIDProblem(
                        reason: .badDeviceID,
                        detail: "field '\(name)': device id must be a string or an integer, found \(Self.typeName(field))"))
            }
        }
    }

    /// `bytes` as a device id, if they are 1–`maximumDeviceIDBytes` bytes of UTF-8 without `/`,
    /// C0 or C1 control characters or DEL.
    /// - Parameters:
    ///   - checkUTF8: Whether the bytes still need a UTF-8 check (JSON strings had theirs).
    ///   - origin: `topic` or the field name, for the detail.
    static func makeDeviceID(_ bytes: UnsafeRawBufferPointer, checkUTF8: Bool, origin: String) -> Result<String, DeviceIDProblem> {
        func problem(_ text: String) -> Result<String, DeviceIDProblem> {
            let source = origin == "topic" ? "device id in topic" : "device id in field '\(origin)'"
            return .failure(DeviceIDProblem(reason: .badDeviceID, detail: "\(source) \(text)"))
        }
        guard !bytes.isEmpty else { return problem("is empty") }
        guard bytes.count <= maximumDeviceIDBytes else {
            return problem("has \(bytes.count) bytes, more than \(maximumDeviceIDBytes)")
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x00..<0x20, 0x7F:
                return problem("contains control character \(JSONCursor.hex(byte))")
            case UInt8(ascii: "/"):
                return problem("contains '/'")
            case 0xC2 where index + 1 < bytes.count && (0x80...0x9F).contains(bytes[index + 1]):
                return problem("contains control character U+00\(JSONCursor.hex(bytes[index + 1]).dropFirst(2))")
            case 0x80...:
                let length = checkUTF8 ? JSONScanner.utf8SequenceLength(bytes, at: index) : 1
                guard length > 0 else { return problem("is not valid UTF-8") }
                index += length
                continue
            default:
                break
            }
            index += 1
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }
}
