/// Why an architecture cannot be built: every case names the layer, token or value at fault.
public enum ArchitectureError: Error, CustomStringConvertible, Equatable {
    case invalidInputShape(shape: [Int], problem: String)
    case layerDoesNotFit(layer: String, index: Int, inputShape: [Int], problem: String)
    case duplicateName(String)
    case notAClassifier(outputShape: [Int])
    case invalidJSON(String)
    case invalidToken(token: String, position: Int, problem: String)
    case invalidClassCount(Int)

    public var description: String {
        switch self {
        case let .invalidInputShape(shape, problem):
            "input shape \(shape) is not usable: \(problem)"
        case let .layerDoesNotFit(layer, index, inputShape, problem):
            "layer \(index + 1) \"\(layer)\" does not fit its input of shape \(inputShape): \(problem)"
        case let .duplicateName(name):
            "two layers are named \"\(name)\"; layer and parameter names must be unique"
        case let .notAClassifier(outputShape):
            "the network ends with shape \(outputShape), not a vector of class scores; end it with a linear layer"
        case let .invalidJSON(problem):
            "architecture JSON is not valid: \(problem)"
        case let .invalidToken(token, position, problem):
            "architecture item \(position + 1) \"\(token)\": \(problem)"
        case let .invalidClassCount(count):
            "a classifier needs at least 2 classes, got \(count)"
        }
    }
}
