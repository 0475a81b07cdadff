import Foundation
import LensExplain
import LensModels
import LensTensor
import Testing

/// Reports go out as JSON (`--json`, the server): every figure under a key that names it, and
/// never a NaN (JSONEncoder refuses one, so a NaN would be an error, not a figure).
@Suite struct TrustReportCodingTests {
    @Test func reportsEncodeWithNamedKeysAndRoundTrip() throws {
        var settings = TrustFixture.settings(samples: 3)
        settings.blurSigma = 2
        let network = TrustFixture.cnn
        let sanity = try TrustCheck.sanity(.network(network), testImages: TrustFixture.faces.test, settings: settings, methods: [.saliency])
        let faithfulness = try TrustCheck.faithfulness(.network(network), testImages: TrustFixture.faces.test, settings: settings,
                                                       methods: [.saliency])
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let sanityJSON = String(decoding: try encoder.encode(sanity), as: UTF8.self)
        let faithfulnessJSON = String(decoding: try encoder.encode(faithfulness), as: UTF8.self)
        for key in ["\"spearman\"", "\"ssim\"", "\"cascading\"", "\"independent\"", "\"top_step_spearman\"", "\"constant_maps\""] {
            #expect(sanityJSON.contains(key), "\(key)")
        }
        for key in ["\"deletion\"", "\"insertion\"", "\"auc\"", "\"random\"", "\"brightness\"", "\"reversed\"", "\"share_beating_random\""] {
            #expect(faithfulnessJSON.contains(key), "\(key)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        #expect(try decoder.decode(SanityReport.self, from: Data(sanityJSON.utf8)) == sanity)
        #expect(try decoder.decode(FaithfulnessReport.self, from: Data(faithfulnessJSON.utf8)) == faithfulness)
    }

    @Test func aModelWithNaNWeightsIsAnErrorNotANaNFigure() throws {
        var broken = TrustFixture.softmax
        var parameters = Dictionary(uniqueKeysWithValues: broken.parameters.map { ($0.name, $0.tensor) })
        parameters["fc.bias"]?.scalars[0] = .nan
        try broken.load(parameters: parameters)
        var settings = TrustFixture.settings(samples: 2)
        settings.baselines = [.zeros]
        do {
            _ = try TrustCheck.faithfulness(.network(broken), testImages: TrustFixture.faces.test, settings: settings, methods: [.saliency])
            Issue.record("expected an error")
        } catch { #expect("\(error)".contains("not a number")) }
    }
}
