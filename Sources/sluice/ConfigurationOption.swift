import ArgumentParser
import SluiceConfiguration

/// The `--config` option shared by the commands that read the daemon's configuration.
struct ConfigurationOption: ParsableArguments {
    @Option(name: [.short, .long], help: "The configuration file.", completion: .file(extensions: ["yaml", "yml"]))
    var config = "/etc/sluice/sluice.yaml"

    /// Loads the file, turning configuration errors into a failure that lists every problem.
    func load() throws -> SluiceConfiguration {
        do {
            return try SluiceConfiguration.load(file: config)
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}
