import Foundation
import LensTensor

/// How a `TrainingState` sits in a model file: tensors named `training_state.<part>.<parameter>`
/// beside the model's own, in each parameter's shape (parts: `weights`, `best`, `moment1`,
/// `moment2`), `training_state.order` (int64, the last epoch's visiting order), and the metadata key `training_state` holding
/// `{"epochs": 4, "optimizer": "adam", "steps": 32, "generator": ["<16 hex digits>", ...]}`.
extension TrainingState {
    static let prefix = "training_state."
    static let metadataKey = "training_state"

    private struct Header: Codable {
        var epochs: Int
        var optimizer: String
        var steps: Int
        var generator: [String]
    }

    /// The metadata value, the float tensors and the int64 tensors to store.
    func stored() throws -> (metadata: String, tensors: [String: Tensor], integers: [String: Tensor]) {
        let header = Header(epochs: epochs, optimizer: optimizerName, steps: optimizer.steps,
                            generator: generator.map { String($0, radix: 16) })
        var tensors: [String: Tensor] = [:]
        for (name, tensor) in weights {
            tensors[Self.prefix + "weights." + name] = tensor
            if let best = bestWeights?[name] { tensors[Self.prefix + "best." + name] = best }
            if let m = optimizer.firstMoments[name] { tensors[Self.prefix + "moment1." + name] = Tensor(shape: tensor.shape, scalars: m) }
            if let v = optimizer.secondMoments[name] { tensors[Self.prefix + "moment2." + name] = Tensor(shape: tensor.shape, scalars: v) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let integers = [Self.prefix + "order": Tensor(shape: [order.count], scalars: order.map(Float.init))]
        return (String(decoding: try encoder.encode(header), as: UTF8.self), tensors, integers)
    }

    /// The state stored in `file` for a network with `parameters` (name → shape); nil when the file
    /// has none (written without checkpoints, or by an older lens). `problem` describes what is wrong.
    static func read(from file: SafetensorsFile, parameters: [String: [Int]],
                     problem: (String) -> Error) throws -> TrainingState? {
        guard let text = file.metadata[metadataKey] else { return nil }
        guard let header = try? JSONDecoder().decode(Header.self, from: Data(text.utf8)), header.epochs >= 1, header.steps >= 0,
              let words = Optional(header.generator.compactMap { UInt64($0, radix: 16) }), words.count == header.generator.count,
              SeededGenerator(words: words) != nil else {
            throw problem("metadata \"\(metadataKey)\" is not valid: \(text.prefix(80))")
        }
        func tensors(_ part: String, required: Bool) throws -> [String: Tensor]? {
            var found: [String: Tensor] = [:]
            for (name, shape) in parameters {
                let key = prefix + part + "." + name
                guard let tensor = file[key] else {
                    if required { throw problem("has a training state without tensor \(key)") }
                    continue
                }
                guard tensor.shape == shape else { throw problem("tensor \(key) has shape \(tensor.shape); its parameter has \(shape)") }
                found[name] = tensor
            }
            return found.isEmpty ? nil : found
        }
        // A permutation of the training items (counts stay far below 2^24, exact in Float32).
        guard let orderTensor = file[prefix + "order"], orderTensor.rank == 1,
              Set(orderTensor.scalars) == Set((0..<orderTensor.count).map(Float.init)) else {
            throw problem("has a training state without a valid tensor \(prefix)order")
        }
        let weights = try tensors("weights", required: true) ?? [:]
        let best = try tensors("best", required: false)
        let first = try tensors("moment1", required: false)?.mapValues(\.scalars) ?? [:]
        let second = try tensors("moment2", required: false)?.mapValues(\.scalars) ?? [:]
        return TrainingState(epochs: header.epochs, optimizerName: header.optimizer, weights: weights, bestWeights: best,
                             optimizer: OptimizerState(steps: header.steps, firstMoments: first, secondMoments: second),
                             generator: words, order: orderTensor.scalars.map { Int($0) })
    }
}
