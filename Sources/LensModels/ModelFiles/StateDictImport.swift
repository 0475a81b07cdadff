import Foundation
import LensData
import LensTensor

/// A model trained in PyTorch, as `safetensors.torch.save_file(model.state_dict(), path)` saves it,
/// turned into a lens `ModelFile` so every command works on it.
///
/// A state_dict's names are the PyTorch module's (`features.0.weight`, `classifier.1.bias`), not
/// ours, and safetensors stores them sorted by name, so the module order is not in the file. The
/// tensors are matched to the architecture's parameters in module order, recovered as: numbers in
/// names compared as numbers (`features.10` after `features.2`, `conv10` after `conv2`), a weight
/// before its bias; and if that name order does not fit every shape, the top-level modules
/// (`features`, `classifier`) in the one other order that does.
/// Where each layer's tensors are `<prefix>.weight` and `<prefix>.bias`, the model keeps PyTorch's
/// names, so what lens writes loads back with `load_state_dict`.
public struct StateDictImport: Sendable {
    /// The compact architecture (`conv3x3x16,pool,fc128`, as `lens train --arch` takes it); "" or
    /// "linear" is softmax regression (one linear layer).
    public var architecture: String
    public var classNames: [String]
    /// The input: `size` x `size` pixels, gray or RGB.
    public var preprocessing: Preprocessing
    /// The per-channel mean/std the PyTorch model expects its input normalised with; nil: raw [0, 1] pixels.
    public var normalization: InputNormalization?
    /// Where the model's data is, if known ("orl", "fashion-mnist" or a folder), how it splits, and its size.
    public var dataset: String
    public var split: SplitPlan
    public var datasetCount: Int

    public init(architecture: String, classNames: [String], preprocessing: Preprocessing, normalization: InputNormalization? = nil,
                dataset: String = "", split: SplitPlan = .folder, datasetCount: Int = 0) {
        self.architecture = architecture
        self.classNames = classNames
        self.preprocessing = preprocessing
        self.normalization = normalization
        self.dataset = dataset
        self.split = split
        self.datasetCount = datasetCount
    }

    /// What an import made, and what the user should know about it.
    public struct Result: Sendable {
        public var model: ModelFile
        /// File tensor name → the architecture parameter it became, in module order.
        public var matches: [(tensor: String, parameter: String)]
        /// Warnings to show (an inexact normalisation fold).
        public var notes: [String]
    }

    /// Reads, matches, checks and folds; every problem is an error naming the file.
    public func load(contentsOf url: URL) throws -> Result {
        let file = try SafetensorsFile(contentsOf: url)
        return try load(file, path: url.path)
    }

    public func load(_ file: SafetensorsFile, path: String) throws -> Result {
        func fail(_ problem: String) -> StateDictImportError { StateDictImportError(path: path, problem: problem) }
        do { try preprocessing.validate() } catch { throw fail("\(error)") }
        guard classNames.count >= 2 else { throw fail("needs at least 2 class names, got \(classNames.count)") }
        for (name, entry) in file.tensors.sorted(by: { $0.key < $1.key }) {
            guard [.f32, .f64, .f16].contains(entry.dtype) else {
                throw fail("tensor \(name) holds \(entry.dtype.rawValue), not floating-point weights "
                           + "(a BatchNorm counter? only conv, linear, ReLU, pool and dropout layers can be imported)")
            }
            if let bad = entry.tensor.scalars.firstIndex(where: { !$0.isFinite }) {
                throw fail("tensor \(name) holds \(entry.tensor.scalars[bad]) at index \(bad); the weights must be finite numbers")
            }
        }
        var architecture = try build(classes: classNames.count, fail: fail)
        // Before the network allocates its layers, as `lens train --arch` does: `fc100000000` must
        // be a refusal with the estimate, not an abort in the allocator.
        do { try MemoryEstimate(architecture, batchSize: 1).check() } catch {
            throw fail("architecture \"\(self.architecture)\": \(error)")
        }
        let declared = MemoryEstimate(architecture, batchSize: 1).parameters
        let stored = file.names.reduce(0.0) { $0 + Double(file[$1]?.count ?? 0) }
        guard declared <= stored + 1_000_000 else {
            throw fail("architecture \"\(self.architecture)\" has \(MemoryEstimate.format(declared, unit: "")) parameters but the file holds "
                       + "\(MemoryEstimate.format(stored, unit: "")) weights; give the architecture the model was built with")
        }
        let expected = Network(awaitingParameters: architecture).parameters.map { (name: $0.name, shape: $0.tensor.shape) }
        let candidates = Self.moduleOrders(file.names)
        let names = candidates[0]
        guard names.count == expected.count else {
            // A layer built with bias=False is the likeliest cause of one tensor too few.
            let withoutBias = names.filter { $0.hasSuffix(".weight") && !names.contains(String($0.dropLast("weight".count)) + "bias") }
            throw fail("holds \(names.count) tensors (\(names.joined(separator: ", "))) but the architecture has \(expected.count) "
                       + "parameters (\(expected.map { "\($0.name) \($0.shape)" }.joined(separator: ", ")))"
                       + (withoutBias.isEmpty ? "" : "; \(withoutBias.joined(separator: ", ")) \(withoutBias.count == 1 ? "has" : "have") "
                          + "no bias, and every lens layer has one (build the PyTorch layers with bias=True)"))
        }
        // The name order when it fits; another order of the top-level modules only when it does not.
        let fitting = fits(names, expected, file) ? [names] : candidates.filter { fits($0, expected, file) }
        guard fitting.count <= 1 else {
            throw fail("fits the architecture in more than one module order (\(fitting[0].joined(separator: ", ")) or "
                       + "\(fitting[1].joined(separator: ", "))); name the top-level modules so that their name order is the layer order")
        }
        guard let order = fitting.first else {
            // Only the class count differs: say so rather than blame the last layer's shape.
            for candidate in candidates {
                guard let last = candidate.last, let shape = file[last]?.shape, shape.count == 1, shape[0] != classNames.count,
                      let other = try? build(classes: shape[0], fail: fail) else { continue }
                if fits(candidate, Network(awaitingParameters: other).parameters.map { ($0.name, $0.tensor.shape) }, file) {
                    throw fail("has \(shape[0]) outputs (\(last) \(shape)) but \(classNames.count) class names are given")
                }
            }
            // Blame the order that fits best: its first misfit is most likely the real one.
            let matching = candidates.map { order in zip(order, expected).filter { file[$0.0]?.shape == $0.1.shape }.count }
            let closest = candidates[matching.firstIndex(of: matching.max() ?? 0) ?? 0]
            let mismatch = zip(closest, expected).first { file[$0.0]?.shape != $0.1.shape }
            let (tensor, parameter) = mismatch ?? (closest[0], expected[0])
            throw fail("tensor \(tensor) has shape \(file[tensor]?.shape ?? []) but the architecture's \(parameter.name) "
                       + "needs \(parameter.shape) (tensors are matched to layers in order: \(closest.joined(separator: ", ")))")
        }

        architecture = try keepingPyTorchNames(architecture, order: order, fail: fail)
        var network = Network(awaitingParameters: architecture)
        let parameterNames = network.parameters.map(\.name)
        var parameters: [String: Tensor] = [:]
        for (tensor, parameter) in zip(order, parameterNames) { parameters[parameter] = file[tensor] }
        do { try network.load(parameters: parameters) } catch { throw fail("\(error)") }

        var notes: [String] = []
        if let normalization {
            do { try normalization.fold(into: &network) } catch { throw fail("\(error)") }
            if !normalization.foldsExactly(into: architecture) {
                notes.append("the first convolution pads its input: PyTorch pads the normalised image with 0, lens the raw "
                             + "image, so outputs near the border differ slightly from PyTorch's")
            }
        }
        let kind: ModelKind = architecture.layers.contains { if case .conv2d = $0.operation { true } else { false } } ? .cnn
            : architecture.layers.filter(\.operation.hasParameters).count == 1 ? .softmax : .mlp
        let provenance = ModelProvenance(kind: kind, classNames: classNames, preprocessing: preprocessing, dataset: dataset,
                                         split: split, datasetCount: datasetCount)
        return Result(model: ModelFile(provenance: provenance, model: .network(network)),
                      matches: Array(zip(order, parameterNames)).map { (tensor: $0.0, parameter: $0.1) }, notes: notes)
    }

    private func build(classes: Int, fail: (String) -> StateDictImportError) throws -> Architecture {
        let compact = architecture.trimmingCharacters(in: .whitespaces)
        do {
            if compact.isEmpty || compact.lowercased() == "linear" {
                return try Architecture.softmaxRegression(inputShape: preprocessing.inputShape, classes: classes)
            }
            return try Architecture.parse(compact, inputShape: preprocessing.inputShape, classes: classes)
        } catch {
            throw fail("architecture \"\(architecture)\": \(error)")
        }
    }

    private func fits(_ order: [String], _ expected: [(name: String, shape: [Int])], _ file: SafetensorsFile) -> Bool {
        zip(order, expected).allSatisfy { file[$0.0]?.shape == $0.1.shape }
    }

    /// The architecture with each layer's parameter prefix set to the PyTorch module's, when the
    /// matched tensors are exactly `<prefix>.weight` and `<prefix>.bias`; else unchanged.
    private func keepingPyTorchNames(_ architecture: Architecture, order: [String],
                                     fail: (String) -> StateDictImportError) throws -> Architecture {
        var layers = architecture.layers
        var position = 0
        for index in layers.indices where layers[index].operation.hasParameters {
            let (weight, bias) = (order[position], order[position + 1])
            position += 2
            guard weight.hasSuffix(".weight"), bias == weight.dropLast("weight".count) + "bias" else { return architecture }
            layers[index].parameterPrefix = String(weight.dropLast(".weight".count))
        }
        do { return try Architecture(inputShape: architecture.inputShape, layers: layers) } catch { return architecture }
    }

    // MARK: module order

    /// Candidate orders of `names`: within a top-level module, numbers compare as numbers and a
    /// weight comes before its bias; the top-level modules in every order (name order first), or
    /// only in number order when they are numbered (an nn.Sequential saved whole).
    static func moduleOrders(_ names: [String]) -> [[String]] {
        let sorted = names.sorted { naturalKey($0).lexicographicallyPrecedes(naturalKey($1)) }
        var groups: [(top: String, names: [String])] = []
        for name in sorted {
            let top = String(name.split(separator: ".", maxSplits: 1).first ?? "")
            if groups.last?.top == top { groups[groups.count - 1].names.append(name) } else { groups.append((top, [name])) }
        }
        let numbered = groups.allSatisfy { Int($0.top) != nil }
        // Six top-level modules make 720 orders; beyond that only the name order is tried.
        guard !numbered, groups.count > 1, groups.count <= 6 else { return [sorted] }
        return permutations(Array(groups.indices)).map { permutation in permutation.flatMap { groups[$0].names } }
    }

    /// Permutations in lexicographic order, the identity first.
    static func permutations(_ items: [Int]) -> [[Int]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { i -> [[Int]] in
            var rest = items
            let first = rest.remove(at: i)
            return permutations(rest).map { [first] + $0 }
        }
    }

    /// One key per name segment: numbers first by value, then `weight`, then `bias`, then other names.
    private static func naturalKey(_ name: String) -> [SegmentKey] {
        name.split(separator: ".").map { segment in
            if let number = Int(segment) { return SegmentKey(rank: 0, number: number, text: "") }
            switch segment {
            case "weight": return SegmentKey(rank: 1, number: 0, text: "")
            case "bias": return SegmentKey(rank: 2, number: 0, text: "")
            default:
                // conv2 before conv10: a trailing number compares as a number.
                let digits = segment.reversed().prefix { $0.isNumber }.count
                return SegmentKey(rank: 3, number: Int(segment.suffix(digits)) ?? -1, text: String(segment.dropLast(digits)))
            }
        }
    }

    private struct SegmentKey: Comparable {
        var rank: Int, number: Int, text: String
        static func < (a: SegmentKey, b: SegmentKey) -> Bool { (a.rank, a.text, a.number) < (b.rank, b.text, b.number) }
    }

    // MARK: class names

    /// One class name per line; blank lines and surrounding spaces ignored; names must be distinct.
    public static func classNames(contentsOf url: URL) throws -> [String] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw StateDictImportError(path: url.path, problem: FileManager.default.fileExists(atPath: url.path)
                ? "cannot be read as UTF-8 text (\(FileProblem.words(error)))" : "no such file")
        }
        let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            throw StateDictImportError(path: url.path, problem: "lists the class \"\(name)\" twice; class names must be distinct")
        }
        guard names.count >= 2 else {
            throw StateDictImportError(path: url.path, problem: "lists \(names.count) class names; a classifier needs at least 2, one per line")
        }
        return names
    }
}

public struct StateDictImportError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String
    public var description: String { "\(path): \(problem)" }
}
