import Foundation
import LensTestSupport
import Testing
@testable import LensData

/// Large JPEGs are decoded by libjpeg's DCT scaling only as large as the crop and resize need.
@Suite struct JPEGScalingTests {
    @Test(arguments: [(nil, 16), (1, 2), (2, 2), (3, 4), (4, 4), (5, 6), (8, 8), (9, 10), (15, 16), (16, 16), (64, 16)] as [(Int?, Int)])
    func decodesAtTheSmallestScaleThatKeepsTheSide(minimumSide: Int?, expectedSide: Int) throws {
        let image = try ImageDecoder.decode(contentsOf: Fixture.url("rgb.jpg"), minimumSide: minimumSide)
        #expect(image.width == expectedSide && image.height == expectedSide && image.channels == 3)
    }

    /// At 1/8 scale each pixel of a gray JPEG is its 8x8 block's mean (the DC coefficient): what the
    /// area resize of the whole image computes too, to within rounding. Colour differs more on these
    /// 16x16 fixtures: chroma is stored at half resolution, and CMYK to RGB multiplies channels.
    @Test(arguments: [("gray.jpg", 1.5), ("rgb.jpg", 5), ("cmyk.jpg", 13)] as [(String, Float)])
    func scaledDecodeGivesNearlyTheSameInputAsAWholeOne(name: String, levels: Float) throws {
        let preprocessing = Preprocessing(size: 2, channels: 3)
        let whole = preprocessing.apply(try ImageDecoder.decode(contentsOf: Fixture.url(name)))
        let scaled = try preprocessing.load(contentsOf: Fixture.url(name))
        let worst = zip(whole.scalars, scaled.scalars).map { abs($0 - $1) * 255 }.max() ?? .infinity
        #expect(worst <= levels, "\(name): worst difference \(worst) levels")
    }

    @Test func shapeIsTheFilesSizeThoughTheCheckDecodesSmaller() throws {
        #expect(try ImageDecoder.shape(contentsOf: Fixture.url("rgb.jpg")) == ImageShape(width: 16, height: 16, channels: 3))
        #expect(try ImageDecoder.shape(contentsOf: Fixture.url("interlaced.png")) == ImageShape(width: 9, height: 7, channels: 3))
        let truncated = errorMessage { try ImageDecoder.shape(contentsOf: Fixture.url("truncated.jpg")) }
        #expect(truncated?.hasSuffix("truncated.jpg: corrupt or truncated JPEG (Premature end of JPEG file)") == true, "\(truncated ?? "no error")")
    }

    @Test func pixelLimitReachesFolderLoadingAndInfo() throws {
        let folder = try ScratchFolder()
        try folder.copyFixture("rgb.jpg", to: "a/1.jpg")
        try folder.copyFixture("rgb.jpg", to: "b/1.jpg")
        try folder.copyFixture("interlaced.png", to: "b/2.png")
        let reason = "image is 16x16 = 256 pixels, over the limit of 255 pixels (a decompression bomb? if not, raise the pixel limit)"
        let info = try DatasetLoader.info(.folder(folder.url), maxPixels: 255)
        #expect(info.skipped.map(\.reason) == [reason, reason] && info.countsPerClass == [0, 1])
        let loaded = errorMessage { try DatasetLoader.load(.folder(folder.url), preprocessing: nil, maxPixels: 255) }
        #expect(loaded?.contains("no image could be decoded in class folder a (first failure: ") == true, "\(loaded ?? "no error")")
        #expect(try DatasetLoader.load(.folder(folder.url), preprocessing: nil, maxPixels: 256).count == 3)
    }
}
