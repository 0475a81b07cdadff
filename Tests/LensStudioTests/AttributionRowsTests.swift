import Foundation
import LensData
import LensExplain
import LensTensor
import Testing
@testable import LensStudio

/// The one writer of attribution figures (the report's maps page, `lens explain`'s page): the
/// original beside each map laid over it, the maps of one family on one scale per image.
@Suite struct AttributionRowsTests {
    /// An 8x8 gray ramp, dark at the top left.
    static let image = Tensor(shape: [1, 8, 8], scalars: (0..<64).map { Float($0) / 64 })

    /// A map [1, 1, 8, 8] that is zero but for a blob of `amplitude` around (5, 5).
    static func blob(_ amplitude: Float) -> Tensor {
        Tensor(shape: [1, 1, 8, 8], scalars: (0..<64).map { i in
            let (y, x) = (i / 8, i % 8)
            return abs(y - 5) <= 1 && abs(x - 5) <= 1 ? amplitude * Float(2 - abs(y - 5) - abs(x - 5)) : 0
        })
    }

    static func result(_ method: AttributionMethod, _ maps: Tensor) -> AttributionResult {
        AttributionResult(method: method, maps: maps, targets: [1], logits: Tensor(shape: [1, 2], scalars: [0, 2]),
                          settings: ["k": "v"], convergenceDelta: method == .integratedGradients ? [0.01] : nil)
    }

    static func pixels(_ dataURI: String?) throws -> LensData.Image {
        let uri = try #require(dataURI)
        let bytes = try #require(Data(base64Encoded: String(uri.dropFirst("data:image/png;base64,".count))))
        return try ImageDecoder.decode(bytes, path: "map")
    }

    @Test("a family shares each image's scale, other methods have their own; a NaN map is a placeholder outside the scale")
    func familyScales() throws {
        var nan = Self.blob(1000)
        nan.scalars[3] = .nan
        let figures = try AttributionFigure.family(
            [Self.result(.saliency, Self.blob(0.01)), Self.result(.smoothgrad, Self.blob(0.02)), Self.result(.guidedBackprop, nan),
             Self.result(.occlusion, Self.blob(5))],
            model: "m", classes: ["a", "b"], inputs: [("x", Self.image, 0)])
        let bounds = figures.map { $0.items[0].bound }
        #expect(bounds[0] == bounds[1] && bounds[1] == bounds[2], "the gradient family on one scale: \(bounds)")
        #expect(bounds[0] < 0.05, "fitted to the drawable maps only, not the NaN one: \(bounds)")
        #expect(bounds[3] > 1, "occlusion on its own scale: \(bounds)")
        #expect(figures[2].items[0].map.image == nil && figures[2].items[0].map.problem?.contains("NaN") == true)
        #expect(figures.allSatisfy { $0.items[0].trueClass == "a" && $0.items[0].predicted == "b" && $0.items[0].target == "b" })

        let html = ExplanationPages.attributionRows(figures)
        #expect(html.components(separatedBy: "class=\"attrrow").count - 1 == 1, "one row for the one image")
        #expect(html.components(separatedBy: "<img").count - 1 == 4, "the original and three drawable maps")
        #expect(html.components(separatedBy: "<svg class=colorbar").count - 1 == 2, "one colour bar per family")
        #expect(html.contains("no map: NaN") && html.contains("class=\"attrrow wrong\""), "the placeholder; a mistake is framed")
        #expect(html.contains("explains b (p = 0.88)") && html.contains("k: v"))
    }

    @Test("each map is laid over its image: where the map is zero the picture is the image, where it is strong the colour")
    func overlay() throws {
        let figure = try #require(try AttributionFigure.family([Self.result(.integratedGradients, Self.blob(1))], model: "m",
                                                                classes: ["a", "b"], inputs: [("x", Self.image, nil)]).first)
        let picture = try Self.pixels(figure.items[0].map.image)
        #expect(picture.width == 8 && picture.height == 8)
        func rgb(_ x: Int, _ y: Int) -> [Float] { Array(picture.pixels[((y * 8 + x) * picture.channels)..<((y * 8 + x) * picture.channels + 3)]) }
        let gray = Self.image.scalars[1 * 8 + 6]
        #expect(rgb(6, 1).allSatisfy { abs($0 - gray) < 1.0 / 255 + 1e-6 }, "zero map: the image unchanged, \(rgb(6, 1)) vs \(gray)")
        let centre = rgb(5, 5)
        let under = Self.image.scalars[5 * 8 + 5]
        #expect(centre[0] > centre[1] + 0.2 && centre[0] > centre[2] + 0.15 && under - centre[2] > 0.3,
                "a strong positive value is red over the image (gray \(under) beneath): \(centre)")
        let html = ExplanationPages.attributionRows([figure])
        #expect(html.contains(figure.items[0].input) && html.contains("convergence δ = 0.01"), "the original beside its map")
    }
}
