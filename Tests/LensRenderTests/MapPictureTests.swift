import Foundation
import LensData
import LensTensor
import Testing
@testable import LensRender

@Suite("Map pictures: heatmaps, overlays, magnification, placeholders")
struct MapPictureTests {
    @Test("small inputs are magnified by whole pixels: 28 → 4x, 64 → 2x, 128 → 1x, small patches up to 8x")
    func magnification() {
        #expect(MapPicture.magnification(forSide: 28) == 4)
        #expect(MapPicture.magnification(forSide: 64) == 2)
        #expect(MapPicture.magnification(forSide: 128) == 1)
        #expect(MapPicture.magnification(forSide: 16) == 7)
        #expect(MapPicture.magnification(forSide: 4) == 8)
        #expect(MapPicture.magnification(forSide: 0) == 1)
    }

    @Test("a map's PNG file: reduced, on its own robust scale, over the image; none for a broken map")
    func mapPNG() throws {
        let map = Tensor(shape: [3, 4, 4], scalars: (0..<48).map { Float($0 % 7) - 3 })
        let image = Tensor(shape: [3, 4, 4], repeating: 0.5)
        let decoded = try ImageDecoder.decode(try MapPicture.png(map, reduction: .sum, over: image), path: "map.png")
        #expect(decoded.width == 32 && decoded.height == 32 && decoded.channels == 3)
        let reduced = try ChannelReduction.sum.reduce(map)
        let expected = try MapPicture.overlay(reduced, on: image, scale: MapScale.fitting([reduced], kind: .signed), magnification: 8)
        for (a, b) in zip(decoded.pixels, expected.pixels) { #expect(abs(a - b) <= 0.5 / 255 + 1e-6) }
        #expect(throws: MapRenderError("cannot draw this map: no map: all values equal (2)")) {
            try MapPicture.png(Tensor(shape: [1, 4, 4], repeating: 2), reduction: .maxAbsolute)
        }
    }

    @Test("a heatmap colours each value on the scale, each pixel a crisp block")
    func heatmap() throws {
        let map = Tensor(shape: [1, 3], scalars: [-2, 0, 2])
        let image = try MapPicture.heatmap(map, scale: MapScale(kind: .signed, bound: 2), magnification: 2)
        #expect(image.width == 6 && image.height == 2 && image.channels == 3)
        func pixel(_ x: Int, _ y: Int) -> RGB {
            let i = (y * image.width + x) * 3
            return RGB(red: image.pixels[i], green: image.pixels[i + 1], blue: image.pixels[i + 2])
        }
        #expect(pixel(0, 0) == Colormap.diverging.color(at: 0) && pixel(1, 1) == pixel(0, 0))
        #expect(pixel(2, 0) == RGB(hex: 0xf7f6f6) && pixel(3, 1) == pixel(2, 0))
        #expect(pixel(5, 1) == Colormap.diverging.color(at: 1))
    }

    @Test("an overlay leaves the image as it is where the map is zero and shows the colour where it is strongest")
    func overlay() throws {
        let map = Tensor(shape: [1, 2], scalars: [0, 1])
        let gray = Tensor(shape: [1, 1, 2], scalars: [0.25, 0.5])
        let image = try MapPicture.overlay(map, on: gray, scale: MapScale(kind: .magnitude, bound: 1))
        #expect(Array(image.pixels[0..<3]) == [0.25, 0.25, 0.25])
        let top = Colormap.sequential.color(at: 1), a = MapPicture.maximumOpacity
        #expect(abs(image.pixels[3] - (0.5 + (top.red - 0.5) * a)) < 1e-6)
        #expect(abs(image.pixels[5] - (0.5 + (top.blue - 0.5) * a)) < 1e-6)
        #expect(throws: MapRenderError.self) {
            try MapPicture.overlay(map, on: Tensor(shape: [1, 2, 2], repeating: 0), scale: MapScale(kind: .magnitude, bound: 1))
        }
    }

    @Test("a NaN or flat map is never drawn as a picture: the pixel functions refuse it, pages get a placeholder")
    func unhealthyMaps() throws {
        let nan = Tensor(shape: [2, 2], scalars: [0, .nan, 1, 2]), flat = Tensor(shape: [2, 2], repeating: 0)
        let scale = MapScale(kind: .signed, bound: 1)
        #expect(throws: MapRenderError("cannot draw this map: no map: NaN in 1 of 4 values")) { try MapPicture.heatmap(nan, scale: scale) }
        #expect(throws: MapRenderError.self) { try MapPicture.overlay(flat, on: Tensor(shape: [1, 2, 2], repeating: 0.5), scale: scale) }
        let picture = try Picture.map(Tensor(shape: [1, 2, 2], scalars: [0, .nan, 1, 2]), reduction: .sum, scale: scale, alt: "m", magnification: 3)
        #expect(picture.html.contains("class=nomap") && picture.html.contains("no map: NaN in 1 of 4 values"))
        #expect(picture.html.contains("width:6px;height:6px") && !picture.html.contains("<img"))
        let flatPicture = try Picture.map(Tensor(shape: [1, 2, 2], repeating: 0), reduction: .maxAbsolute, scale: scale, alt: "m")
        #expect(flatPicture.html.contains("no map: all values equal (0)"))
        let good = try Picture.map(Tensor(shape: [1, 2, 2], scalars: [0, -1, 1, 2]), reduction: .sum, scale: scale, alt: "a <map>")
        #expect(good.html.hasPrefix("<img class=px src=\"data:image/png;base64,") && good.html.contains("alt=\"a &lt;map&gt;\""))
        #expect(good.html.contains("width=16 height=16"))  // 2 px at 8x
    }

    @Test("the PNG of a map decodes to the heatmap's pixels")
    func pngRoundTrip() throws {
        let map = Tensor(shape: [2, 2], scalars: [-1, 0, 0.5, 1])
        let heat = try MapPicture.heatmap(map, scale: MapScale(kind: .signed, bound: 1))
        let decoded = try ImageDecoder.decode(try PNGEncoder.encode(heat), path: "heat.png")
        #expect(decoded.width == 2 && decoded.channels == 3)
        for (a, b) in zip(decoded.pixels, heat.pixels) { #expect(abs(a - b) <= 0.5 / 255 + 1e-6) }
    }

    @Test("a colour bar prints the scale's numbers, marks clipping, and escapes its label")
    func colorBar() {
        let signed = ColorBar.svg(MapScale(kind: .signed, bound: 0.25, isRobust: true), label: "row <1>")
        #expect(signed.contains(">≤ −0.25<") && signed.contains(">0<") && signed.contains(">≥ 0.25<"))
        #expect(signed.contains("row &lt;1&gt;") && signed.hasPrefix("<svg") && signed.hasSuffix("</svg>"))
        #expect(signed.contains(Colormap.diverging.color(at: 0.5 / 64).css))
        #expect(ColorBar.html(MapScale(kind: .signed, bound: 1), label: "a <b>").hasPrefix("<figure class=cbar><figcaption>a &lt;b&gt;</figcaption><svg"))
        let magnitude = ColorBar.svg(MapScale(kind: .magnitude, bound: 3), label: "m")
        #expect(magnitude.contains(">0<") && magnitude.contains(">1.5<") && magnitude.contains(">3<") && !magnitude.contains("≥"))
    }
}
