/// Why an explanation cannot be made as asked. Messages name the problem in the user's words
/// (a setting, a layer, a class), never a CLI flag: the web app asks the same questions.
public enum ExplainError: Error, CustomStringConvertible, Equatable {
    /// A setting outside its range: the setting's name, the value given and the allowed range.
    case settingOutOfRange(setting: String, value: String, allowed: String)
    /// The method needs a layer kind the model does not have (Grad-CAM without a conv layer).
    case needsLayer(method: String, kind: String, layers: [String])
    /// A layer that exists but cannot serve this method (Grad-CAM on a dense layer).
    case unsuitableLayer(method: String, layer: String, problem: String, suitable: [String])
    /// A class name that the model does not list.
    case unknownClass(name: String, classes: [String])
    /// A method name nobody registered.
    case unknownMethod(name: String, methods: [String])
    /// A method that does not apply to this kind of model, and what to use instead.
    case notApplicable(method: String, model: String, instead: String)
    /// Inputs the method cannot work on (an empty batch, a mean image of the wrong size, ...).
    case invalidInput(String)

    public var description: String {
        switch self {
        case let .settingOutOfRange(setting, value, allowed):
            "\(setting) \(value) is out of range: \(allowed)"
        case let .needsLayer(method, kind, layers):
            "\(method) needs a \(kind) layer and this model has none (its layers: \(layers.joined(separator: ", ")))"
        case let .unsuitableLayer(method, layer, problem, suitable):
            "\(method) cannot use layer \"\(layer)\": \(problem)"
                + (suitable.isEmpty ? "" : "; layers it can use: \(suitable.joined(separator: ", "))")
        case let .unknownClass(name, classes):
            "no class named \"\(name)\"; the classes are \(classes.joined(separator: ", "))"
        case let .unknownMethod(name, methods):
            "no explanation method \"\(name)\"; the methods are \(methods.joined(separator: ", "))"
        case let .notApplicable(method, model, instead):
            "\(method) does not apply to a \(model) model; \(instead)"
        case let .invalidInput(problem):
            problem
        }
    }
}
