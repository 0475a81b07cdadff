import Foundation
import LensExplain
import LensModels
import LensRender
import LensTensor
import Testing
@testable import LensStudio

/// The units page shows each drawn unit's synthetic image beside its patches with its numbers, and
/// the embedding page draws every layer from the pixels up with the separability curve; both from
/// the one figure each (`FeatureVisFigure`, `EmbeddingFigure`).
@Suite struct FeatureVisPagesTests {
    /// Two classes of 8x8 images: a bright left half or a bright right half, with noise.
    static func data(perClass: Int, seed: UInt64) -> (Tensor, [Int]) {
        var generator = SeededGenerator(seed: seed)
        var scalars: [Float] = [], labels: [Int] = []
        for k in 0..<(2 * perClass) {
            let label = k % 2
            for _ in 0..<8 { for x in 0..<8 { scalars.append(((x < 4) == (label == 0) ? 0.8 : 0.1) + 0.2 * generator.nextUniform()) } }
            labels.append(label)
        }
        return (Tensor(shape: [2 * perClass, 1, 8, 8], scalars: scalars), labels)
    }

    static func pageData() -> PageData {
        let (train, trainLabels) = data(perClass: 12, seed: 1), (test, testLabels) = data(perClass: 10, seed: 2)
        return PageData(classNames: ["left", "right"], trainImages: train, trainLabels: trainLabels, testImages: test, testLabels: testLabels)
    }

    static func network() throws -> Network {
        Network(architecture: try Architecture.parse("conv3x3x4,pool", inputShape: [1, 8, 8], classes: 2), seed: 5)
    }

    /// The units page's introduction speaks of faces only on faces.
    @Test func theUnitsIntroductionNamesFacesOnlyOnFaces() {
        let clothes = ExplanationPages.unitsIntro(name: "CNN", onFaces: false)
        #expect(!clothes.contains("face") && clothes.contains("larger parts of the object"))
        #expect(ExplanationPages.unitsIntro(name: "CNN", onFaces: true).contains("larger parts of the face"))
    }

    @Test func theUnitsPageShowsEachUnitsSyntheticImageBesideItsPatches() throws {
        let network = try Self.network()
        var budget = PageBudget.quick
        budget.unitsPerLayer = 2
        let page = try ExplanationPages.unitsPage(network, name: "CNN", data: Self.pageData(), budget: budget)
        let layer = try #require(UnitLayer.all(in: network.architecture).first).name
        let found = try LayerUnits(network: network, layer: layer, images: Self.pageData().trainImages)
        let figure = try UnitsFigure(model: "CNN", network: network, found: found, images: Self.pageData().trainImages,
                                     labels: Self.pageData().trainLabels, classNames: ["left", "right"], described: "the training images", limit: 2)
        let synthetic = try ExplanationPages.unitFeatureVis(network, name: "CNN", figure: figure, found: found, data: Self.pageData(),
                                                            settings: budget.featureVis)
        #expect(budget.featureVis.steps < FeatureVisSettings.Knobs.steps.defaultValue, "the page's budget is smaller than lens explain's")
        for unit in figure.units {
            // the synthetic image first in the unit's row, then its patches
            let row = try #require(page.body.components(separatedBy: "\(layer) unit \(unit.unit)</h3>").dropFirst().first)
                .components(separatedBy: "</section>")[0]
            let image = try #require(synthetic[unit.unit]?.images.first)
            let first = try #require(row.range(of: "feature visualisation of unit \(unit.unit)")), patch = try #require(row.range(of: "patch of image"))
            #expect(first.lowerBound < patch.lowerBound, "synthetic before natural")
            // the path's badge (in the caption, or on the frame of a flagged card) and its figures, each said once
            #expect(row.contains(image.ratioWords) && row.contains(HTML.escape(image.pathFigures)), "\(row.prefix(600))")
            #expect(row.components(separatedBy: HTML.escape(image.badge)).count == 2, "the badge once: \(row.prefix(600))")
            #expect(row.contains("<figure class=\"fig wide"), "a caption as wide as a card")
            #expect(image.pathSimilarity.last?.layer == layer, "path numbers up to the unit's layer: \(image.pathSimilarity.map(\.layer))")
        }
        #expect(page.body.contains("Geirhos et al. 2023"), "the page says what the check is")
    }

    /// One search per unit: the feature visualisation made from the units figure's search is checked
    /// against the very top images that figure draws, and its own search finds the same ones.
    @Test func featureVisReusesTheUnitsFiguresTopImages() throws {
        let network = try Self.network()
        let data = Self.pageData()
        let layer = try #require(UnitLayer.all(in: network.architecture).first).name
        let found = try LayerUnits(network: network, layer: layer, images: data.trainImages)
        let figure = try UnitsFigure(model: "CNN", network: network, found: found, images: data.trainImages, labels: data.trainLabels,
                                     classNames: data.classNames, described: "the training images")
        var settings = FeatureVisSettings()
        settings.steps = 4
        #expect(!figure.units.isEmpty)
        var scan = network
        let output = try #require(try scan.activations(data.trainImages, at: [layer]).activations[layer])
        let positions = output.shape[2] * output.shape[3], channels = output.shape[1]
        for unit in figure.units {
            let natural = try #require(found.units.first { $0.unit == unit.unit })
            let maps = (0..<output.shape[0]).map { image in
                output.scalars[((image * channels + unit.unit) * positions)..<((image * channels + unit.unit + 1) * positions)]
            }
            // the default (the channel's mean): its largest natural value is that mean at its best training
            // image; the centre position (`--objective unit`): the channel's strongest activation at any
            // position of any training image (its top patch)
            let cases: [(FeatureObjective, Float)] = [
                (try FeatureObjective.unit(unit.unit, of: layer, in: network), maps.map { $0.reduce(0, +) / Float(positions) }.max()!),
                (.unit(layer: layer, unit: unit.unit), maps.map { $0.max()! }.max()!)]
            for (objective, best) in cases {
                let reused = try FeatureVisReport(network: network, objective: objective, natural: natural, naturalImages: data.trainImages, settings: settings)
                let searched = try FeatureVisReport(network: network, objective: objective, naturalImages: data.trainImages, settings: settings)
                // the figure draws the firing ones: the strongest first, so a prefix
                #expect(Array(reused.topImageIndices.prefix(unit.activations.count)) == unit.activations.map(\.datasetIndex), "unit \(unit.unit)")
                #expect(searched.topImageIndices == reused.topImageIndices && searched.topNaturalActivation == reused.topNaturalActivation)
                #expect(abs(reused.topNaturalActivation - best) <= 1e-5 * max(1, abs(best)), "\(objective)")
                #expect(reused.pathCheck == searched.pathCheck && reused.synthetic.images == searched.synthetic.images)
            }
        }
        // a search of another unit is refused in words
        let other = try #require(found.units.first { $0.unit != figure.units[0].unit })
        #expect(throws: ExplainError.self) {
            _ = try FeatureVisReport(network: network, objective: FeatureObjective.unit(figure.units[0].unit, of: layer, in: network),
                                     natural: other, naturalImages: data.trainImages, settings: settings)
        }
    }

    @Test func theEmbeddingPageDrawsEveryLayerWithItsNumbersAndTheCurve() throws {
        let network = try Self.network()
        let data = Self.pageData()
        var budget = PageBudget.quick
        budget.embeddingImages = 16
        let figure = try ExplanationPages.embeddingFigure(network, name: "CNN", data: data, budget: budget)
        let page = try ExplanationPages.embeddingReportPage(network, name: "CNN", data: data, budget: budget)
        #expect(page.fileName == "embedding.html")
        #expect(figure.layers.map(\.layer) == ["pixels"] + UnitLayer.all(in: network.architecture).map(\.name))
        #expect(figure.labels.count == 16 && figure.settings.tsne.perplexity < 15, "perplexity fitted to 16 points: \(figure.settings.tsne.perplexity)")
        #expect(page.body.contains("How well each layer separates the classes"), "the curve")
        let wrong = zip(figure.labels, figure.predictions).filter { $0 != $1 }.count
        for layer in figure.layers {
            let block = try #require(page.body.components(separatedBy: "id=\"embedding-\(layer.layer)\"").dropFirst().first)
                .components(separatedBy: "</div>")[0]
            #expect(block.components(separatedBy: "<circle").count - 1 == 2 * 16, "16 points in the PCA and in the t-SNE map")
            #expect(block.components(separatedBy: "stroke=\"#000\"").count - 1 == 2 * wrong, "every misclassified image ringed")
            #expect(page.body.contains(String(format: "k-NN accuracy %.3f, trustworthiness %.3f", layer.knnAccuracy, layer.trustworthiness)))
        }
        #expect(figure.classColors.count == 2 && Set(EmbeddingFigure.colors(count: 40)).count == 40, "40 faces, 40 colours")
    }
}
