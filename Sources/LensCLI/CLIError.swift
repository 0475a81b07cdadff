/// A problem with what the user asked for, told in one line that names the problem and the fix.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
