import Foundation
import LensData
import LensModels
import LensTensor
import SwiftProtobuf

/// Opens an ONNX image classifier (`torch.onnx.export`) as a lens model: opsets 11 to 21, float32,
/// one NCHW input of square images with a fixed or symbolic batch, one output of class scores.
/// Layers keep their ONNX node names (`/layer4/layer4.1/relu_1/Relu`); parameters are named after
/// them (`<node>.weight`). A final Softmax/LogSoftmax is dropped: explanations use the scores before it.
/// Any problem is one line naming the node and operator; nothing is half loaded.
public struct ONNXImport: Sendable {
    public static let opsets = 11...21

    /// Class names; nil: the model's `metadata_props` (key `class_names`, a JSON array or one name a line).
    public var classNames: [String]?
    /// Per-channel (x − mean)/std applied inside the model, as the first two layers (`normalize/...`).
    public var normalization: InputNormalization?

    public init(classNames: [String]? = nil, normalization: InputNormalization? = nil) {
        self.classNames = classNames
        self.normalization = normalization
    }

    public struct Result: Sendable {
        public var model: ModelFile
        public var notes: [String]
    }

    public func load(contentsOf url: URL) throws -> Result {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ONNXError(path: url.path, problem: "cannot be read (\((error as NSError).localizedDescription))")
        }
        return try load(data, path: url.path)
    }

    public func load(_ data: Data, path: String) throws -> Result {
        func fail(_ problem: String) -> ONNXError { ONNXError(path: path, problem: problem) }
        let model: Onnx_ModelProto
        do { model = try Onnx_ModelProto(serializedBytes: data) } catch {
            throw fail("is not an ONNX model (the protobuf does not parse: \(error))")
        }
        let opset = model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }.map { Int($0.version) }
        guard let opset, Self.opsets.contains(opset) else {
            throw fail("uses ONNX opset \(opset.map(String.init) ?? "none"); lens reads opsets \(Self.opsets.lowerBound) to \(Self.opsets.upperBound) "
                       + "(torch.onnx.export(..., opset_version=17))")
        }
        let graph = model.graph
        var constants: [String: ONNXTensor] = [:]
        for initializer in graph.initializer {
            do { constants[initializer.name] = try ONNXTensor(initializer) } catch let problem as NodeProblem { throw fail(problem.message) }
        }
        let inputs = graph.input.filter { constants[$0.name] == nil }
        guard inputs.count == 1, let input = inputs.first else {
            throw fail("has \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", "))); lens reads models of one image input")
        }
        guard graph.output.count == 1, let output = graph.output.first else {
            throw fail("has \(graph.output.count) outputs (\(graph.output.map(\.name).joined(separator: ", "))); lens reads models of one output, the class scores")
        }
        let inputShape = try Self.imageShape(input, fail: fail)

        var builder = ONNXGraphBuilder(inputName: input.name, inputShape: inputShape)
        builder.constants = constants
        for node in graph.node { for name in node.input where !name.isEmpty { builder.readers[name, default: 0] += 1 } }
        builder.readers[output.name, default: 0] += 1
        var softmax: String?
        var normalizedInput: String?
        if let normalization {
            guard normalization.mean.count == inputShape[0] else {
                throw fail("takes \(inputShape[0]) channel(s), the normalisation gives \(normalization.mean.count)")
            }
            let channels = normalization.mean.count
            let shift = ONNXTensor(shape: [channels, 1, 1], floats: normalization.mean.map { -$0 })
            let scale = ONNXTensor(shape: [channels, 1, 1], floats: normalization.std.map { 1 / $0 })
            do {
                let mean = try builder.constantLayer("normalize/mean", shift, batchedRank: 4)
                let centred = try builder.append("normalize/center", .add, inputs: [Architecture.inputName, mean])
                let std = try builder.constantLayer("normalize/std", scale, batchedRank: 4)
                normalizedInput = try builder.append("normalize", .multiply, inputs: [centred, std])
            } catch let problem as NodeProblem { throw fail(problem.message) }
            builder.producers[input.name] = normalizedInput
        }
        var taken = Set<String>([Architecture.inputName])
        for (index, node) in graph.node.enumerated() {
            var name = node.name.isEmpty ? "\(node.opType)_\(index)" : node.name
            while taken.contains(name) { name += "_" }
            taken.insert(name)
            let place = "node \"\(name)\" (\(node.opType))"
            guard node.domain.isEmpty || node.domain == "ai.onnx" else {
                throw fail("\(place): operators of domain \(node.domain) are not supported; lens supports \(ONNXGraphBuilder.supported.joined(separator: ", "))")
            }
            do {
                if node.opType == "Constant" {
                    guard let value = node.attribute("value"), value.hasT else { throw NodeProblem("only tensor constants are supported") }
                    builder.constants[node.output.first ?? ""] = try ONNXTensor(value.t)
                    continue
                }
                // torch.onnx.export writes an Identity per weight that two layers share: a constant stays one.
                if node.opType == "Identity", let source = node.input.first, let value = builder.constants[source] {
                    builder.constants[node.output.first ?? ""] = value
                    continue
                }
                if node.opType == "Softmax" || node.opType == "LogSoftmax" {
                    guard node.output.first == output.name else {
                        throw NodeProblem("\(node.opType) is supported only as the last operation (explanations use the scores before it)")
                    }
                    builder.producers[output.name] = try builder.layer(node, 0)
                    softmax = node.opType
                    continue
                }
                let produced = try builder.convert(node, name: name)
                for tensor in node.output.prefix(1) { builder.producers[tensor] = produced }
            } catch let problem as NodeProblem {
                throw fail("\(place): \(problem.message)")
            }
        }
        guard let last = builder.producers[output.name], last != Architecture.inputName else {
            throw fail("its output \"\(output.name)\" is computed by no node")
        }
        let layers = Self.ancestors(of: last, in: builder.specs)
        let architecture: Architecture
        do { architecture = try Architecture(inputShape: inputShape, layers: layers) } catch { throw fail("\(error)") }
        var network = Network(awaitingParameters: architecture)
        let kept = Set(network.parameters.map(\.name))
        do { try network.load(parameters: builder.parameters.filter { kept.contains($0.key) }) } catch { throw fail("\(error)") }
        if let bad = network.parameters.first(where: { !$0.tensor.allFinite }) {
            throw fail("parameter \(bad.name) holds NaN or infinite values")
        }

        let classCount = architecture.classCount
        let stored = Self.metadataClassNames(model)
        let names = classNames ?? stored ?? (0..<classCount).map { "class \($0)" }
        guard names.count == classCount else {
            throw ONNXClassCountError(path: path, outputs: classCount, names: names.count, fromMetadata: classNames == nil)
        }
        var notes = builder.notes
        if classNames == nil, stored == nil {
            notes.append("no class names given (--class-names FILE or metadata_props \"class_names\"): classes are numbered")
        }
        if let softmax { notes.append("the model ends in \(softmax); explanations and scores use the logits before it") }
        let provenance = ModelProvenance(kind: .cnn, classNames: names, preprocessing: Preprocessing(size: inputShape[1], channels: inputShape[0]),
                                         dataset: "", split: .folder, datasetCount: 0)
        return Result(model: ModelFile(provenance: provenance, model: .network(network)), notes: notes)
    }

    /// The largest input side lens opens (a hostile file's dims must not size the activations).
    public static let maximumSide = 4096

    /// [C, H, W] of a float32 NCHW input with square images (the batch axis fixed or symbolic).
    private static func imageShape(_ input: Onnx_ValueInfoProto, fail: (String) -> ONNXError) throws -> [Int] {
        let tensor = input.type.tensorType
        guard tensor.elemType == ONNXTensor.float32 else {
            throw fail("input \"\(input.name)\" holds \(ONNXTensor.typeName(tensor.elemType)); lens reads float32 models")
        }
        let dims = tensor.shape.dim.map { $0.dimValue > 0 ? Int($0.dimValue) : nil }
        guard dims.count == 4, let c = dims[1], let h = dims[2], let w = dims[3] else {
            throw fail("input \"\(input.name)\" is not [N, C, H, W] with fixed C, H and W (found \(dims.map { $0.map(String.init) ?? "?" }))")
        }
        guard h == w, [1, 3].contains(c), h <= maximumSide else {
            throw fail("input \"\(input.name)\" takes \(c)x\(h)x\(w) items; lens reads 1- or 3-channel square images of at most \(maximumSide) pixels a side")
        }
        return [c, h, w]
    }

    /// The layers `last` depends on, in order (a graph's dead ends are dropped).
    private static func ancestors(of last: String, in specs: [LayerSpec]) -> [LayerSpec] {
        var needed: Set<String> = [last]
        for spec in specs.reversed() where needed.contains(spec.name) { needed.formUnion(spec.inputs) }
        return specs.filter { needed.contains($0.name) }
    }

    /// Class names from `metadata_props` key `class_names`: a JSON array of strings or one name a line.
    static func metadataClassNames(_ model: Onnx_ModelProto) -> [String]? {
        guard let text = model.metadataProps.first(where: { $0.key == "class_names" })?.value else { return nil }
        if let names = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) { return names }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
