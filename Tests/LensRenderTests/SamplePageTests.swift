import Foundation
import LensData
import LensTensor
import Testing
@testable import LensRender

/// A whole page built from real ORL faces and made-up templates (attribution pages are LensStudio's: AttributionRowsTests). With
/// LENS_RENDER_SAMPLES=DIR set they are also written to DIR, to be looked at in a browser.
@Suite("Sample pages")
struct SamplePageTests {
    @Test("a grid page holds every figure and colour bar asked for")
    func samplePages() throws {
        let faces = try DatasetLoader.load(.orl, preprocessing: nil, limitPerClass: 2)
        let side = faces.images.shape[2]
        let mean = Tensor(shape: [1, side, side], scalars: (0..<(side * side)).map { i in
            (0..<faces.images.shape[0]).reduce(Float(0)) { $0 + faces.images.scalars[$1 * side * side + i] } / Float(faces.images.shape[0])
        })
        func face(_ n: Int) -> Tensor { faces.images.slice(n..<(n + 1)).reshaped([1, side, side]) }
        func centred(_ n: Int) -> Tensor { Tensor(shape: mean.shape, scalars: zip(face(n).scalars, mean.scalars).map { $0 - $1 }) }

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

        let pages = [gridPage]
        let documents = pages.map { $0.document(navigation: pages) }
        #expect(documents[0].contains("img.px{image-rendering:pixelated"))
        #expect(documents[0].components(separatedBy: "<figure class=\"fig").count - 1 == 23)
        #expect(documents[0].contains("width=72 height=72"))  // a 9x9 patch at 8x
        if let directory = ProcessInfo.processInfo.environment["LENS_RENDER_SAMPLES"] {
            try ReportWriter(directory: URL(fileURLWithPath: directory)).write(pages: pages, credit: nil)
        }
    }
}
