import LensModels
import Testing
@testable import LensExplain

/// Feature visualisation's, t-SNE's and the embedding view's settings validate through their
/// knob tables, like every other settings type: each knob that /api/settings lists has its row,
/// and a value out of a knob's range fails naming that knob and its range.
@Suite struct KnobTableTests {
    static func rejected(_ validate: () throws -> Void) -> String? {
        do { try validate() } catch let ExplainError.settingOutOfRange(setting, _, _) { return setting } catch { return "\(error)" }
        return nil
    }

    @Test func everyListedKnobHasItsRowAndItsCheck() {
        #expect(FeatureVisSettings.Knobs.table.map(\.info.key) == FeatureVisSettings.Knobs.all.map(\.key))
        #expect(TSNESettings.Knobs.table.map(\.info.key) == TSNESettings.Knobs.all.map(\.key))
        #expect(EmbeddingSettings.Knobs.table.map(\.info.key) == EmbeddingSettings.Knobs.all.map(\.key))
        #expect(FeatureVisSettings.Knobs.all.count == 5 && TSNESettings.Knobs.all.count == 3 && EmbeddingSettings.Knobs.all.count == 3)
    }

    @Test func aValueOutOfRangeNamesItsKnob() throws {
        try FeatureVisSettings().validate()
        try EmbeddingSettings().validate(points: 100)
        let vis: [(WritableKeyPath<FeatureVisSettings, Int>, Int, String)] = [
            (\.steps, 0, "ascent steps"), (\.images, 17, "images"), (\.seed, -1, "seed")]
        for (property, value, name) in vis {
            var settings = FeatureVisSettings()
            settings[keyPath: property] = value
            #expect(Self.rejected { try settings.validate() } == name)
        }
        var rates = FeatureVisSettings()
        rates.learningRate = 11
        #expect(Self.rejected { try rates.validate() } == "learning rate")
        rates = FeatureVisSettings()
        rates.diversity = -1
        #expect(Self.rejected { try rates.validate() } == "diversity")

        let embedding: [(WritableKeyPath<EmbeddingSettings, Int>, Int, String)] = [
            (\.pcaComponents, 1, "PCA components"), (\.knnNeighbours, 0, "k-NN neighbours"), (\.trustNeighbours, 101, "trustworthiness neighbours"),
            (\.tsne.iterations, 100, "t-SNE iterations"), (\.tsne.exactBelow, -1, "exact t-SNE below")]
        for (property, value, name) in embedding {
            var settings = EmbeddingSettings()
            settings[keyPath: property] = value
            #expect(Self.rejected { try settings.validate(points: 100) } == name)
        }
        var perplexity = EmbeddingSettings()
        perplexity.tsne.perplexity = 1
        #expect(Self.rejected { try perplexity.validate(points: 100) } == "perplexity", "out of its declared range")
        perplexity.tsne.perplexity = 50
        #expect(Self.rejected { try perplexity.validate(points: 40) } == "perplexity", "in range, but more than the points allow")
    }
}
