import Glibc

/// Memory of this process and sizes of files, read straight from the kernel.
enum ProcessProbe {
    /// A `kB` field of /proc/self/status: `VmRSS` (resident now) or `VmHWM` (peak resident, for
    /// the whole life of the process, hence one process per mode). 0 if unreadable.
    static func kibibytes(_ field: String) -> Int {
        guard let file = fopen("/proc/self/status", "r") else { return 0 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix(field + ":") {
                return Int(text.dropFirst(field.count + 1).filter(\.isNumber)) ?? 0
            }
        }
        return 0
    }

    /// Sum of the sizes (`st_size`) of the regular files under `path`, recursively.
    static func fileBytes(under path: String) -> Int {
        walk(path) { entry, info in (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : 0 }
    }

    /// Removes `path` and everything under it.
    static func removeTree(_ path: String) {
        _ = walk(path) { entry, info in
            if (info.st_mode & S_IFMT) == S_IFDIR { rmdir(entry) } else { unlink(entry) }
            return 0
        }
        rmdir(path)
    }

    /// Visits the entries under `path` depth first (children before their directory), summing `visit`.
    private static func walk(_ path: String, _ visit: (String, stat) -> Int) -> Int {
        guard let directory = opendir(path) else { return 0 }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(directory)
        var total = 0
        for name in names {
            let entry = path + "/" + name
            var info = stat()
            guard lstat(entry, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR { total += walk(entry, visit) }
            total += visit(entry, info)
        }
        return total
    }
}
