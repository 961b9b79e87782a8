import Glibc

/// An open file of the log (a segment or an index), with positional reads and writes that
/// report failures as `LogError` naming the path.
///
/// Thread-safety: not thread-safe; its owner (a `Segment` behind its partition's lock) serialises use.
final class SegmentFile {
    /// The file's path.
    let path: String
    private let descriptor: Int32

    /// Opens (and with `create`, creates) the file for reading and writing, or only reading.
    init(path: String, create: Bool, readOnly: Bool = false) throws(LogError) {
        let flags = (readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC | (create && !readOnly ? O_CREAT : 0)
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw LogError.system("open", path: path, errno: errno) }
        self.path = path
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// The file's current size in bytes.
    func size() throws(LogError) -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw LogError.system("fstat", path: path, errno: errno) }
        return Int(info.st_size)
    }

    /// Writes all of `bytes` at `offset`; on failure the file is cut back to `offset` so no
    /// partial write remains.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(LogError) {
        var written = 0
        while written < bytes.count {
            let result = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(offset + written))
            if result < 0 {
                let code = errno
                if code == EINTR { continue }
                _ = ftruncate(descriptor, off_t(offset))
                throw LogError.system("write", path: path, errno: code)
            }
            if result == 0 {
                _ = ftruncate(descriptor, off_t(offset))
                throw LogError.system("write", path: path, errno: ENOSPC)
            }
            written += result
        }
    }

    /// Writes a byte array at `offset`.
    func write(_ bytes: [UInt8], at offset: Int) throws(LogError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(LogError) in try write(raw, at: offset) } }.get()
    }

    /// Reads up to `count` bytes at `offset` (fewer at the end of the file).
    func read(count: Int, at offset: Int) throws(LogError) -> [UInt8] {
        guard count > 0 else { return [] }
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let result = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if result == 0 { break }
                done += result
            }
            initialized = done
        }
        if failure != 0 { throw LogError.system("read", path: path, errno: failure) }
        return bytes
    }

    /// Cuts the file to `size` bytes.
    func truncate(to size: Int) throws(LogError) {
        guard ftruncate(descriptor, off_t(size)) == 0 else { throw LogError.system("ftruncate", path: path, errno: errno) }
    }

    /// Makes written data durable (`fdatasync`: the data and the size, not the timestamps).
    func sync() throws(LogError) {
        guard fdatasync(descriptor) == 0 else { throw LogError.system("fdatasync", path: path, errno: errno) }
    }
}

/// Directory operations of the log store.
enum LogDirectory {
    /// Creates `path` (and parents) if missing, then checks it can be written.
    static func prepare(_ path: String) throws(LogError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw LogError.system("mkdir", path: current, errno: errno)
            }
        }
        guard access(path, W_OK | X_OK) == 0 else { throw LogError.system("access", path: path, errno: errno) }
    }

    /// Names of the entries of a directory (without "." and "..").
    static func entries(_ path: String) throws(LogError) -> [String] {
        guard let dir = opendir(path) else { throw LogError.system("opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// fsyncs a directory so that created, renamed and deleted entries survive power loss.
    static func sync(_ path: String) throws(LogError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw LogError.system("open", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw LogError.system("fsync", path: path, errno: errno) }
    }

    /// Removes a file; a missing file is not an error.
    static func remove(_ path: String) throws(LogError) {
        if unlink(path) != 0 && errno != ENOENT { throw LogError.system("unlink", path: path, errno: errno) }
    }

    /// Renames a file.
    static func rename(_ from: String, to: String) throws(LogError) {
        guard Glibc.rename(from, to) == 0 else { throw LogError.system("rename", path: from, errno: errno) }
    }
}
