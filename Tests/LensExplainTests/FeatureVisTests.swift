import Foundation
import LensModels
import LensTensor
import Testing
@testable import LensExplain

/// Feature visualisation on the small CNN trained on ORL faces (TrustFixture): the ascent climbs,
/// reaches at least what the best natural face reaches, the check runs, and bad requests are
/// one-line errors.
@Suite struct FeatureVisTests {
    static var network: Network { TrustFixture.cnn }

    /// The first block's output: the ReLU after the first convolution.
    static var firstBlock: String {
        network.architecture.layers.first { $0.operation == .relu }!.name
    }

    static func settings(steps: Int = 256, images: Int = 1, diversity: Double = 1) -> FeatureVisSettings {
        var settings = FeatureVisSettings()
        settings.steps = steps
        settings.images = images
        settings.diversity = diversity
        return settings
    }

    @Test func firstBlockUnitsReachTheirTopNaturalActivation() throws {
        let layer = Self.firstBlock
        let channels = Self.network.architecture.layerOutputShapes[try Self.network.layerIndex(named: layer)][0]
        var inspection = InspectionSettings()
        inspection.topImages = 9
        for unit in 0..<channels {
            let report = try FeatureVisReport(network: Self.network, objective: .channel(layer: layer, channel: unit),
                                              naturalImages: TrustFixture.faces.train.images, settings: Self.settings(),
                                              inspection: inspection)
            let reached = report.synthetic.reached[0]
            #expect(reached >= report.topNaturalActivation, "unit \(unit): \(reached) < \(report.topNaturalActivation)")
            // rising in expectation: the last steps' mean above the first steps'
            let trace = report.synthetic.trace
            #expect(trace.count == 256)
            let early = trace.prefix(32).reduce(0, +) / 32, late = trace.suffix(32).reduce(0, +) / 32
            #expect(late > early, "unit \(unit)")
            #expect(report.topImageIndices.count == 9)
            #expect(report.pathCheck.layers.map(\.layer).last == layer)
            #expect(report.activationRatio[0] >= 1 || report.topNaturalActivation <= 0)
        }
    }

    @Test func seededAndWithinThePixelRange() throws {
        let objective = FeatureObjective.classLogit(3)
        let a = try FeatureVisualisation.run(network: Self.network, objective: objective, settings: Self.settings(steps: 20))
        let b = try FeatureVisualisation.run(network: Self.network, objective: objective, settings: Self.settings(steps: 20))
        #expect(a.images == b.images)
        #expect(a.images.shape == [1, 1, 16, 16])
        #expect(a.images.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        let probability = try #require(a.classProbability?.first)
        #expect(probability >= 0 && probability <= 1)
    }

    /// Four images made with the diversity term are less alike (cosine of their Gram matrices)
    /// than four made without it from the same start.
    @Test func diversityPushesImagesApart() throws {
        let objective = FeatureObjective.channel(layer: Self.firstBlock, channel: 0)
        var network = Self.network
        func similarity(_ images: Tensor) throws -> Float {
            let output = try network.activations(images, at: [Self.firstBlock]).activations[Self.firstBlock]!
            return DiversityTerm.penalty(output, weight: 1).value
        }
        let plain = try FeatureVisualisation.run(network: Self.network, objective: objective, settings: Self.settings(steps: 128, images: 4, diversity: 0))
        let diverse = try FeatureVisualisation.run(network: Self.network, objective: objective, settings: Self.settings(steps: 128, images: 4, diversity: 20))
        #expect(diverse.images.shape[0] == 4)
        #expect(try similarity(diverse.images) < similarity(plain.images))
    }

    @Test func diversityGradientMatchesFiniteDifferences() {
        var generator = SeededGenerator(seed: 2)
        let output = Tensor(shape: [3, 2, 2, 2], scalars: (0..<24).map { _ in generator.nextUniform() })
        let gradient = DiversityTerm.penalty(output, weight: 1.5).gradient
        for index in 0..<24 {
            var plus = output, minus = output
            plus.scalars[index] += 1e-2
            minus.scalars[index] -= 1e-2
            let numeric = (DiversityTerm.penalty(plus, weight: 1.5).value - DiversityTerm.penalty(minus, weight: 1.5).value) / 2e-2
            #expect(abs(numeric - gradient.scalars[index]) < 1e-2 + 2e-2 * abs(numeric), "entry \(index)")
        }
    }

    /// An image compared with itself follows the natural path: its similarity is 1 at every layer,
    /// at least that to other faces (equal where a few channels' means rank alike).
    @Test func anImageTakesItsOwnPath() throws {
        let faces = TrustFixture.faces.train.images
        let dense = Self.network.architecture.layers.first { if case .linear = $0.operation { true } else { false } }!.name
        let image = faces.gather([0]), others = faces.gather([200, 150, 90, 40])
        let check = try PathCheck(network: Self.network, objective: .unit(layer: dense, unit: 0), synthetic: image, top: image, random: others)
        #expect(check.layers.count == 3)
        #expect(check.layers.allSatisfy { abs($0.natural - 1) < 1e-9 && $0.baseline <= 1 + 1e-9 })
        #expect(check.layers.last!.baseline < 1, "32 dense units: other faces rank them differently")
        #expect(check.verdict == .naturalPath)
        // and the other way round: against faces that are not it, itself as the baseline
        let reversed = try PathCheck(network: Self.network, objective: .unit(layer: dense, unit: 0), synthetic: image, top: others, random: image)
        #expect(reversed.verdict == .anotherPath)
        // two synthetic images: each gets the numbers it gets alone, and the pooled row is their mean
        let pair = try PathCheck(network: Self.network, objective: .unit(layer: dense, unit: 0), synthetic: faces.gather([0, 90]),
                                 top: image, random: others)
        let alone = try PathCheck(network: Self.network, objective: .unit(layer: dense, unit: 0), synthetic: faces.gather([90]),
                                  top: image, random: others)
        #expect(pair.images.count == 2 && pair.images[0].layers == check.layers && pair.images[1].layers == alone.layers)
        #expect(pair.images[0].verdict == .naturalPath)
        for (layer, row) in pair.layers.enumerated() {
            #expect(abs(row.natural - (pair.images[0].layers[layer].natural + pair.images[1].layers[layer].natural) / 2) < 1e-9)
        }
    }

    /// A unit of a spatial layer is Lucent's "neuron": channel u at the centre position, not the
    /// u-th number of the flattened map (which is channel 0 for every u below H·W).
    @Test func aUnitOfASpatialLayerIsItsChannelAtTheCentre() {
        let shape = [2, 3, 4, 5]   // N, C, H, W
        let output = Tensor(shape: shape, scalars: (0..<(2 * 3 * 4 * 5)).map(Float.init))
        let objective = FeatureObjective.unit(layer: "relu1", unit: 2)
        let centre = (2 * 4 + 2) * 5 + 2   // channel 2, row 2 of 4, column 2 of 5
        #expect(objective.values(output) == [Float(centre), Float(60 + centre)])
        let gradient = objective.gradient(like: output)
        #expect(gradient.scalars.reduce(0, +) == 2)
        #expect(gradient.scalars[centre] == 1 && gradient.scalars[60 + centre] == 1)
        // a dense unit and a logit still read their own index
        let flat = Tensor(shape: [1, 6], scalars: [0, 10, 20, 30, 40, 50])
        #expect(FeatureObjective.unit(layer: "fc1", unit: 4).values(flat) == [40])
        #expect(FeatureObjective.classLogit(1).values(flat) == [10])
    }

    /// A conv unit asked for as one position (`--objective unit`, Lucent's "neuron") climbs the
    /// centre: its image is one motif inside that position's receptive field, measured against the
    /// unit's strongest natural activation at any position (the top natural patch beside it). Every
    /// unit is opened (above 0: the start is redrawn until the ReLU passes a gradient); reaching the
    /// top patch is not yet met by every unit (4 of these 8 at 128 steps: docs/feature-vis.md), which
    /// is why a conv unit's default objective stays its channel's mean.
    @Test func aConvUnitClimbsItsCentrePositionAndReachesItsTopNaturalPatch() throws {
        let network = Self.network
        let layer = Self.firstBlock
        let shape = network.architecture.layerOutputShapes[try network.layerIndex(named: layer)]
        var inspection = InspectionSettings()
        inspection.topImages = 9
        for unit in 0..<shape[0] {
            #expect(try FeatureObjective.unit(unit, of: layer, in: network) == .channel(layer: layer, channel: unit), "the default")
            let objective = FeatureObjective.unit(layer: layer, unit: unit)
            let report = try FeatureVisReport(network: network, objective: objective, naturalImages: TrustFixture.faces.train.images,
                                              settings: Self.settings(steps: 128), inspection: inspection)
            // the box of the centre position: 3x3 around (8, 8) for a 3x3 convolution of 16x16 faces
            let field = try #require(report.synthetic.field)
            let centre = try ReceptiveField(layer: layer, in: network.architecture).box(y: shape[1] / 2, x: shape[2] / 2, height: 16, width: 16)
            #expect(field == centre)
            #expect((field.top, field.left, field.height, field.width) == (7, 7, 3, 3), "\(field)")
            // measured against the channel's strongest natural activation at any position: the top patch
            #expect(report.topNaturalActivation == report.natural.top[0].value)
            #expect(report.synthetic.reached[0] > 0, "unit \(unit): the ascent moved (ratio \(report.activationRatio[0]))")
        }
        // a channel's mean and a dense unit see the whole image: no box
        let dense = network.architecture.layers.first { if case .linear = $0.operation { true } else { false } }!.name
        #expect(try FeatureObjective.channel(layer: layer, channel: 0).receptiveBox(in: network) == nil)
        #expect(try FeatureObjective.unit(0, of: dense, in: network).receptiveBox(in: network) == nil)
    }

    /// With regions, a spatial layer's signature is the channel means over the positions whose
    /// fields are centred inside each image's box, not over the whole map.
    @Test func thePathCheckReadsEachImageWhereTheUnitSeesIt() throws {
        // [2 images, 2 channels, 4, 4]: value = 100·image + 10·channel + row
        var scalars: [Float] = []
        for image in 0..<2 { for c in 0..<2 { for y in 0..<4 { for _ in 0..<4 { scalars.append(Float(100 * image + 10 * c + y)) } } } }
        let output = Tensor(shape: [2, 2, 4, 4], scalars: scalars)
        let field = try ReceptiveField(layer: Self.firstBlock, in: Self.network.architecture)   // 3x3, jump 1, offset -1: centred on its own pixel
        #expect(field.positions(centredIn: 2, size: 2, count: 4) == 2..<4)
        #expect(field.positions(centredIn: 40, size: 2, count: 4) == 3..<4, "outside the map: the nearest position")
        let boxes = [PatchBox(fullTop: 0, fullLeft: 0, fullSize: 2, imageHeight: 16, imageWidth: 16),
                     PatchBox(fullTop: 2, fullLeft: 1, fullSize: 2, imageHeight: 16, imageWidth: 16)]
        #expect(PathCheck.signature(output, field: field, boxes: boxes) == [[0.5, 10.5], [102.5, 112.5]])
        #expect(PathCheck.signature(output) == [[1.5, 11.5], [101.5, 111.5]], "without regions: the whole map")
        // the demo's CNN shape (64x64, three conv-pool blocks): its last pool's centre sees 22x22 pixels
        let demo = try Architecture.parse("conv3x3x4,pool,conv3x3x4,pool,conv3x3x4,pool,fc8", inputShape: [1, 64, 64], classes: 2)
        let last = try ReceptiveField(layer: "pool3", in: demo)
        #expect(last.size == 22 && last.jump == 8)
        let centre = last.box(y: 4, x: 4, height: 64, width: 64)
        #expect(last.positions(centredIn: centre.fullTop, size: centre.fullSize, count: 8) == 3..<6, "the centre and one either side")
    }

    @Test func badRequestsAreOneLineErrors() throws {
        let network = Self.network
        let dense = network.architecture.layers.first { if case .linear = $0.operation { true } else { false } }!.name
        func message(_ objective: FeatureObjective) -> String {
            do {
                _ = try FeatureVisualisation.run(network: network, objective: objective, settings: Self.settings(steps: 1))
                return ""
            } catch { return "\(error)" }
        }
        #expect(message(.channel(layer: Self.firstBlock, channel: 8)).contains("unit 8 is out of range: between 0 and 7"))
        #expect(message(.unit(layer: dense, unit: 32)).contains("unit 32 is out of range: between 0 and 31"))
        #expect(message(.classLogit(40)).contains("class 40 is out of range: between 0 and 39"))
        #expect(message(.channel(layer: dense, channel: 0)).contains("no spatial positions"))
        #expect(message(.channel(layer: "nowhere", channel: 0)).contains("nowhere"))
        for text in [message(.classLogit(40)), message(.channel(layer: dense, channel: 0))] { #expect(!text.contains("\n")) }
    }

    /// A NaN weight: the ascent stops at the first step and says so.
    @Test func nanDuringTheAscentStopsAndNamesTheStep() throws {
        var network = Self.network
        var parameters = Dictionary(uniqueKeysWithValues: network.parameters.map { ($0.name, $0.tensor) })
        let name = network.parameters[0].name
        parameters[name]!.scalars[0] = .nan
        try network.load(parameters: parameters)
        #expect {
            try FeatureVisualisation.run(network: network, objective: .classLogit(0), settings: Self.settings(steps: 10))
        } throws: { error in
            "\(error)".contains("stopped at step 1 of 10") && "\(error)".contains("no image was kept")
        }
    }
}
