import Testing
import LensTensor
@testable import LensModels

@Test func foldingTheCentringGivesTheSameLogitsOnRawInputs() throws {
    var generator = SeededGenerator(seed: 3)
    let images = Tensor(shape: [10, 1, 4, 4], scalars: (0..<160).map { _ in 0.3 + 0.4 * generator.nextUniform() })
    let centering = InputCentering(fitting: images)
    let centred = centering.apply(images)
    // centred features have mean 0 and overall RMS 1
    for j in 0..<16 {
        let mean = (0..<10).map { centred.scalars[$0 * 16 + j] }.reduce(0, +) / 10
        #expect(abs(mean) < 1e-5)
    }
    let rms = (centred.scalars.map { $0 * $0 }.reduce(0, +) / 160).squareRoot()
    #expect(abs(rms - 1) < 1e-4)

    let architecture = try Architecture.mlp(inputShape: [1, 4, 4], hidden: [5], classes: 3)
    var network = Network(architecture: architecture, seed: 1)
    let expected = network.logits(centred)
    try centering.fold(into: &network)
    let folded = network.logits(images)
    for (a, b) in zip(expected.scalars, folded.scalars) { #expect(abs(a - b) < 1e-4) }
}

@Test func centringIsOnlyFoldedIntoADenseFirstLayer() throws {
    let cnn = try Architecture.parse("conv3x3x2,pool,fc4", inputShape: [1, 4, 4], classes: 2)
    #expect(InputCentering.firstLinearLayer(of: cnn) == nil)
    #expect(InputCentering.firstLinearLayer(of: try Architecture.softmaxRegression(inputShape: [1, 4, 4], classes: 2))?.name == "fc")
}

@Test func unfoldingUndoesFolding() throws {
    var generator = SeededGenerator(seed: 4)
    let images = Tensor(shape: [6, 1, 3, 3], scalars: (0..<54).map { _ in 0.2 + 0.5 * generator.nextUniform() })
    let centering = InputCentering(fitting: images)
    var network = Network(architecture: try Architecture.mlp(inputShape: [1, 3, 3], hidden: [4], classes: 2), seed: 2)
    let original = network.parameters.map(\.tensor)
    try centering.fold(into: &network)
    #expect(network.parameters.map(\.tensor) != original, "folding changes the first layer")
    try centering.unfold(from: &network)
    for (before, after) in zip(original, network.parameters.map(\.tensor)) {
        for (a, b) in zip(before.scalars, after.scalars) { #expect(abs(a - b) < 1e-4) }
    }
}
