import Foundation
import LensExplain
import LensModels
import LensStudio
import Testing

/// /api/settings gives the library's declarations; the server refuses a value outside one with the
/// declaration's range; every answer is snake_case and carries the API's version.
@Suite struct SettingsRouteTests {
    @Test func settingsAreTheLibrarysDeclarations() async throws {
        let server = try await TestServer.shared.value
        let answer = try await server.http.send("GET", "/api/settings")
        #expect(answer.status == 200)
        let expected = SettingsCatalog(dataScale: DataScale(trainingCount: server.dataset.split.train.count))
        #expect(try answer.decode(SettingsCatalog.self) == expected)
        // The Train form's knobs, as the page reads them.
        let json = try #require(try answer.json() as? [String: Any])
        #expect(json["data_scale"] as? String == "small")
        let training = try #require(json["training"] as? [[String: Any]])
        let learningRate = try #require(training.first { $0["key"] as? String == "learning_rate" })
        #expect(learningRate["default"] as? Double == Double(TrainingKnobs.learningRate.defaultValue.description))
        #expect(learningRate["min"] as? Double == 1e-6 && learningRate["max"] as? Double == 10)
        let epochs = try #require(training.first { $0["key"] as? String == "epochs" })
        let perModel = try #require(epochs["per_model"] as? [[String: Any]])
        let mlpSmall = try #require(perModel.first { $0["model"] as? String == "mlp" && $0["data"] as? String == "small" })
        #expect(mlpSmall["value"] as? Int == TrainingKnobs.epochs.defaultValue(for: .mlp, .small))
        let hidden = try #require(training.first { $0["key"] as? String == "hidden_units" })
        #expect(hidden["default"] as? Int == 300 && hidden["models"] as? [String] == ["mlp"])
        // What a command reads: the image side's range is the one the dataset loader checks.
        let explain = try #require(json["explain"] as? [[String: Any]])
        let size = try #require(explain.first { $0["key"] as? String == "size" })
        #expect(size["min"] as? Int == StudioDataset.sizeRange.lowerBound && size["max"] as? Int == StudioDataset.sizeRange.upperBound)
        #expect(explain.first { $0["key"] as? String == "max_units" }?["default"] as? Int == PageBudget.full.unitsPerLayer,
                "the report's units page shows as many units as lens explain")
        // Feature visualisation's and the embedding view's knobs, from their declarations.
        let featureVis = try #require(json["feature_vis"] as? [[String: Any]])
        let steps = try #require(featureVis.first { $0["key"] as? String == "ascent_steps" })
        #expect(steps["default"] as? Int == FeatureVisSettings.Knobs.steps.defaultValue
                    && steps["max"] as? Int == FeatureVisSettings.Knobs.steps.range.upperBound)
        #expect(featureVis.map { $0["key"] as? String } == FeatureVisSettings.Knobs.all.map(\.key))
        let embedding = try #require(json["embedding"] as? [[String: Any]])
        let perplexity = try #require(embedding.first { $0["key"] as? String == "perplexity" })
        #expect(perplexity["default"] as? Double == TSNESettings.Knobs.perplexity.defaultValue
                    && perplexity["max"] as? Double == TSNESettings.Knobs.perplexity.range.upperBound)
        #expect(embedding.contains { $0["key"] as? String == "trust_neighbours" } && embedding.contains { $0["key"] as? String == "tsne_iterations" })
        #expect(expected.setting("feature_vis", "vis_images")?.key == "vis_images" && expected.setting("embedding", "pca_components") != nil)
    }

    @Test func outOfRangeValuesAreRefusedWithTheDeclaredRange() async throws {
        let server = try await TestServer.shared.value
        let train = try await server.http.send("POST", "/api/train", body: Data(#"{"kind": "mlp", "learning_rate": 50}"#.utf8))
        #expect(train.status == 400)
        #expect(train.text.contains("learning rate 50.0 is out of range: \(TrainingKnobs.learningRate.allowed)"), "\(train.text)")
        let face = try TestServer.faceFile()
        let explain = try await server.http.send("POST", "/api/explain?model=mlp&integration_steps=0", body: face)
        #expect(explain.status == 400)
        #expect(explain.text.contains("integration steps 0 is out of range: \(AttributionSettings.Knobs.integrationSteps.allowed)"), "\(explain.text)")
        let words = try await server.http.send("POST", "/api/explain?model=mlp&smooth_grad_noise=lots", body: face)
        #expect(words.status == 400)
        #expect(words.text.contains("SmoothGrad noise \\\"lots\\\" is out of range: give a number between 0.0 and 10.0"), "\(words.text)")
    }

    @Test func aSettingGivenInTheQueryIsTheOneUsed() async throws {
        let server = try await TestServer.shared.value
        let answer = try await server.http.send("POST", "/api/explain?model=mlp&method=occlusion&occlusion_window=6&occlusion_stride=3",
                                                body: try TestServer.faceFile())
        #expect(answer.status == 200, "\(answer.text)")
        let explanation = try answer.decode(Explanation.self)
        #expect(explanation.maps.first?.settings["window"] == "6x6" && explanation.maps.first?.settings["stride"] == "3",
                "\(explanation.maps.first?.settings ?? [:])")
    }

    @Test func everyAnswerIsSnakeCaseAndCarriesTheAPIVersion() async throws {
        let server = try await TestServer.shared.value
        let overview = try await server.overview("softmax")
        #expect(overview.text.contains(#""test_accuracy":"#) && !overview.text.contains("testAccuracy"), "\(overview.text.prefix(300))")
        let answers = [
            overview,
            try await server.http.send("GET", "/api/methods"),                   // a list
            try await server.http.send("GET", "/api/overview?model=no-such"),    // an error
            try await server.http.send("GET", "/api/settings"),
        ]
        for answer in answers {
            #expect(answer.headers["lens-api-version"] == "1", "\(answer.status): \(answer.headers)")
        }
        #expect(answers[2].status == 404)
    }
}
