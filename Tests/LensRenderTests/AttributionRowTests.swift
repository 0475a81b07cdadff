import Foundation
import LensExplain
import LensTensor
import Testing
@testable import LensRender

@Suite("Attribution rows' scales and picture grids")
struct AttributionRowTests {
    @Test("a row's maps share one scale fitted to all of them, so a weak method looks weak")
    func sharedScale() throws {
        let strong = Synthetic.blobs(side: 16, positive: (0.3, 0.4), negative: (0.7, 0.6), amplitude: 10)
        let weak = Synthetic.blobs(side: 16, positive: (0.3, 0.4), negative: (0.7, 0.6), amplitude: 6)
        let row = AttributionRow(panels: [
            MapPanel(title: "A", map: strong, reduction: .sum, settings: "steps: 50"),
            MapPanel(title: "B", map: weak, reduction: .maxAbsolute, settings: "relu backward: gradient"),
        ], robust: false)
        let scales = row.scales()
        #expect(scales.count == 1)
        #expect(scales[0].scale.kind == .signed)  // one signed panel makes the row signed
        #expect(abs(scales[0].scale.bound - strong.scalars.map(abs).max()!) < 1e-6)
    }

    @Test("a map too faint to read on its group's scale gets one of its own, whose caption says how much weaker it is")
    func faintMember() throws {
        let strong = Synthetic.blobs(side: 16, positive: (0.3, 0.4), negative: (0.7, 0.6), amplitude: 10)
        let faint = Tensor(shape: strong.shape, scalars: strong.scalars.map { $0 * 0.05 })
        let panels = [
            MapPanel(title: "Saliency", map: strong, reduction: .maxAbsolute, settings: "", scaleGroup: "gradients"),
            MapPanel(title: "Deconvnet", map: faint, reduction: .maxAbsolute, settings: "", scaleGroup: "gradients"),
        ]
        let row = AttributionRow(panels: panels, robust: false)
        #expect(row.panels[0].scaleGroup == "gradients")
        #expect(row.panels[1].scaleGroup == "Deconvnet on a scale of its own (0.05× the gradients' scale)")
        let scales = row.scales()
        #expect(scales.count == 2)
        #expect(abs(scales[0].scale.bound - strong.scalars.map(abs).max()!) < 1e-6)
        #expect(abs(scales[1].scale.bound - faint.scalars.map(abs).max()!) < 1e-6)
        // A scale that must hold every map keeps the faint one in it.
        #expect(AttributionRow(panels: panels, robust: false, separatingFaint: false).scales().count == 1)
        // At half the group's bound or above, a map stays on the shared scale (a weak method looks weak).
        let weak = Tensor(shape: strong.shape, scalars: strong.scalars.map { $0 * 0.51 })
        #expect(AttributionRow(panels: [panels[0], MapPanel(title: "SmoothGrad", map: weak, reduction: .maxAbsolute, settings: "",
                                                            scaleGroup: "gradients")], robust: false).scales().count == 1)
    }

    @Test("scale groups: panels of another group get their own scale and colour bar")
    func scaleGroups() throws {
        let gradient = Synthetic.blobs(side: 8, positive: (0.3, 0.3), negative: (0.6, 0.6), amplitude: 0.01)
        let occlusion = Synthetic.blobs(side: 8, positive: (0.5, 0.5), negative: (0.2, 0.8), amplitude: 3)
        let row = AttributionRow(panels: [
            MapPanel(title: "Saliency", map: gradient, reduction: .maxAbsolute, settings: "", scaleGroup: "gradients"),
            MapPanel(title: "Occlusion", map: occlusion, reduction: .sum, settings: "window: 8", scaleGroup: "probability drop"),
        ], robust: false)
        let scales = row.scales()
        #expect(scales.map(\.group) == ["gradients", "probability drop"])
        #expect(scales[0].scale.kind == .magnitude && scales[1].scale.kind == .signed)
        #expect(scales[0].scale.bound < 0.02 && scales[1].scale.bound > 2)
    }

    @Test("neither a NaN map nor a flat one enters the row's scale")
    func unhealthyPanels() throws {
        var broken = Synthetic.blobs(side: 8, positive: (0.3, 0.3), negative: (0.6, 0.6), amplitude: 1000)
        broken.scalars[5] = .nan
        let flat = Tensor(shape: [1, 8, 8], repeating: 50)
        let good = Synthetic.blobs(side: 8, positive: (0.3, 0.3), negative: (0.6, 0.6), amplitude: 1)
        let row = AttributionRow(panels: [
            MapPanel(title: "Broken", map: broken, reduction: .sum, settings: ""),
            MapPanel(title: "Flat", map: flat, reduction: .sum, settings: ""),
            MapPanel(title: "Good", map: good, reduction: .sum, settings: ""),
        ], robust: false)
        #expect(abs(row.scales()[0].scale.bound - good.scalars.map(abs).max()!) < 1e-6)
        #expect(broken.scalars.map(abs).max()! > 100 && row.panels.filter { $0.drawableReduction != nil }.map(\.title) == ["Good"])
    }

    @Test("a panel from an AttributionResult takes its item, the method's title, settings and IG's delta")
    func panelFromResult() throws {
        let maps = Tensor(shape: [2, 1, 2, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        let result = AttributionResult(method: .saliency, maps: maps, targets: [0, 1], logits: Tensor(shape: [2, 2]),
                                       settings: ["relu backward": "gradient", "a": "1"], convergenceDelta: [0.5, 0.003])
        let panel = try MapPanel(result: result, item: 1, reduction: .maxAbsolute)
        #expect(panel.map == Tensor(shape: [1, 2, 2], scalars: [5, 6, 7, 8]))
        #expect(panel.title == AttributionMethod.saliency.title)
        #expect(panel.settings == "a: 1 · relu backward: gradient")
        #expect(panel.note == "convergence δ = 0.003")
        #expect(throws: MapRenderError.self) { try MapPanel(result: result, item: 2, reduction: .sum) }
    }

    @Test("grids: captions and details escaped, wrong and flagged figures marked")
    func grid() throws {
        let face = try Picture.image(Synthetic.face(side: 28), alt: "face")
        #expect(face.html.contains("width=112 height=112"))
        #expect(throws: MapRenderError.self) { try Picture.image(Tensor(shape: [2, 4, 4]), alt: "two channels") }
        let html = PictureGrid.html([
            Figure(picture: face, caption: "s1 <train>", details: ["d = 0.41"]),
            Figure(picture: face, caption: "s2", mark: .wrong),
            Figure(picture: face, caption: "query", details: ["nearest at 97th pct"], mark: .flagged("unusual")),
        ], heading: "Neighbours", note: "k = 3")
        #expect(html.contains("s1 &lt;train&gt;") && html.contains("<small>d = 0.41</small>"))
        #expect(html.contains("class=\"fig wrong\"") && html.contains("class=\"fig flagged\"") && html.contains("⚠ unusual"))
        #expect(html.contains("<h3>Neighbours</h3>") && html.contains("k = 3"))
    }
}
