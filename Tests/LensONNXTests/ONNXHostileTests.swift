import Foundation
@testable import LensONNX
import LensModels
import LensTensor
import Testing

/// MatMul of two activations, and hostile files: small models mutated at random (shapes, missing
/// initialisers, cycles, huge dims, unknown operators, flipped bytes) each open or give one line;
/// a trap in the importer or the network it builds would end the test process.
@Suite struct ONNXHostileTests {
    typealias Made = ONNXFailureTests

    /// The hand-made model with `mm = MatMul(r, r)` between the ReLU and the pooling: [2, 4, 4]·[2, 4, 4].
    static func matMulModel() -> Data {
        Made.model {
            $0.graph.node[2].input = ["mm"]
            $0.graph.node.insert(Made.node("mm", "MatMul", ["r", "r"], ["mm"]), at: 2)
        }
    }

    static func network(_ data: Data) throws -> Network {
        guard case let .network(network) = try ONNXImport().load(data, path: "m.onnx").model.model else {
            throw ONNXError(path: "m.onnx", problem: "not a network")
        }
        return network
    }

    @Test func matMulOfTwoActivationsIsTheProductPerChannel() throws {
        var network = try Self.network(Self.matMulModel())
        #expect(network.layerNames == ["conv", "relu", "mm", "gap", "flat", "fc"])
        let input = Tensor(shape: [2, 1, 4, 4], scalars: (0..<32).map { Float(($0 * 5) % 9) / 4 - 0.7 })
        let (_, captured) = try network.activations(input, at: ["relu", "mm"])
        let (r, mm) = (try #require(captured["relu"]), try #require(captured["mm"]))
        #expect(mm.shape == [2, 2, 4, 4])
        for plane in 0..<4 {
            for i in 0..<4 {
                for j in 0..<4 {
                    let expected = (0..<4).reduce(Float(0)) { $0 + r.scalars[plane * 16 + i * 4 + $1] * r.scalars[plane * 16 + $1 * 4 + j] }
                    #expect(abs(mm.scalars[plane * 16 + i * 4 + j] - expected) <= 1e-5)
                }
            }
        }
    }

    /// The backward of both operands (the same tensor twice: the gradients sum) against central differences.
    @Test func matMulGradientMatchesFiniteDifferences() throws {
        var network = try Self.network(Self.matMulModel())
        let input = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map { Float(($0 * 7) % 11) / 5 - 0.9 })
        let gradient = try network.targetGradients(input, targets: [1]).input
        let step: Float = 1e-2
        for index in [0, 5, 6, 10, 15] {
            var plus = input, minus = input
            plus.scalars[index] += step
            minus.scalars[index] -= step
            let numeric = (network.logits(plus).scalars[1] - network.logits(minus).scalars[1]) / (2 * step)
            #expect(abs(numeric - gradient.scalars[index]) <= 2e-2 * max(1, abs(numeric)), "pixel \(index): \(numeric) vs \(gradient.scalars[index])")
        }
    }

    @Test func matMulOperandsThatDoNotFitAreOneLine() {
        let text = Made.message(Made.model {
            $0.graph.node[2].input = ["mm"]
            $0.graph.node.insert(Made.node("mm", "MatMul", ["r", "c0"], ["mm"]), at: 2)
            $0.graph.node.insert(Made.node("c0", "MaxPool", ["r"], ["c0"], ints: ["kernel_shape": [2, 2], "strides": [2, 2]]), at: 2)
        })
        #expect(text?.hasPrefix("m.onnx: node \"mm\" (MatMul): a matrix product needs [..., m, k] and [..., k, n]") == true, "\(text ?? "")")
    }

    @Test func hostileShapesAreOneLine() {
        let cases: [(String, (inout Onnx_ModelProto) -> Void)] = [
            ("has shape [-3, 2]", { $0.graph.initializer[3].dims = [-3, 2] }),
            ("which is negative or above", { $0.graph.initializer[0].dims = [1 << 40, 1 << 40, 1, 1] }),
            ("of at most 4096 pixels a side", { $0.graph.input[0] = Made.value("input", dims: [-1, 1, 1 << 40, 1 << 40]) }),
            ("group 0 must lie in 1", { $0.graph.node[0].attribute.append(Self.int("group", 0)) }),
            ("must lie in 1 to 65536", { $0.graph.node[0].attribute[1].ints = [1 << 50, 1, 1, 1] }),
            ("input 2 (\"w\") must be a constant (an initializer)", { $0.graph.initializer.remove(at: 0) }),  // a missing initialiser
            ("is produced by no earlier node", { $0.graph.node[0].input[0] = "r" }),      // a cycle: conv reads relu's output
            ("operator Loop is not supported", { $0.graph.node[1].opType = "Loop" }),
        ]
        for (expected, change) in cases {
            let text = Made.message(Made.model(changing: change))
            #expect(text?.contains(expected) == true && text?.contains("\n") == false, "\(expected): \(text ?? "opened")")
        }
    }

    static func int(_ name: String, _ value: Int64) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .int
        attribute.i = value
        return attribute
    }

    /// Seeded mutations of the hand-made model, its MatMul variant and the ResNet fixture: every
    /// result is a model that runs a forward and backward pass, or an error of one line.
    @Test func mutatedModelsOpenOrGiveOneLine() throws {
        let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let seeds = [Made.model(), Self.matMulModel(), try Data(contentsOf: folder.appendingPathComponent("resnet.onnx"))]
        var generator = SeededGenerator(seed: 1717)
        var opened = 0, refused = 0
        for round in 0..<600 {
            let seed = seeds[round % seeds.count]
            let data: Data
            if round % 5 == 4 {
                data = Self.flipBytes(seed, using: &generator)
            } else {
                guard var model = try? Onnx_ModelProto(serializedBytes: seed) else { Issue.record("seed \(round % 3) does not parse"); return }
                for _ in 0..<Int.random(in: 1...3, using: &generator) { Self.mutate(&model, using: &generator) }
                data = (try? model.serializedData()) ?? Data()
            }
            do {
                let result = try ONNXImport().load(data, path: "m.onnx")
                guard case .network(var network) = result.model.model else { continue }
                let shape = network.architecture.inputShape
                let input = Tensor(shape: [2] + shape, scalars: (0..<(2 * shape.reduce(1, *))).map { Float($0 % 13) / 13 })
                _ = try network.targetGradients(input, targets: [0, network.architecture.classCount - 1])
                opened += 1
            } catch {
                let text = "\(error)"
                #expect(!text.contains("\n") && !text.isEmpty && text.count < 2000, "round \(round): \(text)")
                refused += 1
            }
        }
        #expect(opened > 20 && refused > 100, "opened \(opened), refused \(refused)")
    }

    static func flipBytes(_ data: Data, using generator: inout SeededGenerator) -> Data {
        var bytes = [UInt8](data)
        for _ in 0..<Int.random(in: 1...8, using: &generator) where !bytes.isEmpty {
            bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
        }
        return Data(bytes)
    }

    static let hostileSizes: [Int64] = [-1, 0, 1, 2, 3, 7, 1 << 20, 1 << 31, Int64.max, Int64.min]
    static let operators = ["Conv", "Relu", "Add", "Mul", "MatMul", "Gemm", "Concat", "Reshape", "Flatten", "MaxPool", "AveragePool",
                            "GlobalAveragePool", "BatchNormalization", "Pad", "Clip", "Softmax", "Identity", "Constant", "Loop", "Erf"]

    /// One random change of the kind a broken or hostile exporter makes.
    static func mutate(_ model: inout Onnx_ModelProto, using g: inout SeededGenerator) {
        var graph = model.graph
        func pick<T>(_ items: [T]) -> Int? { items.isEmpty ? nil : Int.random(in: 0..<items.count, using: &g) }
        switch Int.random(in: 0..<10, using: &g) {
        case 0:  // an initialiser's dims
            if let i = pick(graph.initializer), let d = pick(graph.initializer[i].dims) {
                graph.initializer[i].dims[d] = hostileSizes[Int.random(in: 0..<hostileSizes.count, using: &g)]
            }
        case 1:  // a missing initialiser
            if let i = pick(graph.initializer) { graph.initializer.remove(at: i) }
        case 2:  // a node reading another tensor (later ones: cycles)
            if let n = pick(graph.node), let k = pick(graph.node[n].input), let m = pick(graph.node), let o = pick(graph.node[m].output) {
                graph.node[n].input[k] = graph.node[m].output[o]
            }
        case 3:  // another operator
            if let n = pick(graph.node) { graph.node[n].opType = operators[Int.random(in: 0..<operators.count, using: &g)] }
        case 4:  // an integer attribute
            if let n = pick(graph.node), let a = pick(graph.node[n].attribute) {
                let size = hostileSizes[Int.random(in: 0..<hostileSizes.count, using: &g)]
                graph.node[n].attribute[a].i = size
                if let v = pick(graph.node[n].attribute[a].ints) { graph.node[n].attribute[a].ints[v] = size }
            }
        case 5:  // the input's dims
            if let d = pick(graph.input.first?.type.tensorType.shape.dim ?? []) {
                graph.input[0].type.tensorType.shape.dim[d].dimValue = hostileSizes[Int.random(in: 0..<hostileSizes.count, using: &g)]
            }
        case 6:  // nodes out of order
            if let a = pick(graph.node), let b = pick(graph.node) { graph.node.swapAt(a, b) }
        case 7:  // a node dropped
            if let n = pick(graph.node) { graph.node.remove(at: n) }
        case 8:  // an operand dropped or added
            if let n = pick(graph.node) {
                if Bool.random(using: &g), !graph.node[n].input.isEmpty { graph.node[n].input.removeLast() } else { graph.node[n].input.append(graph.node[n].input.first ?? "x") }
            }
        default:  // values cut short
            if let i = pick(graph.initializer) {
                if !graph.initializer[i].rawData.isEmpty { graph.initializer[i].rawData = graph.initializer[i].rawData.prefix(3) }
                else { graph.initializer[i].floatData = Array(graph.initializer[i].floatData.prefix(1)) }
            }
        }
        model.graph = graph
    }
}
