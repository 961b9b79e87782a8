import Foundation
import Testing

@testable import SluiceConfiguration

/// The files in `Fixtures/`, copied into the test bundle.
enum Fixture {
    /// The path of `Fixtures/<name>`.
    static func path(_ name: String) -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            fatalError("no fixture \(name)")
        }
        return url.path
    }

    /// The folder holding the fixtures.
    static var folder: String { (path("devices") as NSString).deletingLastPathComponent }

    /// A configuration file in the fixtures folder (it need not exist): relative paths in inline
    /// configurations resolve against the fixtures, so `devices_dir: devices` is `Fixtures/devices`.
    static var configurationFile: String { folder + "/sluice.yaml" }
}

/// The repository root, three folders above this file.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// Loads `yaml` as if it were `Fixtures/sluice.yaml`.
func loadConfiguration(_ yaml: String) throws(ConfigurationErrors) -> SluiceConfiguration {
    try SluiceConfiguration.load(yaml: yaml, file: Fixture.configurationFile)
}

/// The problems of `yaml` as `Fixtures/sluice.yaml`; records a test issue if it loads.
func configurationErrors(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ConfigurationError] {
    do {
        _ = try loadConfiguration(yaml)
        Issue.record("expected the configuration to be refused", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.errors
    }
}

/// The one problem of `yaml`; records a test issue unless there is exactly one.
func configurationError(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> ConfigurationError? {
    let errors = configurationErrors(yaml, sourceLocation: sourceLocation)
    #expect(errors.count == 1, "\(errors)", sourceLocation: sourceLocation)
    return errors.first
}

/// The problems of `yaml` as the device profile `Fixtures/devices/<name>.yaml`.
func profileErrors(
    _ yaml: String, name: String = "probe", sourceLocation: SourceLocation = #_sourceLocation
) -> [ConfigurationError] {
    do {
        _ = try DeviceProfile.load(yaml: yaml, file: "\(Fixture.folder)/devices/\(name).yaml")
        Issue.record("expected the profile to be refused", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.errors
    }
}
