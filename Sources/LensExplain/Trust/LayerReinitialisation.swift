import LensModels
import LensTensor

extension Network {
    /// Names of the layers with weights (conv, linear), from the input to the output.
    public var learnableLayerNames: [String] {
        layerNames(where: \.hasParameters)
    }

    /// A copy whose layers `names` hold the parameters of `fresh` (a network of the same
    /// architecture from another seed: the model's own initialiser, He or PyTorch's default per
    /// layer), every other layer unchanged.
    func reinitialising(_ names: [String], from fresh: Network) throws -> Network {
        let prefixes = Set(try names.map { architecture.layers[try layerIndex(named: $0)].parameterPrefix + "." })
        let replacements = Dictionary(uniqueKeysWithValues: fresh.parameters.map { ($0.name, $0.tensor) })
        var values: [String: Tensor] = [:]
        for (name, tensor) in parameters {
            let randomised = prefixes.contains { name.hasPrefix($0) }
            values[name] = randomised ? replacements[name] ?? tensor : tensor
        }
        var copy = self
        try copy.load(parameters: values)
        return copy
    }
}
