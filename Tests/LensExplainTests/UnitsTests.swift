import LensModels
import LensTensor
import Testing
@testable import LensExplain

/// Receptive fields from the architecture, top activations against brute force, and deconvnet
/// projections that stay inside the receptive field of the unit they project.
@Suite struct UnitsTests {
    /// conv3 pad 1 → relu → pool 2 → conv3 pad 0 → relu → pool 2 → fc, on 16x16 images.
    static func cnn(seed: UInt64 = 5) throws -> Network {
        let architecture = try Architecture(inputShape: [1, 16, 16], layers: [
            .conv2d(in: 1, out: 4, kernel: 3, padding: 1), .relu(), .maxPool2d(kernel: 2),
            .conv2d(in: 4, out: 6, kernel: 3), .relu(), .maxPool2d(kernel: 2),
            .flatten(), .linear(in: 6 * 3 * 3, out: 5), .relu(), .linear(in: 5, out: 3),
        ])
        return Network(architecture: architecture, seed: seed)
    }

    static func settings(top: Int, batchSize: Int = 64) -> InspectionSettings {
        var settings = InspectionSettings()
        settings.topImages = top
        settings.batchSize = batchSize
        return settings
    }

    /// The output gradient that picks each of `top`'s activations at `layer`, written out by hand.
    static func oneHot(_ network: Network, layer: String, top: UnitTop) throws -> Tensor {
        let shape = network.architecture.layerOutputShapes[try network.layerIndex(named: layer)]
        var oneHot = Tensor(shape: [top.top.count] + shape)
        for (item, activation) in top.top.enumerated() {
            let index = shape.count == 3 ? [item, top.unit, activation.y, activation.x] : [item, top.unit]
            let strides = (shape.count == 3 ? [shape[0] * shape[1] * shape[2], shape[1] * shape[2], shape[2], 1] : [shape[0], 1])
            oneHot.scalars[zip(index, strides).map(*).reduce(0, +)] = 1
        }
        return oneHot
    }

    static func images(_ count: Int, seed: UInt64 = 9) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor(shape: [count, 1, 16, 16], scalars: (0..<(count * 256)).map { _ in generator.nextUniform() })
    }

    @Test func receptiveFieldsMatchHandComputedOnes() throws {
        let architecture = try Self.cnn().architecture
        // conv1: 3 wide, starting one pixel before the image (padding 1).
        #expect(try ReceptiveField(layer: "conv1", in: architecture) == ReceptiveField(size: 3, jump: 1, offset: -1))
        #expect(try ReceptiveField(layer: "relu1", in: architecture) == ReceptiveField(size: 3, jump: 1, offset: -1))
        // pool1: two conv1 positions: 4 wide, every 2 pixels.
        #expect(try ReceptiveField(layer: "pool1", in: architecture) == ReceptiveField(size: 4, jump: 2, offset: -1))
        // conv2: three pool1 positions 2 apart: 4 + 2·2 = 8.
        #expect(try ReceptiveField(layer: "conv2", in: architecture) == ReceptiveField(size: 8, jump: 2, offset: -1))
        // pool2: two conv2 positions 2 apart: 8 + 2 = 10, every 4 pixels.
        #expect(try ReceptiveField(layer: "pool2", in: architecture) == ReceptiveField(size: 10, jump: 4, offset: -1))

        let field = try ReceptiveField(layer: "conv2", in: architecture)
        let corner = field.box(y: 0, x: 0, height: 16, width: 16)
        #expect(corner == PatchBox(fullTop: -1, fullLeft: -1, fullSize: 8, imageHeight: 16, imageWidth: 16))
        #expect((corner.top, corner.left, corner.height, corner.width) == (0, 0, 7, 7))
        #expect(corner.isClipped)
        let inner = field.box(y: 2, x: 3, height: 16, width: 16)
        #expect((inner.top, inner.left, inner.height, inner.width) == (3, 5, 8, 8))
        #expect(!inner.isClipped)
    }

    @Test func denseAndUnknownLayersAreErrorsThatList() throws {
        let architecture = try Self.cnn().architecture
        #expect(throws: ExplainError.unsuitableLayer(method: "receptive field", layer: "fc1", problem: "its output has no spatial layout",
                                                     suitable: ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2"])) {
            _ = try ReceptiveField(layer: "fc1", in: architecture)
        }
        let unknown = #expect(throws: NetworkError.self) { _ = try LayerUnits(network: Self.cnn(), layer: "conv7", images: Self.images(4)) }
        #expect(unknown.map { "\($0)" }?.contains("conv1, relu1, pool1, conv2") == true)
    }

    @Test func kAndUnitsOutOfRangeAreErrors() throws {
        var settings = Self.settings(top: 5)
        #expect(throws: ExplainError.settingOutOfRange(setting: "top images", value: "5",
                                                       allowed: "between 1 and 4, the number of images searched")) {
            _ = try LayerUnits(network: Self.cnn(), layer: "conv2", images: Self.images(4), settings: settings)
        }
        settings.topImages = 0
        #expect(throws: ExplainError.self) { _ = try LayerUnits(network: Self.cnn(), layer: "conv2", images: Self.images(4), settings: settings) }
        #expect(throws: ExplainError.self) { _ = try LayerUnits(network: Self.cnn(), layer: "conv2", images: Self.images(4), units: [6]) }
    }

    /// Streaming in batches of 7 finds exactly what sorting every image's activations finds.
    @Test(arguments: ["relu2", "conv1", "fc1"])
    func topImagesReallyMaximise(layer: String) throws {
        var network = try Self.cnn()
        let images = Self.images(30)
        let found = try LayerUnits(network: network, layer: layer, images: images, settings: Self.settings(top: 6, batchSize: 7))

        let output = try #require(try network.activations(images, at: [layer]).activations[layer])
        let shape = Array(output.shape.dropFirst()), channels = shape[0], positions = shape.dropFirst().reduce(1, *)
        #expect(found.units.map(\.unit) == Array(0..<channels))
        #expect(found.imageCount == 30)
        for unit in 0..<channels {
            // Per image, the first position holding the channel's maximum.
            let best = (0..<30).map { image -> (image: Int, value: Float, position: Int) in
                let values = (0..<positions).map { output.scalars[(image * channels + unit) * positions + $0] }
                let position = values.indices.first { values[$0] == values.max()! }!
                return (image, values[position], position)
            }
            let expected = best.sorted { $0.value != $1.value ? $0.value > $1.value : $0.image < $1.image }.prefix(6)
            let top = found.units[unit].top
            #expect(top.map(\.imageIndex) == expected.map(\.image), "unit \(unit) of \(layer)")
            #expect(top.map(\.value) == expected.map(\.value))
            #expect(found.units[unit].firingImages == best.filter { $0.value > 0 }.count, "unit \(unit) of \(layer) fires on images with a positive maximum")
            let width = shape.count == 3 ? shape[2] : 1
            #expect(top.map { $0.y * width + $0.x } == expected.map(\.position))
            #expect(top.allSatisfy { ($0.box == nil) == (shape.count == 1) })
            // the same pass finds the largest mean over positions (feature visualisation's objective)
            let means = (0..<30).map { image in (0..<positions).map { output.scalars[(image * channels + unit) * positions + $0] }.reduce(0, +) / Float(positions) }
            #expect(abs(found.units[unit].largestMean - means.max()!) <= 1e-5 * max(1, abs(means.max()!)), "unit \(unit) of \(layer)")
        }
    }

    /// Every nonzero pixel of a projection lies in the receptive field of the unit's position; the
    /// deconvnet map is not all zero; cropping keeps the box; batching does not mix items.
    @Test(arguments: ["conv2", "pool2", "relu1"])
    func projectionsStayInsideTheReceptiveField(layer: String) throws {
        let network = try Self.cnn()
        let images = Self.images(20)
        let units = try LayerUnits(network: network, layer: layer, images: images, settings: Self.settings(top: 4))
        for unitTop in units.units.prefix(3) {
            let projections = try UnitProjections(network: network, layer: layer, top: unitTop, images: images)
            #expect(projections.deconvnet.shape == [4, 1, 16, 16])
            #expect(projections.images == images.gather(unitTop.top.map(\.imageIndex)))
            for (item, activation) in unitTop.top.enumerated() {
                let box = try #require(activation.box)
                for map in [projections.deconvnet, projections.guided] {
                    for y in 0..<16 {
                        for x in 0..<16 where map.scalars[item * 256 + y * 16 + x] != 0 {
                            #expect(box.contains(y: y, x: x), "\(layer) unit \(unitTop.unit) item \(item): (\(y), \(x)) outside \(box)")
                        }
                    }
                }
                let patch = projections.patch(projections.deconvnet, item: item)
                #expect(patch.shape == [1, 1, box.height, box.width])
                #expect(patch.scalars.map(abs).reduce(0, +) == projections.deconvnet.slice(item..<(item + 1)).scalars.map(abs).reduce(0, +))
            }
            #expect(projections.deconvnet.scalars.contains { $0 != 0 }, "\(layer) unit \(unitTop.unit) projects to nothing")

            let alone = try UnitProjections(network: network, layer: layer,
                                            top: UnitTop(unit: unitTop.unit, top: [unitTop.top[2]], firingImages: unitTop.firingImages, largestMean: unitTop.largestMean), images: images)
            #expect(alone.deconvnet.scalars == projections.deconvnet.slice(2..<3).scalars)
            #expect(alone.guided.scalars == projections.guided.slice(2..<3).scalars)

            // Both rules share one forward pass: each equals a backward after a fresh forward.
            var fresh = network
            let oneHot = try Self.oneHot(fresh, layer: layer, top: unitTop)
            for (mode, map) in [(ReLUBackwardMode.deconvnet, projections.deconvnet), (.guided, projections.guided)] {
                _ = try fresh.activations(projections.images, at: [])
                #expect(try fresh.backward(from: layer, outputGradient: oneHot, reluMode: mode, parameterGradients: .skip).input == map)
            }
        }
    }

    /// A dense unit sees the whole image: its patch is the whole map, and the two ReLU rules give
    /// different maps (guided backprop also masks by the forward pass).
    @Test func denseUnitsProjectWholeImages() throws {
        let network = try Self.cnn()
        let images = Self.images(10)
        let units = try LayerUnits(network: network, layer: "fc1", images: images)
        let projections = try UnitProjections(network: network, layer: "fc1", top: units.units[0], images: images)
        #expect(projections.deconvnet.shape == [9, 1, 16, 16])
        #expect(projections.patch(projections.guided, item: 0).shape == [1, 1, 16, 16], "a dense unit's patch is the whole image")
        #expect(projections.deconvnet.scalars.contains { $0 != 0 })
        #expect(projections.deconvnet != projections.guided)
    }

    @Test func everyUnitOfALayerProjects() throws {
        let network = try Self.cnn()
        let images = Self.images(12)
        let units = try LayerUnits(network: network, layer: "pool1", images: images, settings: Self.settings(top: 3))
        let all = try units.projections(network: network, images: images)
        #expect(all.map(\.unit) == [0, 1, 2, 3])
        #expect(all.allSatisfy { $0.deconvnet.shape == [3, 1, 16, 16] && $0.activations.count == 3 })
        #expect(all[1].guided == (try UnitProjections(network: network, layer: "pool1", top: units.units[1], images: images)).guided)
        #expect(throws: ExplainError.self) { _ = try units.projections(network: network, images: Self.images(5)) }
    }

    /// A conv channel with zero weights and a negative bias never fires: `LayerUnits` counts it dead,
    /// and its top list holds nothing that fired.
    @Test func aUnitForcedDeadIsCountedDead() throws {
        var network = try Self.cnn()
        network.updateParameters { name, parameter in
            guard name.hasPrefix("conv1.") else { return }
            let perChannel = parameter.value.count / 4
            for k in (2 * perChannel)..<(3 * perChannel) { parameter.value.scalars[k] = name.hasSuffix("bias") ? -1 : 0 }
        }
        let found = try LayerUnits(network: network, layer: "relu1", images: Self.images(20), settings: Self.settings(top: 5))
        #expect(found.units[2].firingImages == 0 && found.activity(of: found.units[2]) == .dead)
        #expect(found.units[2].firing.isEmpty && found.units[2].top.count == 5, "the top list is padded with zeros; `firing` drops them")
        #expect(found.units.filter { found.activity(of: $0) == .dead }.map(\.unit) == [2])
    }

    @Test func rareMeansUnderOnePercentOfTheImages() {
        #expect(UnitActivity(firingImages: 0, of: 280) == .dead)
        #expect(UnitActivity(firingImages: 2, of: 280) == .rare)
        #expect(UnitActivity(firingImages: 3, of: 280) == .active, "1% of 280 is 2.8")
        #expect(UnitActivity(firingImages: 9, of: 1000) == .rare && UnitActivity(firingImages: 10, of: 1000) == .active)
        #expect(UnitActivity(firingImages: 1, of: 20) == .active)
    }
}
