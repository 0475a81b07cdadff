import Foundation
import LensModels
import Testing

@Suite struct ArchitectureTests {
    static let cnnFixtureJSON = """
    [{"op": "conv2d", "name": "conv1", "in": 1, "out": 4, "kernel": 3, "stride": 1, "padding": 1}, {"op": "relu", "name": "relu1"}, \
    {"op": "maxpool2d", "name": "pool1", "kernel": 2, "stride": 2}, {"op": "conv2d", "name": "conv2", "in": 4, "out": 8, "kernel": 3, "stride": 1, "padding": 1}, \
    {"op": "relu", "name": "relu2"}, {"op": "maxpool2d", "name": "pool2", "kernel": 2, "stride": 2}, {"op": "flatten", "name": "flatten"}, \
    {"op": "linear", "name": "fc1", "in": 128, "out": 16}, {"op": "relu", "name": "relu3"}, {"op": "linear", "name": "fc2", "in": 16, "out": 5}]
    """

    @Test func readsTheFixtureFormatAndWritesItBack() throws {
        let architecture = try Architecture(json: Self.cnnFixtureJSON, inputShape: [1, 16, 16])
        #expect(architecture.layerNames == ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten", "fc1", "relu3", "fc2"])
        #expect(architecture.layerOutputShapes[5] == [8, 4, 4])
        #expect(architecture.outputShape == [5])
        #expect(architecture.json == Self.cnnFixtureJSON, "same text, same key order")
        #expect(try Architecture(json: architecture.json, inputShape: [1, 16, 16]) == architecture)
    }

    @Test func sequentialModulePathsNameParametersAndLayersGetConventionalNames() throws {
        let json = #"[{"op": "linear", "name": "layers.0", "in": 20, "out": 12}, {"op": "relu"}, {"op": "linear", "name": "layers.1", "in": 12, "out": 3}]"#
        let architecture = try Architecture(json: json, inputShape: [20])
        #expect(architecture.layerNames == ["fc1", "relu1", "fc2"])
        #expect(Network(architecture: architecture, seed: 0).parameters.map(\.name)
                == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"])
        #expect(architecture.json.contains(#""name": "fc1", "parameters": "layers.0""#))
        #expect(try Architecture(json: architecture.json, inputShape: [20]) == architecture)
    }

    @Test func codableRoundTrip() throws {
        let architecture = try Architecture.parse("conv5x5x8s2p0,pool3s2,dropout0.25,fc32", inputShape: [3, 31, 29], classes: 4)
        let data = try JSONEncoder().encode(architecture)
        #expect(try JSONDecoder().decode(Architecture.self, from: data) == architecture)
        #expect(architecture.layers.contains { $0.operation == .dropout(probability: 0.25) })
    }

    @Test func presets() throws {
        let softmax = try Architecture.softmaxRegression(inputShape: [1, 64, 64], classes: 40)
        #expect(softmax.layerNames == ["flatten", "fc"])
        #expect(Network(architecture: softmax, seed: 0).parameters.map(\.tensor.shape) == [[40, 4096], [40]])

        let mlp = try Architecture.mlp(inputShape: [1, 28, 28], hidden: [512, 256], classes: 10)
        #expect(mlp.layerNames == ["flatten", "fc1", "relu1", "fc2", "relu2", "fc3"])
        #expect(mlp.layerOutputShapes.map(\.[0]) == [784, 512, 512, 256, 256, 10])

        let faces = try Architecture.cnn(inputShape: [1, 64, 64], classes: 40)
        #expect(faces.layerNames == ["conv1", "batchnorm1", "relu1", "pool1", "conv2", "batchnorm2", "relu2", "pool2",
                                     "conv3", "batchnorm3", "relu3", "pool3", "flatten", "fc1", "relu4", "fc2"],
                "faces: three batch-normalised conv blocks (the face recipe)")
        #expect(faces.layerOutputShapes[faces.index(ofLayer: "pool3")!] == [64, 8, 8])
        let digits = try Architecture.cnn(inputShape: [1, 28, 28], classes: 10)
        #expect(digits.layerOutputShapes[digits.index(ofLayer: "pool2")!] == [64, 7, 7])
        for side in [1, 3, 5, 9, 17, 200] {
            #expect(try Architecture.cnn(inputShape: [3, side, side + 3], classes: 2).outputShape == [2], "side \(side)")
        }
        #expect(throws: ArchitectureError.self) { try Architecture.cnn(inputShape: [784], classes: 10) }
        #expect(throws: ArchitectureError.invalidClassCount(1)) { try Architecture.mlp(inputShape: [4], hidden: [], classes: 1) }
    }

    @Test func compactStrings() throws {
        let architecture = try Architecture.parse(" Conv3x3x16, pool ,conv3x3x32,pool,fc128 ", inputShape: [1, 64, 64], classes: 40)
        #expect(architecture.layerNames == ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten", "fc1", "relu3", "fc2"])
        #expect(architecture.layers[0].operation == .conv2d(inChannels: 1, outChannels: 16, kernel: 3, stride: 1, padding: 1))
        #expect(architecture.layers[7].operation == .linear(inFeatures: 32 * 16 * 16, outFeatures: 128))
        let strided = try Architecture.parse("conv5x5x8s2p0,pool3s1", inputShape: [2, 21, 17], classes: 3)
        #expect(strided.layers[0].operation == .conv2d(inChannels: 2, outChannels: 8, kernel: 5, stride: 2, padding: 0))
        #expect(strided.layerOutputShapes[2] == [8, 7, 5])
        #expect(try Architecture.parse("fc10", inputShape: [5], classes: 2).layerNames == ["flatten", "fc1", "relu1", "fc2"])
    }

    @Test(arguments: [
        ("conv3x3", 0, "not understood"),
        ("conv3x5x8", 0, "square"),
        ("pool,banana", 1, "not understood"),
        ("fc", 0, "not understood"),
        ("relu", 0, "ReLU follows"),
        ("conv3x3x8,,fc10", 1, "empty"),
        ("dropout1.5", 0, "[0, 1)"),
        ("pool0", 0, "positive"),
        ("conv3x3x0", 0, "positive"),
        ("conv3x3x8p0,pool,conv3x3x8p0,conv3x3x8p0", 3, "larger than the padded height 1"),
        ("pool,pool,pool,pool", 3, "larger than the height 1"),
        ("fc99999999999999999999", 0, "too large"),
        // Found by fuzzing: sizes whose products overflow are errors, not traps.
        ("conv3x3x1000000000000000000,fc8", 1, "flattened size of [1000000000000000000, 8, 8] is too large to compute"),
        ("conv3x3x4p4611686018427387904", 0, "padding 4611686018427387904 is too large to compute"),
        ("conv3x3x4p4611686018427387903", 0, "padded height is too large to compute"),
    ])
    func compactStringErrorsNameTheItem(compact: String, position: Int, phrase: String) {
        do {
            _ = try Architecture.parse(compact, inputShape: [1, 8, 8], classes: 3)
            Issue.record("\(compact) was accepted")
        } catch let error as ArchitectureError {
            guard case let .invalidToken(_, reported, _) = error else {
                Issue.record("\(compact): unexpected \(error)")
                return
            }
            #expect(reported == position, "\(error)")
            #expect(error.description.contains(phrase), "\(error)")
            #expect(error.description.contains("item \(position + 1)"), "\(error)")
        } catch {
            Issue.record("\(compact): unexpected \(error)")
        }
    }

    @Test func layersThatDoNotFitAreNamed() {
        func problem(_ inputShape: [Int], _ layers: [LayerSpec]) -> String {
            do {
                _ = try Architecture(inputShape: inputShape, layers: layers)
                return "accepted"
            } catch { return "\(error)" }
        }
        #expect(problem([10], [.linear("hidden", in: 12, out: 3)]).contains("\"hidden\" does not fit its input of shape [10]: linear expects 12"))
        #expect(problem([1, 4, 4], [.linear(in: 16, out: 3)]).contains("put a flatten layer before it"))
        #expect(problem([3, 8, 8], [.conv2d(in: 1, out: 2, kernel: 3), .flatten(), .linear(in: 72, out: 2)])
            .contains("\"conv1\" does not fit its input of shape [3, 8, 8]: conv2d expects 1 input channels"))
        #expect(problem([1, 8, 8], [.conv2d(in: 1, out: 2, kernel: 3, stride: 0), .flatten(), .linear(in: 2, out: 2)]).contains("stride 0"))
        #expect(problem([4], [.linear("a", in: 4, out: 4), .linear("a", in: 4, out: 2)]).contains("two layers are named \"a\""))
        #expect(problem([4], [.linear(in: 4, out: 4), .relu()]).contains("end it with a linear layer"))
        #expect(problem([0, 4, 4], [.flatten(), .linear(in: 0, out: 2)]).contains("input shape [0, 4, 4]"))
        #expect(problem([4], [.dropout(probability: 1), .linear(in: 4, out: 2)]).contains("dropout probability must be in [0, 1)"))
    }

    @Test(arguments: [
        (#"[{"op": "softmax2d"}]"#, "unknown op \"softmax2d\""),
        (#"[{"op": "linear", "in": 4}]"#, "needs \"out\""),
        (#"[{"op": "linear", "in": "four", "out": 2}]"#, "layer 1"),
        ("not json", "not valid"),
        (#"{"op": "linear"}"#, "not valid"),
    ])
    func badJSONIsExplained(json: String, phrase: String) {
        #expect(throws: ArchitectureError.self) { try Architecture(json: json, inputShape: [4]) }
        do { _ = try Architecture(json: json, inputShape: [4]) } catch {
            #expect("\(error)".contains(phrase), "\(error)")
        }
    }
}
