import Foundation
import LensExplain
import LensModels
import LensTensor
import Testing
@testable import LensStudio

/// The contrast figure of every misclassified test image, and its difference map against the
/// method's own maps of the two classes.
@Suite struct MistakeContrastTests {
    static func data() throws -> (Network, PageData) {
        let network = Network(architecture: try Architecture.parse("conv3x3x4,pool", inputShape: [1, 8, 8], classes: 3), seed: 7)
        var generator = SeededGenerator(seed: 8)
        let images = { (count: Int) in Tensor(shape: [count, 1, 8, 8], scalars: (0..<(count * 64)).map { _ in generator.nextUniform() }) }
        let train = images(9), test = images(12)
        // Labels the untrained network cannot all get right.
        let data = PageData(classNames: ["a", "b", "c"], trainImages: train, trainLabels: (0..<9).map { $0 % 3 },
                            testImages: test, testLabels: (0..<12).map { $0 % 3 })
        return (network, data)
    }

    @Test func everyMistakeGetsItsContrastWhoseDifferenceIsTheMapOfTheLogitDifference() throws {
        let (network, data) = try Self.data()
        let predicted = network.predictions(data.testImages)
        let wrong = predicted.indices.filter { predicted[$0] != data.testLabels[$0] }
        try #require(!wrong.isEmpty)
        var settings = AttributionSettings()
        settings.integrationSteps = 8
        let contrasts = try MistakeContrast.mistakes(network, data: data, limit: 100, settings: settings)
        #expect(contrasts.map(\.index) == wrong, "one figure per misclassified test image")
        for contrast in contrasts {
            #expect(contrast.predicted == data.classNames[predicted[contrast.index]] && contrast.truth == data.classNames[data.testLabels[contrast.index]])
            #expect(contrast.margin > 0, "the model preferred its answer")
            for map in [contrast.predictedMap, contrast.trueMap, contrast.differenceMap] { #expect(map.image != nil, "\(map.problem ?? "")") }
            #expect(contrast.predictedPhoto.hasPrefix("data:image/png") && contrast.truePhoto.hasPrefix("data:image/png"))
            #expect(contrast.bound > 0 && contrast.scaleRule == MistakeContrast.scaleRule)
        }
        let section = ExplanationPages.mistakesContrastSection(contrasts)
        #expect(section.components(separatedBy: "rather than").count - 1 >= contrasts.count)
        #expect(ExplanationPages.mistakesContrastSection([]).isEmpty)
    }

    /// Saliency of a linear model: the difference map is the difference of the two maps, and the
    /// figure's scale holds all three.
    @Test func theDifferenceOfSaliencyMapsOfALinearModel() throws {
        var network = Network(architecture: try .softmaxRegression(inputShape: [1, 4, 4], classes: 3), seed: 2)
        let inputs = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map { Float($0) / 16 })
        let predicted = network.predictions(inputs)[0], truth = (predicted + 1) % 3
        let maps = try [predicted, truth].map { try AttributionMethod.saliency.attribute(&network, inputs: inputs, targets: [$0]).maps.scalars }
        let difference = try AttributionMethod.saliency.attribute(&network, inputs: inputs, targets: [predicted], against: [truth]).maps.scalars
        #expect(zip(difference, zip(maps[0], maps[1]).map(-)).allSatisfy { abs($0 - $1) < 1e-6 })
        let figure = try MistakeContrast(network: network, images: inputs, index: 0, truth: truth, classNames: ["a", "b", "c"],
                                         trainImages: inputs, trainLabels: [predicted], method: .saliency)
        let largest = (difference + maps[0] + maps[1]).map(abs).max() ?? 0
        #expect(figure.bound > 0 && figure.bound <= largest * (1 + 1e-5), "one scale within the three maps' values")
        #expect(figure.truePhoto.isEmpty, "no training photo of a class the training images lack")
    }
}
