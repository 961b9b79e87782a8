internal import GRDB

extension CatalogError {
    /// Maps any error thrown inside GRDB to a catalog error that names the operation, the file and
    /// a fix. A `CatalogError` thrown by our own code passes through unchanged.
    /// - Parameters:
    ///   - error: What GRDB (or our code running inside a GRDB closure) threw.
    ///   - path: The catalog file.
    ///   - operation: What the catalog was doing, e.g. "saving 12 forward cursors of upstream 'cloud'".
    init(mapping error: any Error, path: String, operation: String) {
        if let error = error as? CatalogError {
            self = error
            return
        }
        guard let error = error as? DatabaseError else {
            self.init(code: .io, message: "\(operation) failed for the catalog \(path): \(error)", path: path)
            return
        }
        let sqlite = error.message.map { ": SQLite says \"\($0)\"" } ?? ""
        let cause = error.extendedResultCode.rawValue
        let (code, advice): (Code, String)
        switch error.resultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            (code, advice) = (.corrupt, Self.corruptAdvice(path: path))
        case .SQLITE_FULL:
            (code, advice) = (.diskFull, "the file system holding it is full; free space there and restart sluice")
        case .SQLITE_IOERR:
            (code, advice) = (
                .io,
                "the operating system reported an I/O error; check the storage device (dmesg): "
                    + "an SD card failing this way is wearing out"
            )
        case .SQLITE_READONLY:
            (code, advice) = (
                .io,
                "the file may not be written: check its owner and mode, and whether the file system "
                    + "was remounted read-only after errors (an ageing SD card does this)"
            )
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
            (code, advice) = (
                .openFailed,
                "check that its directory exists and that the sluice user may read and write both"
            )
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            (code, advice) = (
                .busy,
                "another process held its lock past the busy timeout; is a second sluice using the same "
                    + "data directory?"
            )
        case .SQLITE_MISUSE where error.message == "Connection is closed":
            (code, advice) = (.closed, "the catalog was closed; this is a shutdown-order bug in sluice")
        default:
            (code, advice) = (.internalError, "unexpected SQLite failure; this is a bug in sluice, please report it")
        }
        self.init(
            code: code, message: "\(operation) failed for the catalog \(path)\(sqlite); \(advice)", path: path,
            cause: cause)
    }

    /// What to tell an operator whose catalog file is not a database or is damaged.
    static func corruptAdvice(path: String) -> String {
        "the file is damaged or is not an SQLite database. Stop sluice and move it aside with "
            + "`mv \(path) \(path).corrupt` (and its -wal and -shm files, if present); sluice then starts "
            + "with an empty catalog: forward cursors and committed consumer-group offsets start over, "
            + "the log itself is untouched"
    }
}
