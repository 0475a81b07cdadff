import Foundation
import LensData
import LensExplain
import LensRender
import LensStudio
import LensTensor
import Testing

/// The Explain page's routes on the live server: maps drawn with colormaps on a shared and a
/// per-family scale, placeholders for maps that cannot be drawn, nearest training images, and
/// the trust badges computed in the background (202, then 200).
@Suite struct ExplainRouteTests {
    /// A dense model explains with every method but the two that need a convolutional layer.
    static let denseMethods = AttributionMethod.allCases.filter { ![.gradcam, .guidedGradcam].contains($0) }

    @Test func mapsAreColouredOnASharedScaleAndOnTheirFamilysScale() async throws {
        let server = try await TestServer.shared.value
        let face = try TestServer.faceFile(person: 5, image: 10)
        let explanation = try await server.http.send("POST", "/api/explain?model=mlp", body: face).decode(Explanation.self)
        #expect(explanation.maps.map(\.method) == Self.denseMethods.map(\.rawValue))
        let shared = explanation.sharedScale
        #expect(shared.group == "" && shared.high > 0 && shared.colorBar.hasPrefix("<svg"))
        // Integrated gradients and occlusion are signed, so one scale over every map is signed: ±high.
        #expect(shared.kind == "signed" && shared.low == -shared.high)
        // One scale per family, the families the maps name, in order of first appearance.
        var families: [String] = []
        for map in explanation.maps where !families.contains(map.scaleGroup) { families.append(map.scaleGroup) }
        #expect(explanation.groupScales.map(\.group) == families)
        #expect(families == ["gradients", "Integrated gradients", "Occlusion"])
        let gradients = try #require(explanation.groupScales.first { $0.group == "gradients" })
        #expect(gradients.kind == "magnitude" && gradients.low == 0 && gradients.high > 0 && gradients.high < shared.high)
        for map in explanation.maps {
            #expect(map.problem == nil, "\(map.method): \(map.problem ?? "")")
            let sharedPNG = try Self.png(try #require(map.image))
            let groupPNG = try Self.png(try #require(map.groupImage))
            // Colour pictures at the input's size (64x64 ORL), not gray ones.
            #expect(Self.header(sharedPNG) == Header(width: 64, height: 64, colorType: 2), "\(map.method)")
            #expect(Self.header(groupPNG) == Header(width: 64, height: 64, colorType: 2), "\(map.method)")
            #expect(map.maxMagnitude > 0)
            if map.scaleGroup == "gradients" { #expect(sharedPNG != groupPNG, "\(map.method) looks the same on both scales") }
        }
        // The shared scale is logarithmic, the families' linear; on it a gradient map still shows
        // colour (a linear shared scale left them near white beside occlusion's score drops).
        #expect(shared.logDecades == MapScale.sharedDecades && explanation.groupScales.allSatisfy { $0.logDecades == nil })
        for map in explanation.maps where map.scaleGroup == "gradients" {
            let picture = try ImageDecoder.decode(try Self.png(try #require(map.image)), path: map.method)
            let strongest = stride(from: 0, to: picture.pixels.count, by: 3).map { 1 - picture.pixels[$0..<($0 + 3)].min()! }.max() ?? 0
            #expect(strongest > 0.4, "\(map.method) is nearly white on the shared scale (strongest colour \(strongest))")
        }
        // A robust shared scale clips at the 99th percentile of every value: some map reaches past it.
        #expect(explanation.maps.contains { $0.maxMagnitude >= shared.high })
        #expect(explanation.legend.contains("red") && explanation.legend.contains("blue"))
    }

    @Test func mapsThatCannotBeDrawnComeWithTheReasonAndNoPicture() async throws {
        let http = try await TestServer.shared.value.http
        // A black image: integrated gradients from the black baseline is (x − 0)·∇ = 0 everywhere, and
        // occluding black with black changes nothing, so both maps are constant.
        let black = try PNGEncoder.encode(Image(width: 64, height: 64, channels: 1, pixels: [Float](repeating: 0, count: 64 * 64)))
        let explanation = try await http.send("POST", "/api/explain?model=softmax", body: black).decode(Explanation.self)
        for name in ["integrated-gradients", "occlusion"] {
            let map = try #require(explanation.maps.first { $0.method == name })
            #expect(map.problem?.contains("all values equal") == true, "\(name): \(map.problem ?? "drawn")")
            #expect(map.image == nil && map.groupImage == nil)
            #expect(map.badge.check.isConstant && !map.badge.isDrawable)
        }
        let saliency = try #require(explanation.maps.first { $0.method == "saliency" })
        #expect(saliency.problem == nil && saliency.image != nil && saliency.badge.isDrawable)
    }

    @Test func explanationsCarryTheNearestTrainingImages() async throws {
        let server = try await TestServer.shared.value
        let dataset = server.dataset
        // A training image itself (as a PNG upload) must find itself first, at a distance near 0.
        let row = dataset.split.train[17]
        let upload = try PNGEncoder.encode(Image(planar: dataset.image(at: row)))
        let explanation = try await readyExplanation(server, model: "mlp", body: upload)
        let nearest = try #require(explanation.nearest)
        #expect(nearest.neighbours.count == InspectionSettings().neighbors)
        #expect(nearest.neighbours[0].index == row)
        #expect(nearest.neighbours[0].class == dataset.data.classNames[dataset.data.labels[row]])
        #expect(nearest.neighbours[0].distance < 0.1 * nearest.neighbours[1].distance)
        #expect(zip(nearest.neighbours, nearest.neighbours.dropFirst()).allSatisfy { $0.distance <= $1.distance })
        #expect(nearest.neighbours.allSatisfy { Set(dataset.split.train).contains($0.index) && $0.image.hasPrefix("data:image/png;base64,") })
        #expect(nearest.space.contains("activations") && !nearest.unusual)
        // In pixels (softmax regression has no hidden layer to compare in), uniform noise is farther from
        // every training face than the test faces are from theirs.
        var generator = SeededGenerator(seed: 7)
        let noise = try PNGEncoder.encode(Image(width: 64, height: 64, channels: 1,
                                                pixels: (0..<4096).map { _ in Float.random(in: 0...1, using: &generator) }))
        let stranger = try await server.http.send("POST", "/api/nearest?model=softmax", body: noise)
        #expect(stranger.status == 200, "\(stranger.text)")
        let far = try stranger.decode(NearestImages.self)
        #expect(far.space == "pixels" && far.unusual && (far.neighbours.first?.distance ?? 0) > far.unusualAbove && far.calibration == "validation")
        #expect(far.neighbours[0].distance > far.unusualAbove)
    }

    @Test func aKNNModelShowsItsNeighboursInItsOwnMetricAndHasNoBadges() async throws {
        let server = try await TestServer.shared.value
        let face = try TestServer.faceFile(person: 9, image: 2)
        let answer = try await TestServer.settle(server.http, "POST", "/api/nearest?model=knn", body: face)
        #expect(answer.status == 200, "\(answer.text)")
        let nearest = try answer.decode(NearestImages.self)
        guard case .nearestNeighbor(let classifier) = try server.library.entry("knn").model.model else {
            Issue.record("the test server's knn model is not a k-NN model")
            return
        }
        #expect(nearest.metric == classifier.metric.rawValue && nearest.space == "pixels")
        #expect(nearest.neighbours.count == InspectionSettings().neighbors)
        let trust = try await server.http.send("GET", "/api/trust?model=knn")
        #expect(trust.status == 422 && trust.text.contains("k-NN"), "\(trust.text)")
        #expect(try await server.http.send("GET", "/api/trust?model=nobody").status == 404)
        #expect(try await server.http.send("POST", "/api/nearest?model=mlp", body: Data("hello".utf8)).status == 400)
    }

    @Test func trustIsComputingThenReadyAndFillsTheBadges() async throws {
        let server = try await TestServer.shared.value
        // A model of its own, so that no other test has started its checks.
        let id = server.library.add(try server.library.entry("mlp").model, id: "mlp-trust")
        let first = try await server.http.send("GET", "/api/trust?model=\(id)")
        #expect(first.status == 202, "\(first.text)")
        let pending = try #require(try first.json() as? [String: Any])
        #expect(pending["status"] as? String == "computing" && pending["model"] as? String == id, "\(first.text)")
        // The progress bar's figures: the fraction done never goes back, the time left is an estimate.
        var fraction = try #require((pending["progress"] as? [String: Any])?["fraction"] as? Double)
        var answer = first
        // The checks run at background priority: on a machine busy with other work they take minutes.
        let asked = ContinuousClock.now
        while answer.status == 202, ContinuousClock.now - asked < .seconds(900) {
            try await Task.sleep(for: .milliseconds(100))
            answer = try await server.http.send("GET", "/api/trust?model=\(id)")
            if answer.status == 202, let progress = (try answer.json() as? [String: Any])?["progress"] as? [String: Any],
               let now = progress["fraction"] as? Double {
                #expect(now >= fraction && now <= 1, "progress \(fraction) then \(now)")
                if now > 0.01 { #expect(progress["remaining_seconds"] as? Double != nil, "\(progress)") }
                fraction = now
            }
        }
        #expect(answer.status == 200, "\(answer.text)")
        let trust = try answer.decode(ModelTrust.self)
        let samples = PageBudget.full.trust.samples
        #expect(trust.status == "ready" && trust.images == samples && trust.measuredOn.hasPrefix("\(samples) test images of orl"))
        // the page says how a verdict is decided in the library's words (explain.js prints `rule`, restating nothing)
        #expect(trust.rule == TrustVerdict.rule && answer.text.contains("\"rule\""), "\(answer.text.prefix(300))")
        #expect(trust.methods.map(\.method) == Self.denseMethods.map(\.rawValue))
        for method in trust.methods {
            #expect(["passed", "failed", "undetermined"].contains(method.verdict ?? ""), "\(method.method)")
            let beatsRandom = try #require(method.record.insertion).map > method.record.insertion?.random ?? 0
            #expect(method.standing == (method.verdict == "passed" ? (beatsRandom ? "passed" : "mixed") : method.verdict), "\(method.method)")
            #expect(method.line.hasPrefix("randomisation \(method.verdict ?? "")") && method.line.contains("insertion"))
        }
        // Asked again: the same figures, not a new run.
        let again = try await server.http.send("GET", "/api/trust?model=\(id)").decode(ModelTrust.self)
        #expect(again.seconds == trust.seconds)
        // Every map's badge now carries its method's record, and integrated gradients its delta.
        let explanation = try await server.http.send("POST", "/api/explain?model=\(id)", body: try TestServer.faceFile(person: 4, image: 3))
            .decode(Explanation.self)
        #expect(explanation.trustStatus == "ready")
        for map in explanation.maps {
            #expect(map.badge.trust == trust.methods.first { $0.method == map.method }?.record, "\(map.method)")
        }
        let integrated = try #require(explanation.maps.first { $0.method == "integrated-gradients" })
        #expect(integrated.badge.convergenceDelta != nil && integrated.badge.convergenceDelta == integrated.convergenceDelta)
    }

    /// The explanation once the model's nearest-neighbour index is built (it starts when the model's data is loaded).
    private func readyExplanation(_ server: TestServer, model: String, body: Data) async throws -> Explanation {
        let answer = try await TestServer.settle(server.http, "POST", "/api/explain?model=\(model)", body: body) { answer in
            guard answer.status == 200 else { return false }
            return try answer.decode(Explanation.self).nearestStatus == "computing"
        }
        #expect(answer.status == 200, "\(answer.text)")
        let explanation = try answer.decode(Explanation.self)
        #expect(explanation.nearestStatus == "ready", "the nearest-neighbour index of \(model): \(explanation.nearestStatus)")
        return explanation
    }

    struct Header: Equatable { var width: Int, height: Int, colorType: UInt8 }

    static func png(_ uri: String) throws -> Data {
        let prefix = "data:image/png;base64,"
        guard uri.hasPrefix(prefix), let data = Data(base64Encoded: String(uri.dropFirst(prefix.count))), data.count > 26,
              data.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]) else {
            throw RawHTTP.Failure(description: "not a PNG data URI: \(uri.prefix(40))")
        }
        return data
    }

    /// Width, height and colour type (2: RGB, 0: gray) from the IHDR chunk.
    static func header(_ png: Data) -> Header {
        let bytes = [UInt8](png)
        func integer(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return Header(width: integer(16), height: integer(20), colorType: bytes[25])
    }
}
