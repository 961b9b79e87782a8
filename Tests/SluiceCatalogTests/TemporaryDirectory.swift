import Foundation

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init(_ label: String = "sluice-catalog-test") {
        path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Where the daemon keeps its catalog: `<data_dir>/catalog.sqlite`.
    var catalogPath: String { path + "/catalog.sqlite" }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
