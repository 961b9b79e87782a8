/// A command failed for a reason the user can act on; printed as "Error: <message>" without usage.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
