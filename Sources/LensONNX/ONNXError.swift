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

/// The class names given (or stored in the model's `metadata_props`) do not match its outputs; a
/// front end names the flag that gave them.
public struct ONNXClassCountError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var outputs: Int
    public var names: Int
    public var fromMetadata: Bool

    public var description: String {
        "\(path): has \(outputs) outputs but \(names) class names are \(fromMetadata ? "stored in its metadata_props \"class_names\"" : "given")"
    }
}
