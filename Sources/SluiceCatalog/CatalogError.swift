internal import GRDB

/// The one error type of the catalog: what went wrong, with which file, and what to do about it.
///
/// Every public ``Catalog`` call throws only this type (`throws(CatalogError)`). SQLite and GRDB
/// failures are mapped to a ``Code`` by their result code, which is kept as ``cause``.
public struct CatalogError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The catalog file could not be opened or created (missing directory, permissions), or it
        /// was written by a newer Sluice whose schema this version does not know.
        public static let openFailed = Code("openFailed")
        /// The file is not an SQLite database or is damaged (`SQLITE_CORRUPT`, `SQLITE_NOTADB`, or a
        /// failed `PRAGMA quick_check` at open). Move it aside; see the message.
        public static let corrupt = Code("corrupt")
        /// The file system holding the catalog is full (`SQLITE_FULL`).
        public static let diskFull = Code("diskFull")
        /// The operating system reported an I/O failure (`SQLITE_IOERR`), or the file became
        /// read-only (`SQLITE_READONLY`, as when an SD card is remounted read-only after errors).
        public static let io = Code("io")
        /// Another process held the catalog's lock longer than the busy timeout (`SQLITE_BUSY`).
        public static let busy = Code("busy")
        /// The catalog was closed with ``Catalog/close()``.
        public static let closed = Code("closed")
        /// Any other SQLite failure: a bug in Sluice rather than a problem with the machine.
        public static let internalError = Code("internalError")
        /// The code's name.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened and what to do, for a person; names the catalog file.
    public var message: String
    /// The catalog file involved.
    public var path: String
    /// The SQLite extended result code that caused this error (`26` is `SQLITE_NOTADB`), if any.
    public var cause: Int32?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: What happened and what to do.
    ///   - path: The catalog file involved.
    ///   - cause: The SQLite extended result code, if any.
    public init(code: Code, message: String, path: String, cause: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.cause = cause
    }

    /// `code: message (SQLite result code and its meaning)`.
    public var description: String {
        var text = "\(code): \(message)"
        if let cause { text += " (SQLite \(ResultCode(rawValue: cause)))" }
        return text
    }
}
