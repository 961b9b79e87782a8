/// Why a document is not an acceptable JSON object, and the byte where that was found.
///
/// `description` reads like `unexpected '}' at byte 17`: short enough for a dead-letter header.
public struct JSONScanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The document is not valid UTF-8 somewhere (reported even when it is also malformed).
        public static let invalidUTF8 = Code("invalidUTF8")
        /// The document breaks the RFC 8259 grammar (or holds a lone surrogate escape).
        public static let syntax = Code("syntax")
        /// Objects and arrays nest deeper than `JSONScanner.maximumDepth`.
        public static let tooDeep = Code("tooDeep")
        /// The document is valid JSON but its top-level value is not an object.
        public static let notAnObject = Code("notAnObject")
        /// A requested key occurs twice in the top-level object.
        public static let duplicateKey = Code("duplicateKey")
        public var description: String { name }
    }

    /// The kind of problem.
    public var code: Code
    /// The byte offset in the document where the problem was found.
    public var offset: Int
    /// What is wrong, without the position, e.g. `unexpected '}'`.
    public var reason: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of problem.
    ///   - offset: The byte offset where it was found.
    ///   - reason: What is wrong, without the position.
    public init(code: Code, offset: Int, reason: String) {
        self.code = code
        self.offset = offset
        self.reason = reason
    }

    /// `reason at byte offset`.
    public var description: String { "\(reason) at byte \(offset)" }
}
