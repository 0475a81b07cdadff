/// Why an ONNX file cannot be opened: one line naming the file, and the node and operator when one is to blame.
public struct ONNXError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}

/// A problem found while converting one node, before the file's path is known to the message.
struct NodeProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
