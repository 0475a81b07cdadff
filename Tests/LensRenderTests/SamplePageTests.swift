import Foundation
import LensData
import LensTensor
import Testing
@testable import LensRender

/// Whole pages built from real ORL faces and made-up maps of known structure. With
/// LENS_RENDER_SAMPLES=DIR set they are also written to DIR, to be looked at in a browser.
@Suite("Sample pages")
struct SamplePageTests {
    @Test("an attribution page and a grid page hold every row, figure, colour bar and placeholder asked for")
    func samplePages() throws {
        let faces = try DatasetLoader.load(.orl, preprocessing: nil, limitPerClass: 2)
        let side = faces.images.shape[2]
        let mean = Tensor(shape: [1, side, side], scalars: (0..<(side * side)).map { i in
            (0..<faces.images.shape[0]).reduce(Float(0)) { $0 + faces.images.scalars[$1 * side * side + i] } / Float(faces.images.shape[0])
        })
        func face(_ n: Int) -> Tensor { faces.images.slice(n..<(n + 1)).reshaped([1, side, side]) }
        func centred(_ n: Int) -> Tensor { Tensor(shape: mean.shape, scalars: zip(face(n).scalars, mean.scalars).map { $0 - $1 }) }

        var rows: [AttributionRow] = []
        for (row, n) in [0, 6, 13].enumerated() {
            var hot = Synthetic.blobs(side: side, positive: (0.35, 0.4), negative: (0.65, 0.45), amplitude: 0.02)
            if row == 1 { hot.scalars[side * 20 + 30] = 2 }  // one hot pixel: the robust scale ignores it
            let occlusion = Synthetic.blobs(side: side, positive: (0.5, 0.55), negative: (0.2, 0.2), width: 0.2, amplitude: 0.3)
            var panels = [
                MapPanel(title: "Saliency", map: hot, reduction: .maxAbsolute, settings: "relu backward: gradient", scaleGroup: "gradients"),
                MapPanel(title: "Guided backprop", map: Tensor(shape: hot.shape, scalars: hot.scalars.map { max($0, 0) }),
                         reduction: .maxAbsolute, settings: "relu backward: guided", scaleGroup: "gradients"),
                MapPanel(title: "Integrated gradients", map: Tensor(shape: hot.shape, scalars: zip(hot.scalars, centred(n).scalars).map { $0 * $1 * 40 }),
                         reduction: .sum, settings: "baseline: zeros · rule: gauss-legendre · steps: 50", note: "convergence δ = 0.0012",
                         scaleGroup: "attributions (logit units)"),
                MapPanel(title: "Occlusion", map: occlusion, reduction: .sum, settings: "stride: 4 · value: 0 · window: 8",
                         scaleGroup: "attributions (logit units)"),
            ]
            if row == 2 {
                var nan = hot
                nan.scalars[100] = .nan
                panels.append(MapPanel(title: "SmoothGrad", map: nan, reduction: .maxAbsolute, settings: "noise: 0.15 · samples: 25", scaleGroup: "gradients"))
                panels.append(MapPanel(title: "Grad-CAM", map: Tensor(shape: hot.shape, repeating: 0), reduction: .sum, settings: "layer: relu3"))
            }
            rows.append(AttributionRow(image: face(n), caption: faces.classNames[faces.labels[n]],
                                       details: row == 1 ? ["predicted s17 (0.62)"] : ["predicted \(faces.classNames[faces.labels[n]]) (0.97)"],
                                       mark: row == 1 ? .wrong : .plain, panels: panels, overlay: row == 2))
        }
        // One row where every map shares one scale, as a lead may choose.
        let shared = rows[0].panels.map { panel -> MapPanel in var p = panel; p.scaleGroup = ""; return p }
        rows.append(AttributionRow(image: face(0), caption: faces.classNames[faces.labels[0]], details: ["one scale for all maps"], panels: shared))
        // Fashion-MNIST-sized and RGB inputs.
        rows.append(AttributionRow(image: Synthetic.face(side: 28), caption: "28x28", panels: [
            MapPanel(title: "Saliency", map: Synthetic.blobs(side: 28, positive: (0.4, 0.4), negative: (0.6, 0.7)), reduction: .maxAbsolute, settings: ""),
            MapPanel(title: "Integrated gradients", map: Synthetic.blobs(side: 28, positive: (0.4, 0.4), negative: (0.6, 0.7)), reduction: .sum, settings: "steps: 50"),
        ]))
        rows.append(AttributionRow(image: Synthetic.colorFace(side: 32), caption: "32x32 RGB", panels: [
            MapPanel(title: "Saliency", map: Synthetic.blobs(side: 32, channels: 3, positive: (0.4, 0.4), negative: (0.6, 0.7)), reduction: .maxAbsolute, settings: ""),
            MapPanel(title: "Integrated gradients", map: Synthetic.blobs(side: 32, channels: 3, positive: (0.4, 0.4), negative: (0.6, 0.7)),
                     reduction: .sum, settings: "steps: 50"),
        ], overlay: true))
        let attributionPage = ReportPage(fileName: "attribution.html", title: "Attribution maps (sample)",
                                         body: AttributionRow.legendHTML + (try rows.map { try $0.html() }.joined()))

        // Templates on one shared signed scale, then neighbours with one flagged and one wrong.
        let templates = (0..<12).map { centred($0 * 2) }
        let templateScale = MapScale.fitting(templates, kind: .signed)
        var grid = try PictureGrid.html(templates.enumerated().map { index, template in
            Figure(picture: try Picture.map(template, reduction: .sum, scale: templateScale, alt: "template"),
                   caption: faces.classNames[faces.labels[index * 2]], details: ["r = 0.47"])
        }, heading: "Softmax templates (one scale)", note: "red: weight above zero, blue: below")
        grid += ColorBar.html(templateScale, label: "weight of the template pixel")
        grid += try PictureGrid.html((0..<6).map { k in
            Figure(picture: try Picture.image(face(k), alt: "neighbour"), caption: faces.classNames[faces.labels[k]],
                   details: ["d = \(String(format: "%.2f", 3.1 + Double(k) * 0.4))"],
                   mark: k == 0 ? .flagged("unusual: 97th percentile") : k == 3 ? .wrong : .plain)
        }, heading: "Nearest training images")
        // Top patches of a unit: 9x9 crops, drawn at 8x.
        func patch(_ n: Int, x: Int, y: Int) -> Tensor {
            Tensor(shape: [1, 9, 9], scalars: (0..<81).map { face(n).scalars[(y + $0 / 9) * side + x + $0 % 9] })
        }
        grid += try PictureGrid.html((0..<5).map { k in
            Figure(picture: try Picture.image(patch(k * 3, x: 18 + k, y: 22), alt: "patch"), caption: "image \(k * 3)",
                   details: ["activation \(String(format: "%.2f", 4.2 - Double(k) * 0.3))", "at (\(18 + k), 22)"])
        }, heading: "conv2, channel 3: top 5 patches (receptive field 9x9)")
        let gridPage = ReportPage(fileName: "grids.html", title: "Picture grids (sample)", body: grid)

        let pages = [attributionPage, gridPage]
        let documents = pages.map { $0.document(navigation: pages) }
        #expect(documents[0].components(separatedBy: "class=\"attrrow").count - 1 == 6)
        #expect(documents[0].components(separatedBy: "<svg class=colorbar").count - 1 == 2 + 2 + 2 + 1 + 1 + 1)  // no bar for the group whose only map is flat
        #expect(documents[0].contains("no map: NaN in 1 of 4096 values") && documents[0].contains("no map: all values equal (0)"))
        #expect(documents[0].contains("img.px{image-rendering:pixelated"))
        #expect(documents[1].components(separatedBy: "<figure class=\"fig").count - 1 == 23)
        #expect(documents[1].contains("width=72 height=72"))  // a 9x9 patch at 8x
        if let directory = ProcessInfo.processInfo.environment["LENS_RENDER_SAMPLES"] {
            try ReportWriter(directory: URL(fileURLWithPath: directory)).write(pages: pages, credit: nil)
        }
    }
}
