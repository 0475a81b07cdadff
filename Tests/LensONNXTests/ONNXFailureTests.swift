import Foundation
@testable import LensONNX
import LensModels
import LensTensor
import Testing

/// Hand-made ONNX files, one per way a file can be unusable: each gives one line naming the node,
/// the operator and what lens supports, and no model.
@Suite struct ONNXFailureTests {
    /// input [N, 1, 4, 4] → Conv 1→2 (3x3, pad 1) → Relu → GlobalAveragePool → Flatten → Gemm 2→3 → `logits`.
    static func model(opset: Int64 = 17, changing change: (inout Onnx_ModelProto) -> Void = { _ in }) -> Data {
        var model = Onnx_ModelProto()
        model.irVersion = 8
        var opsetImport = Onnx_OperatorSetIdProto()
        opsetImport.version = opset
        model.opsetImport = [opsetImport]
        var graph = Onnx_GraphProto()
        graph.name = "hand-made"
        graph.input = [value("input", dims: [-1, 1, 4, 4])]
        graph.output = [value("logits", dims: [-1, 3])]
        graph.initializer = [tensor("w", [2, 1, 3, 3]), tensor("b", [2]), tensor("fcw", [3, 2]), tensor("fcb", [3])]
        graph.node = [
            node("conv", "Conv", ["input", "w", "b"], ["c"], ints: ["pads": [1, 1, 1, 1], "kernel_shape": [3, 3]]),
            node("relu", "Relu", ["c"], ["r"]),
            node("gap", "GlobalAveragePool", ["r"], ["g"]),
            node("flat", "Flatten", ["g"], ["f"]),
            node("fc", "Gemm", ["f", "fcw", "fcb"], ["logits"], ints: ["transB": [1]]),
        ]
        model.graph = graph
        change(&model)
        return (try? model.serializedData()) ?? Data()
    }

    static func value(_ name: String, dims: [Int64], type: Int32 = 1) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type.tensorType.elemType = type
        info.type.tensorType.shape.dim = dims.map { size in
            var dim = Onnx_TensorShapeProto.Dimension()
            if size > 0 { dim.dimValue = size } else { dim.dimParam = "batch" }
            return dim
        }
        return info
    }

    static func tensor(_ name: String, _ dims: [Int64]) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dims = dims
        tensor.dataType = 1
        tensor.floatData = (0..<Int(dims.reduce(1, *))).map { Float($0 % 5) * 0.1 - 0.2 }
        return tensor
    }

    static func node(_ name: String, _ op: String, _ inputs: [String], _ outputs: [String], ints: [String: [Int64]] = [:]) -> Onnx_NodeProto {
        var node = Onnx_NodeProto()
        node.name = name
        node.opType = op
        node.input = inputs
        node.output = outputs
        node.attribute = ints.sorted { $0.key < $1.key }.map { key, values in
            var attribute = Onnx_AttributeProto()
            attribute.name = key
            if values.count == 1 && key == "transB" { attribute.i = values[0]; attribute.type = .int } else { attribute.ints = values; attribute.type = .ints }
            return attribute
        }
        return node
    }

    static func message(_ data: Data) -> String? {
        do {
            _ = try ONNXImport().load(data, path: "m.onnx")
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func theHandMadeModelOpens() throws {
        let result = try ONNXImport().load(Self.model(), path: "m.onnx")
        guard case let .network(network) = result.model.model else { Issue.record("not a network"); return }
        #expect(network.layerNames == ["conv", "relu", "gap", "flat", "fc"])
        #expect(result.model.provenance.classNames == ["class 0", "class 1", "class 2"])
        #expect(network.architecture.classCount == 3)
    }

    @Test func anUnsupportedOperatorNamesNodeOperatorAndTheSupportedList() {
        let text = Self.message(Self.model { $0.graph.node[1].opType = "Erf" })
        #expect(text?.hasPrefix("m.onnx: node \"relu\" (Erf): operator Erf is not supported; lens supports Add, AveragePool") == true, "\(text ?? "")")
        #expect(text?.contains("\n") == false)
    }

    @Test func aNonFloatTensorIsRefused() {
        let weights = Self.message(Self.model { $0.graph.initializer[0].dataType = 11; $0.graph.initializer[0].floatData = [] })
        #expect(weights == "m.onnx: tensor \"w\" holds float64; lens reads float32 models (export with model.float())", "\(weights ?? "")")
        let input = Self.message(Self.model { $0.graph.input[0].type.tensorType.elemType = 10 })
        #expect(input == "m.onnx: input \"input\" holds float16; lens reads float32 models", "\(input ?? "")")
    }

    @Test func externalDataIsRefused() {
        let text = Self.message(Self.model { $0.graph.initializer[2].dataLocation = .external })
        #expect(text?.contains("tensor \"fcw\" keeps its data in an external file") == true, "\(text ?? "")")
    }

    @Test func severalOutputsAreRefused() {
        let text = Self.message(Self.model { $0.graph.output.append(Self.value("r", dims: [-1, 2, 4, 4])) })
        #expect(text == "m.onnx: has 2 outputs (logits, r); lens reads models of one output, the class scores", "\(text ?? "")")
    }

    @Test func anOpsetOutsideElevenToTwentyOneIsRefused() {
        let text = Self.message(Self.model(opset: 9))
        #expect(text?.hasPrefix("m.onnx: uses ONNX opset 9; lens reads opsets 11 to 21") == true, "\(text ?? "")")
        #expect(Self.message(Self.model(opset: 11)) == nil)
        #expect(Self.message(Self.model(opset: 21)) == nil)
    }

    @Test func aFileThatIsNotProtobufIsRefused() {
        let text = Self.message(Data("not a model".utf8))
        #expect(text?.hasPrefix("m.onnx: is not an ONNX model") == true, "\(text ?? "")")
    }

    @Test func aMaxPoolIndicesOutputIsRefused() {
        let text = Self.message(Self.model {
            $0.graph.node.insert(Self.node("pool", "MaxPool", ["r"], ["p", "indices"], ints: ["kernel_shape": [2, 2]]), at: 2)
            $0.graph.node.insert(Self.node("use", "Relu", ["indices"], ["u"]), at: 3)
        })
        #expect(text?.contains("node \"pool\" (MaxPool): MaxPool's indices output is not supported") == true, "\(text ?? "")")
    }

    @Test func aSoftmaxBeforeTheEndIsRefusedAndAFinalOneDropped() throws {
        let inner = Self.message(Self.model { $0.graph.node[1] = Self.node("soft", "Softmax", ["c"], ["r"]) })
        #expect(inner?.contains("node \"soft\" (Softmax): Softmax is supported only as the last operation") == true, "\(inner ?? "")")
        let final = try ONNXImport().load(Self.model {
            $0.graph.node[4].output = ["scores"]
            $0.graph.node.append(Self.node("softmax", "Softmax", ["scores"], ["logits"]))
        }, path: "m.onnx")
        #expect(final.notes.contains { $0.contains("ends in Softmax; explanations and scores use the logits before it") })
    }

    /// torch.onnx.export writes an Identity node for a weight two layers share (torchvision's
    /// resnet18 does): the constant passes through it and the logits are those without it.
    @Test func anIdentityOfAWeightIsTheWeight() throws {
        let input = Tensor(shape: [2, 1, 4, 4], scalars: (0..<32).map { Float($0 % 7) * 0.1 })
        func logits(_ data: Data) throws -> Tensor {
            guard case .network(let network) = try ONNXImport().load(data, path: "m.onnx").model.model else { throw ONNXError(path: "m.onnx", problem: "no network") }
            return network.logits(input, batchSize: 2)
        }
        let shared = Self.model {
            $0.graph.node.insert(Self.node("copy", "Identity", ["w"], ["w_copy"]), at: 0)
            $0.graph.node[1].input[1] = "w_copy"
        }
        #expect(try logits(shared).scalars == (try logits(Self.model())).scalars)
    }

    @Test func classNamesComeFromMetadataProps() throws {
        let result = try ONNXImport().load(Self.model {
            var entry = Onnx_StringStringEntryProto()
            entry.key = "class_names"
            entry.value = "[\"cat\", \"dog\", \"bird\"]"
            $0.metadataProps = [entry]
        }, path: "m.onnx")
        #expect(result.model.provenance.classNames == ["cat", "dog", "bird"])
        #expect(throws: ONNXClassCountError(path: "m.onnx", outputs: 3, names: 2, fromMetadata: false)) {
            try ONNXImport(classNames: ["a", "b"]).load(Self.model(), path: "m.onnx")
        }
    }

    /// A BatchNormalization right after a convolution (here one without bias) is folded into it;
    /// behind an Identity it stays a layer of its own. Both give the same logits.
    @Test func batchNormAfterAConvolutionIsFoldedExactly() throws {
        func withBatchNorm(behindIdentity: Bool) -> Data {
            Self.model {
                var variance = Self.tensor("var", [2])
                variance.floatData = [0.5, 2]
                $0.graph.initializer += [Self.tensor("gamma", [2]), Self.tensor("beta", [2]), Self.tensor("mean", [2]), variance]
                $0.graph.node[0].input = ["input", "w"]
                $0.graph.node[0].output = ["c0"]
                var nodes = [Self.node("bn", "BatchNormalization", [behindIdentity ? "same" : "c0", "gamma", "beta", "mean", "var"], ["c"])]
                if behindIdentity { nodes.insert(Self.node("same", "Identity", ["c0"], ["same"]), at: 0) }
                $0.graph.node.insert(contentsOf: nodes, at: 1)
            }
        }
        let folded = try ONNXImport().load(withBatchNorm(behindIdentity: false), path: "m.onnx").model
        let kept = try ONNXImport().load(withBatchNorm(behindIdentity: true), path: "m.onnx").model
        guard case let .network(a) = folded.model, case let .network(b) = kept.model else { Issue.record("not networks"); return }
        #expect(a.layerNames == ["conv", "relu", "gap", "flat", "fc"])
        #expect(b.layerNames == ["conv", "same", "bn", "relu", "gap", "flat", "fc"])
        let input = Tensor(shape: [2, 1, 4, 4], scalars: (0..<32).map { Float(($0 * 7) % 11) / 5 - 1 })
        let (x, y) = (a.logits(input), b.logits(input))
        #expect(zip(x.scalars, y.scalars).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(x.scalars) vs \(y.scalars)")
    }
}
