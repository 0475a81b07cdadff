import LensData
import Foundation
import LensExplain
import LensModels
import LensStudio
import LensTensor
import Testing

/// /api/templates and /api/units: figures computed in the background (202, then 200), the Templates
/// and Units pages, and every error a person can cause, on the live server.
@Suite struct InspectionRouteTests {
    /// Asks for `path` until it is no longer 202 (at most `TestServer.backgroundLimit`); also returns the first status.
    static func settled(_ path: String) async throws -> (first: Int, answer: RawHTTP.Answer) {
        let http = try await TestServer.shared.value.http
        var first: Int?
        let answer = try await TestServer.settle(http, "GET", path) { answer in
            first = first ?? answer.status
            guard answer.status == 202 else { return false }
            let status = (try answer.json() as? [String: Any])?["status"] as? String
            #expect(status == "computing", "\(path): \(answer.text)")
            return true
        }
        if answer.status == 202 { throw RawHTTP.Failure(description: "\(path) was still computing after \(TestServer.backgroundLimit)") }
        return (first ?? answer.status, answer)
    }

    /// The bytes of a PNG data URI; records an issue for anything else.
    static func png(_ uri: String?) -> Data? {
        guard let uri, uri.hasPrefix("data:image/png;base64,"), let data = Data(base64Encoded: String(uri.dropFirst(22))),
              data.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]) else {
            Issue.record("not a PNG data URI: \(uri?.prefix(40) ?? "nil")")
            return nil
        }
        return data
    }

    /// A PNG's IHDR colour type: 0 gray, 2 RGB.
    static func colorType(_ png: Data?) -> UInt8? { png.map { $0[$0.startIndex + 25] } }

    static func network(_ id: String) async throws -> Network {
        guard case .network(let network) = try await TestServer.shared.value.library.entry(id).model.model else {
            throw RawHTTP.Failure(description: "\(id) is not a network")
        }
        return network
    }

    // MARK: templates

    @Test func softmaxTemplatesAreColouredClassTemplatesWithTheirLikeness() async throws {
        let server = try await TestServer.shared.value
        let figure = try await Self.settled("/api/templates?model=softmax").answer.decode(TemplatesFigure.self)
        #expect(figure.kind == "class-weights" && figure.count == 40, "\(figure.kind) \(figure.layer) \(figure.count)")
        #expect(figure.grid == NaturalOrder.displayOrder(server.dataset.data.classNames), "classes in natural order: s1, s2 … s10")
        #expect(figure.pictures.map(\.caption) == server.dataset.data.classNames)
        // Drawn in colour on the red/blue scale (the old stand-in drew gray).
        #expect(figure.pictures.allSatisfy { Self.colorType(Self.png($0.drawn.image)) == 2 })
        #expect(figure.colorBar.contains("<svg") && figure.bound > 0)
        let likeness = try #require(figure.likeness)
        #expect(likeness.perClass.count == 40 && likeness.label == FaceLikeness.label(onFaces: true))
        #expect(abs(likeness.mean - likeness.perClass.reduce(0, +) / 40) < 1e-5)
        #expect(likeness.mean > 0.1, "trained softmax templates look like their class means: \(likeness.mean)")
        #expect(figure.votes.isEmpty)
    }

    @Test func mlpTemplatesNameTheUnitsVotingForEachClass() async throws {
        let figure = try await Self.settled("/api/templates?model=mlp").answer.decode(TemplatesFigure.self)
        #expect(figure.kind == "hidden-units" && figure.count == 24 && figure.grid == Array(0..<24))
        #expect(figure.votes.count == 40)
        let network = try await Self.network("mlp")
        let output = try #require(network.parameters.first { $0.name == "fc2.weight" }?.tensor)
        let drawn = Set(figure.pictures.map(\.index))
        let classNames = try await TestServer.shared.value.dataset.data.classNames
        #expect(figure.votes.map(\.class) == NaturalOrder.displayOrder(classNames).map { classNames[$0] }, "classes in natural order")
        for entry in figure.votes {
            let c = try #require(classNames.firstIndex(of: entry.class))
            let row = Array(output.scalars[(c * 24)..<((c + 1) * 24)])
            #expect(entry.votes.count == InspectionSettings().topVotes)
            #expect(entry.votes.map(\.weight) == entry.votes.map { row[$0.unit] }, "class \(c): each weight is W2[class, unit]")
            #expect(entry.votes.first?.weight == row.max(), "class \(c): the strongest voter comes first")
            #expect(zip(entry.votes, entry.votes.dropFirst()).allSatisfy { $0.weight >= $1.weight })
            #expect(entry.votes.allSatisfy { drawn.contains($0.unit) }, "every voter's template is drawn")
        }
        #expect(figure.likeness?.perClass.count == 40)
    }

    @Test func cnnFiltersAndTheModelsWithoutTemplates() async throws {
        let http = try await TestServer.shared.value.http
        let figure = try await Self.settled("/api/templates?model=cnn").answer.decode(TemplatesFigure.self)
        #expect(figure.kind == "filters" && figure.layer == "conv1" && figure.count == 4 && figure.pictures.count == 4)
        #expect(figure.likeness == nil && figure.likenessProblem == nil, "filters have no class templates to compare")
        let knn = try await http.send("GET", "/api/templates?model=knn")
        #expect(knn.status == 422 && knn.text.contains("k-NN"), "\(knn.text)")
        #expect(try await http.send("GET", "/api/templates?model=nope").status == 404)
    }

    // MARK: units

    @Test func unitLayersOfEachKindOfModel() async throws {
        let http = try await TestServer.shared.value.http
        let cnn = try await http.send("GET", "/api/units?model=cnn").decode(UnitLayers.self)
        #expect(cnn.layers.map(\.kind) == [.convolutional, .convolutional, .dense])
        #expect(cnn.layers.map(\.units) == [4, 8, 16])
        #expect(cnn.layers.map(\.name) == ["pool1", "pool2", "relu3"], "each block's output: what the next layer reads")
        #expect(cnn.layers.map(\.receptiveField) == [4, 10, nil])
        let mlp = try await http.send("GET", "/api/units?model=mlp").decode(UnitLayers.self)
        #expect(mlp.layers.map(\.name) == ["relu1"] && mlp.layers.map(\.kind) == [.dense])
        #expect(mlp.layers.map(\.units) == [24] && mlp.layers.map(\.receptiveField) == [nil])
        for (model, reason) in [("softmax", "no hidden units"), ("knn", "k-NN")] {
            for path in ["/api/units", "/api/units/relu1", "/api/units/relu1/0"] {
                let answer = try await http.send("GET", path + "?model=" + model)
                #expect(answer.status == 422 && answer.text.contains(reason), "\(model) \(path): \(answer.text)")
            }
        }
    }

    @Test func convGalleryIsComputedInTheBackgroundAndFindsEachUnitsStrongestResponse() async throws {
        let server = try await TestServer.shared.value
        let (first, answer) = try await Self.settled("/api/units/pool1?model=cnn")
        #expect(first == 202, "the first request starts the computation and answers at once")
        #expect(answer.status == 200, "\(answer.text)")
        let gallery = try answer.decode(UnitGallery.self)
        #expect(gallery.layer.name == "pool1" && gallery.units.map(\.unit) == [0, 1, 2, 3])
        let train = server.dataset.split.train
        #expect(gallery.imageCount == train.count && gallery.images.contains("the \(train.count) training images of orl"))
        #expect(gallery.topImages == InspectionSettings().topImages)
        // Each unit's top activation is its largest response over every training image.
        var network = try await Self.network("cnn")
        let output = try #require(try network.activations(server.dataset.images(train), at: ["pool1"]).activations["pool1"])
        let plane = output.shape[2] * output.shape[3]
        for unit in gallery.units {
            var largest = -Float.infinity
            for n in 0..<train.count {
                let start = (n * 4 + unit.unit) * plane
                largest = max(largest, output.scalars[start..<(start + plane)].max() ?? largest)
            }
            #expect(abs(unit.top - largest) <= 1e-4 * max(1, abs(largest)), "unit \(unit.unit): \(unit.top) against \(largest)")
            // A unit fires on an image when its strongest response there is above zero.
            let firing = (0..<train.count).filter { n in
                let start = (n * 4 + unit.unit) * plane
                return (output.scalars[start..<(start + plane)].max() ?? 0) > 0
            }.count
            #expect(unit.firingImages == firing && unit.activity == UnitActivity(firingImages: firing, of: train.count))
            if unit.activity == .dead {
                #expect(unit.thumbnail.isEmpty && unit.class.isEmpty, "a dead unit shows no arbitrary patches")
            } else {
                #expect(server.dataset.data.classNames.contains(unit.class))
                #expect(Self.png(unit.thumbnail) != nil)
            }
        }
        #expect(gallery.deadUnits == gallery.units.filter { $0.activity == .dead }.count)
        #expect(gallery.activitySummary.hasPrefix("\(gallery.deadUnits) of 4 units never fire on"), "\(gallery.activitySummary)")
        // Asked again: the same figure, at once.
        let again = try await server.http.send("GET", "/api/units/pool1?model=cnn")
        #expect(again.status == 200)
        #expect(try again.decode(UnitGallery.self).seconds == gallery.seconds)
    }

    /// The page percent-encodes the layer (ONNX names hold "/"): the route decodes it.
    @Test func aPercentEncodedLayerNameIsDecoded() async throws {
        let (_, answer) = try await Self.settled("/api/units/%70ool1?model=cnn")
        #expect(answer.status == 200, "\(answer.text)")
        #expect(try answer.decode(UnitGallery.self).layer.name == "pool1")
        // and so does the unit's feature visualisation (it answered "no layer %2F…" for every ONNX name)
        let (_, vis) = try await Self.settled("/api/units/%70ool1/0/feature-vis?model=cnn")
        #expect(vis.status == 200, "\(vis.text.prefix(300))")
    }

    @Test func unitDetailHasTopPatchesImagesAndProjections() async throws {
        let http = try await TestServer.shared.value.http
        // A layer nobody asked for yet: the unit's page waits for the layer's units.
        let (first, answer) = try await Self.settled("/api/units/pool2/5?model=cnn")
        #expect(first == 202)
        #expect(answer.status == 200, "\(answer.text)")
        let detail = try answer.decode(UnitDetail.self)
        let gallery = try await http.send("GET", "/api/units/pool2?model=cnn").decode(UnitGallery.self)
        #expect(detail.unit == 5 && detail.layer.receptiveField == 10)
        #expect(detail.activations.count == InspectionSettings().topImages)
        #expect(detail.activations.first?.value == gallery.units[5].top)
        #expect(zip(detail.activations, detail.activations.dropFirst()).allSatisfy { $0.value >= $1.value })
        #expect(Set(detail.activations.map(\.datasetIndex)).count == detail.activations.count, "one patch per image")
        for activation in detail.activations {
            let box = try #require(activation.box)
            #expect(box.fullSize == 10 && box.height <= 10 && box.width <= 10 && box.height > 0)
            #expect(Self.colorType(Self.png(activation.image)) == 0, "the image and its patch are gray")
            #expect(Self.png(activation.patch) != nil)
            #expect(activation.deconvnet.image != nil, "\(activation.deconvnet.problem ?? "")")
            #expect(Self.colorType(Self.png(activation.deconvnet.image)) == 2)
        }
        #expect(detail.deconvnetColorBar.contains("deconvnet") && detail.guidedColorBar.contains("<svg"))
    }

    @Test func denseUnitsSeeWholeImages() async throws {
        _ = try await Self.settled("/api/units/relu1?model=mlp")
        let detail = try await Self.settled("/api/units/relu1/3?model=mlp").answer.decode(UnitDetail.self)
        #expect(detail.layer.kind == .dense && detail.activations.count == InspectionSettings().topImages)
        #expect(detail.activations.allSatisfy { $0.box == nil && $0.patch == $0.image })
    }

    @Test func unitErrorsSayWhatIsWrong() async throws {
        let http = try await TestServer.shared.value.http
        let layer = try await http.send("GET", "/api/units/conv9?model=cnn")
        #expect(layer.status == 404 && layer.text.contains("conv9") && layer.text.contains("pool1, pool2, relu3"), "\(layer.text)")
        _ = try await Self.settled("/api/units/relu3?model=cnn")
        let range = try await http.send("GET", "/api/units/relu3/16?model=cnn")
        #expect(range.status == 404 && range.text.contains("16 units, numbered 0 to 15"), "\(range.text)")
        let word = try await http.send("GET", "/api/units/relu3/first?model=cnn")
        let reason = try word.json() as? [String: String]
        #expect(word.status == 400 && reason?["error"]?.contains("\"first\" is not a unit number") == true, "\(word.text)")
        let negative = try await http.send("GET", "/api/units/relu3/-1?model=cnn")
        #expect(negative.status == 404, "\(negative.text)")
        #expect(try await http.send("GET", "/api/units?model=nope").status == 404)
    }

    // MARK: one image through the layers

    @Test func layerMapsShowEveryChannelOfEveryConvBlockOnOneScalePerLayer() async throws {
        let http = try await TestServer.shared.value.http
        let face = try TestServer.faceFile(person: 3, image: 2)
        let answer = try await http.send("POST", "/api/layers?model=cnn", headers: ["Content-Type": "image/x-portable-graymap"], body: face)
        #expect(answer.status == 200, "\(answer.text)")
        let figure = try answer.decode(LayerMaps.self)
        var network = try await Self.network("cnn")
        let layers = UnitLayer.all(in: network.architecture).filter { $0.kind == .convolutional }
        #expect(figure.layers.map(\.layer) == layers && figure.scaleRule == LayerMaps.scaleRule)
        let preprocessing = try await TestServer.shared.value.library.entry("cnn").model.provenance.preprocessing
        let image = try ImageInput.tensor(face, preprocessing: preprocessing)
        let (_, outputs) = try network.activations(image.reshaped([1] + image.shape), at: layers.map(\.name))
        for layer in figure.layers {
            let output = try #require(outputs[layer.layer.name])
            #expect(layer.tiles.map(\.unit) == Array(0..<layer.layer.units) && output.shape == [1, layer.layer.units, layer.height, layer.width])
            #expect(layer.high == output.scalars.max(), "white is the layer's largest value on this image")
            let plane = layer.height * layer.width
            for tile in layer.tiles {
                #expect(tile.peak == output.scalars[(tile.unit * plane)..<((tile.unit + 1) * plane)].max())
                #expect(Self.colorType(Self.png(tile.image)) == 0)
            }
            #expect(layer.silent == layer.tiles.filter { $0.peak <= 0 }.count)
        }
        let softmax = try await http.send("POST", "/api/layers?model=softmax", headers: ["Content-Type": "image/x-portable-graymap"], body: face)
        #expect(softmax.status == 422 && softmax.text.contains("no convolutional layer"), "\(softmax.text)")
        let empty = try await http.send("POST", "/api/layers?model=cnn", headers: ["Content-Type": "image/x-portable-graymap"], body: Data())
        #expect(empty.status == 400 && empty.text.contains("empty"), "\(empty.text)")
        let page = try await http.send("GET", "/layers")
        #expect(page.status == 200 && page.text.contains("/static/layers.js"))
    }

    @Test func unitsPageIsServedAndListed() async throws {
        let http = try await TestServer.shared.value.http
        let page = try await http.send("GET", "/units")
        #expect(page.status == 200 && page.text.contains("/static/units.js"))
        let script = try await http.send("GET", "/static/units.js")
        #expect(script.status == 200 && script.text.contains("/api/units/"))
        let common = try await http.send("GET", "/static/common.js")
        #expect(common.text.contains("[\"/units\", \"Units\"]"), "the navigation lists the Units page")
    }
}
