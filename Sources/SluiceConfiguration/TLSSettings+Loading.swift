import Foundation

extension TLSSettings {
    /// The keys of the `mqtt.tls` section.
    static let configurationKeys = ["ca_file", "cert_file", "key_file", "insecure"]

    /// Reads `mqtt.tls`: `ca_file` is required, `cert_file` and `key_file` go together, and every
    /// file named must exist (paths relative to the configuration file).
    /// - Parameters:
    ///   - mapping: the section.
    ///   - reader: where problems are reported.
    /// - Returns: nil when `ca_file` is missing or unusable (the problem is reported).
    init?(_ mapping: YAMLMapping, reader: inout ConfigurationReader) {
        func existingFile(_ value: YAMLValue) throws(ConfigurationError) -> String {
            let path = try value.path(expected: "the path of a PEM file")
            guard FileManager.default.isReadableFile(atPath: path) else {
                let problem = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
                throw value.location.error(
                    .fileNotFound, "\(value.path): file '\(path)' \(problem)",
                    fix: "correct the path, or give the sluice user read access")
            }
            return path
        }
        let caFile = reader.attempt { () throws(ConfigurationError) in
            try existingFile(
                mapping.required(
                    "ca_file", fix: "add ca_file: /etc/ssl/certs/ca-certificates.crt to trust the system's CAs"))
        }
        var certificateFile: String?
        var keyFile: String?
        var isInsecure = false
        reader.read(mapping["cert_file"], into: &certificateFile, existingFile)
        reader.read(mapping["key_file"], into: &keyFile, existingFile)
        reader.read(mapping["insecure"], into: &isInsecure) { value throws(ConfigurationError) in try value.boolean() }
        for (present, absent) in [("cert_file", "key_file"), ("key_file", "cert_file")] {
            if let value = mapping[present], mapping[absent] == nil {
                reader.errors.append(
                    value.keyLocation.error(
                        .conflict,
                        "mqtt.tls.\(present) is set but mqtt.tls.\(absent) is not; a client certificate needs its key",
                        fix: "add \(absent): …, or remove \(present)"))
            }
        }
        guard let caFile else { return nil }
        self.init(caFile: caFile, certificateFile: certificateFile, keyFile: keyFile, isInsecure: isInsecure)
    }
}
