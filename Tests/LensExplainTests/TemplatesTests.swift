import LensModels
import LensTensor
import Testing
@testable import LensExplain

/// Templates are the first weighted layer's raw weights laid out like the input; the votes and the
/// face-likeness number are computed from them exactly.
@Suite struct TemplatesTests {
    static func network(_ layers: [LayerSpec], input: [Int] = [1, 4, 4], seed: UInt64 = 1) throws -> Network {
        Network(architecture: try Architecture(inputShape: input, layers: layers), seed: seed)
    }

    @Test func softmaxTemplatesAreItsWeightRows() throws {
        let network = try Self.network([.flatten(), .linear("fc", in: 16, out: 3)])
        let templates = try Templates(of: network)
        let weight = try #require(network.parameters.first { $0.name == "fc.weight" }).tensor
        #expect(templates.kind == .classWeights)
        #expect(templates.layer == "fc")
        #expect(templates.images.shape == [3, 1, 4, 4])
        #expect(templates.images.scalars == weight.scalars)
        #expect(templates.template(2) == Array(weight.scalars[32..<48]))
        #expect(templates.votes.isEmpty)
    }

    @Test func mlpVotesAreTheLargestOutputWeights() throws {
        var network = try Self.network([.flatten(), .linear(in: 16, out: 4), .relu(), .linear(in: 4, out: 2)])
        var parameters = Dictionary(uniqueKeysWithValues: network.parameters.map { ($0.name, $0.tensor) })
        parameters["fc2.weight"] = Tensor(shape: [2, 4], scalars: [0.1, -2, 0.7, 0.3,
                                                                   0.5, 0.5, -1, 0.9])
        try network.load(parameters: parameters)
        let templates = try Templates(of: network, topVotes: 3)
        #expect(templates.kind == .hiddenUnits)
        #expect(templates.images.shape == [4, 1, 4, 4])
        #expect(templates.images.scalars == parameters["fc1.weight"]?.scalars)
        #expect(templates.votes == [ClassVotes(classIndex: 0, units: [2, 3, 0], weights: [0.7, 0.3, 0.1]),
                                    ClassVotes(classIndex: 1, units: [3, 0, 1], weights: [0.9, 0.5, 0.5])])
        #expect(try templates.classTemplates() == [templates.template(2), templates.template(3)])
        #expect(throws: ExplainError.settingOutOfRange(setting: "top votes", value: "5",
                                                       allowed: "between 1 and 4, the number of hidden units")) {
            _ = try Templates(of: network, topVotes: 5)
        }
        #expect(try Templates(of: network).votes.map(\.units.count) == [4, 4], "by default every unit of a layer narrower than 5")
    }

    @Test func cnnTemplatesAreFirstLayerFilters() throws {
        let network = try Self.network([.conv2d(in: 1, out: 2, kernel: 3, padding: 1), .relu(), .flatten(), .linear(in: 32, out: 3)])
        let templates = try Templates(of: network)
        #expect(templates.kind == .filters)
        #expect(templates.images.shape == [2, 1, 3, 3])
        #expect(templates.images == network.parameters.first { $0.name == "conv1.weight" }?.tensor)
        #expect(throws: ExplainError.self) { _ = try templates.classTemplates() }
    }

    @Test func aDenseLayerAfterPoolingHasNoTemplates() throws {
        let network = try Self.network([.maxPool2d(kernel: 2), .flatten(), .linear(in: 4, out: 3)])
        #expect(throws: ExplainError.unsuitableLayer(method: "templates", layer: "fc1",
                                                     problem: "it sees pooled pixels, not the pixels themselves", suitable: [])) {
            _ = try Templates(of: network)
        }
    }

    /// Two classes of 2x2 images: a template equal to the class's deviation from the overall mean
    /// scores 1, its negation −1, a constant template 0.
    @Test func faceLikenessIsPearsonAgainstTheCentredClassMean() throws {
        let images = Tensor(shape: [4, 4], scalars: [1, 0, 0, 0,
                                                     0.8, 0.2, 0, 0,
                                                     0, 0, 1, 0.5,
                                                     0, 0, 0.6, 0.9])
        let labels = [0, 0, 1, 1]
        // Class means (0.9, 0.1, 0, 0) and (0, 0, 0.8, 0.7); overall (0.45, 0.05, 0.4, 0.35).
        let centred: [[Float]] = [[0.45, 0.05, -0.4, -0.35], [-0.45, -0.05, 0.4, 0.35]]
        let perfect = try FaceLikeness(classTemplates: centred, images: images, labels: labels)
        #expect(perfect.perClass.allSatisfy { abs($0 - 1) < 1e-5 })
        #expect(abs(perfect.mean - 1) < 1e-5)
        let mixed = try FaceLikeness(classTemplates: [centred[0].map { -$0 }, [3, 3, 3, 3]], images: images, labels: labels)
        #expect(abs(mixed.perClass[0] + 1) < 1e-5)
        #expect(mixed.perClass[1] == 0)
        #expect(abs(mixed.mean + 0.5) < 1e-5)
        #expect(throws: ExplainError.self) { _ = try FaceLikeness(classTemplates: [[1, 2]], images: images, labels: labels) }
    }
}
