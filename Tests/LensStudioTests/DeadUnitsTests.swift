import Foundation
import LensExplain
import LensModels
import LensTensor
import Testing
@testable import LensStudio

/// A unit forced dead (zero weights, negative bias) is counted and listed apart in the units
/// figure, its JSON and the report's section, and its detail shows no images and no projections.
@Suite struct DeadUnitsTests {
    /// conv 3x3x4 → relu → pool → output on 8x8 images, with channel 2 of conv1 dead.
    static func network() throws -> Network {
        let architecture = try Architecture.parse("conv3x3x4,pool", inputShape: [1, 8, 8], classes: 3)
        var network = Network(architecture: architecture, seed: 3)
        network.updateParameters { name, parameter in
            guard name.hasPrefix("conv1.") else { return }
            let perChannel = parameter.value.count / 4
            for k in (2 * perChannel)..<(3 * perChannel) { parameter.value.scalars[k] = name.hasSuffix("bias") ? -1 : 0 }
        }
        return network
    }

    static func images(_ count: Int) -> Tensor {
        var generator = SeededGenerator(seed: 4)
        return Tensor(shape: [count, 1, 8, 8], scalars: (0..<(count * 64)).map { _ in generator.nextUniform() })
    }

    @Test func aDeadUnitIsCountedListedAndNeverDrawn() throws {
        let network = try Self.network()
        let layer = try #require(UnitLayer.all(in: network.architecture).first).name
        let images = Self.images(12)
        let figure = try UnitsFigure(model: "cnn", network: network, layer: layer, images: images, labels: Array(repeating: 0, count: 12),
                                     classNames: ["a", "b", "c"], described: "the training images")
        #expect(figure.deadUnits == 1 && figure.dead == [2], "\(figure.dead)")
        #expect(figure.units.map(\.unit) == [0, 1, 3].filter { !figure.dead.contains($0) }, "dead units are not drawn")
        #expect(figure.activitySummary.hasPrefix("1 of 4 units never fire on the training images"), "\(figure.activitySummary)")
        for unit in figure.units {
            #expect(unit.activations.allSatisfy { $0.value > 0 } && unit.activations.count == min(unit.firingImages, 9))
        }
        // With a limit, the first live units: the dead one does not take a place.
        let first = try UnitsFigure(model: "cnn", network: network, layer: layer, images: images, labels: Array(repeating: 0, count: 12),
                                    classNames: ["a", "b", "c"], described: "the training images", limit: 3)
        #expect(first.units.map(\.unit) == [0, 1, 3])

        // The report says it, and so does lens explain's JSON.
        let section = ExplanationPages.unitsSection(figure)
        #expect(section.contains("1 of 4 units never fire") && section.contains("Dead units: 2."))
        #expect(!section.contains("unit 2</h3>"))
        let json = try JSONSerialization.jsonObject(with: StudioJSON.encoder().encode(UnitsReport(figure, projections: true, directory: "out")))
        let object = try #require(json as? [String: Any])
        #expect(object["dead_units"] as? Int == 1 && object["rare_units"] as? Int == figure.rareUnits && object["dead"] as? [Int] == [2])
    }

    @Test func aDeadUnitsDetailSaysItNeverFires() throws {
        let network = try Self.network()
        let layer = try #require(UnitLayer.all(in: network.architecture).first)
        let images = Self.images(10)
        let found = try LayerUnits(network: network, layer: layer.name, images: images)
        let detail = try UnitDetail(top: found.units[2], imageCount: 10, network: network, searched: images, model: "cnn", layer: layer,
                                    images: "10 images", classOf: { _ in "a" }, datasetIndex: { $0 })
        #expect(detail.activity == .dead && detail.activations.isEmpty && detail.firingImages == 0)
        #expect(detail.activityWords == "never fires on the 10 images searched")
        #expect(detail.deconvnetColorBar.isEmpty, "nothing projected, so no scale")
    }
}
