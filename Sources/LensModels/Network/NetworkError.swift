/// Why parameters or inputs do not suit a network; each case names the tensor and both shapes.
public enum NetworkError: Error, CustomStringConvertible, Equatable {
    case missingParameter(name: String, expectedShape: [Int])
    case parameterShapeMismatch(name: String, expectedShape: [Int], foundShape: [Int])
    case unexpectedParameter(name: String, shape: [Int])
    case nonFiniteParameter(name: String)
    case inputShapeMismatch(expectedItemShape: [Int], foundShape: [Int])
    case unknownLayer(name: String, layers: [String])
    case outputGradientShapeMismatch(layer: String, expectedShape: [Int], foundShape: [Int])
    case targetCountMismatch(items: Int, targets: Int)
    case targetOutOfRange(target: Int, classCount: Int)

    public var description: String {
        switch self {
        case let .missingParameter(name, expectedShape):
            "parameter \"\(name)\" (shape \(expectedShape)) is missing"
        case let .parameterShapeMismatch(name, expectedShape, foundShape):
            "parameter \"\(name)\" has shape \(foundShape) but the architecture needs \(expectedShape)"
        case let .unexpectedParameter(name, shape):
            "tensor \"\(name)\" (shape \(shape)) is not a parameter of this architecture"
        case let .nonFiniteParameter(name):
            "parameter \"\(name)\" holds NaN or infinite values"
        case let .inputShapeMismatch(expectedItemShape, foundShape):
            "input of shape \(foundShape) does not hold items of shape \(expectedItemShape) (expected [N] + \(expectedItemShape))"
        case let .unknownLayer(name, layers):
            "no layer named \"\(name)\"; the layers are \(layers.joined(separator: ", "))"
        case let .outputGradientShapeMismatch(layer, expectedShape, foundShape):
            "an output gradient of shape \(foundShape) does not fit layer \(layer)'s output \(expectedShape)"
        case let .targetCountMismatch(items, targets):
            "\(targets) target class(es) given for \(items) item(s); give one per item"
        case let .targetOutOfRange(target, classCount):
            "target class \(target) is outside 0..<\(classCount)"
        }
    }
}
