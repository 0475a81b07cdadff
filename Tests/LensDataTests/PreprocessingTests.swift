import Foundation
import LensTensor
import Testing
@testable import LensData

/// Values computed by hand.
@Suite struct PreprocessingTests {
    private func gray(_ width: Int, _ height: Int, _ values: [Float]) -> Image {
        Image(width: width, height: height, channels: 1, pixels: values)
    }

    private func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-6) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    @Test func lumaUsesBT601WeightsAndDropsAlpha() {
        let rgba = Image(width: 1, height: 1, channels: 4, pixels: [1, 0.5, 0.25, 0])
        let out = Preprocessing(size: 1).apply(rgba)
        #expect(out.shape == [1, 1, 1])
        #expect(close(out.scalars, [0.299 + 0.587 * 0.5 + 0.114 * 0.25]))
    }

    @Test func rgbOutputKeepsColoursAndReplicatesGray() {
        let rgb = Image(width: 1, height: 1, channels: 3, pixels: [0.1, 0.2, 0.3])
        #expect(Preprocessing(size: 1, channels: 3).apply(rgb).scalars == [0.1, 0.2, 0.3])
        #expect(Preprocessing(size: 2, channels: 3).apply(gray(1, 1, [0.4])).scalars == [Float](repeating: 0.4, count: 12))
    }

    @Test func centreCropOfWideAndTallImages() {
        // 4x2: columns 1 and 2 are the centre square.
        let wide = gray(4, 2, [0, 1, 2, 3,
                               4, 5, 6, 7])
        #expect(Preprocessing(size: 2).apply(wide).scalars == [1, 2, 5, 6])
        // 2x5: the offset (5 - 2) / 2 rounds down to row 1.
        let tall = gray(2, 5, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(Preprocessing(size: 2).apply(tall).scalars == [2, 3, 4, 5])
    }

    @Test func integerShrinkAveragesBlocks() {
        let image = gray(4, 4, [0, 2, 4, 6,
                                2, 4, 6, 8,
                                1, 1, 0, 0,
                                1, 1, 0, 4])
        #expect(close(Preprocessing(size: 2).apply(image).scalars, [2, 6, 1, 1]))
    }

    @Test func fractionalShrinkWeighsPartialCoverage() {
        // 3 -> 2: output 0 covers source [0, 1.5): 2/3 of pixel 0 and 1/3 of pixel 1.
        let image = gray(3, 3, [0, 0.3, 0.6,
                                0, 0.3, 0.6,
                                0, 0.3, 0.6])
        #expect(close(Preprocessing(size: 2).apply(image).scalars, [0.1, 0.5, 0.1, 0.5]))
        let columns = gray(3, 3, [0, 0, 0, 0.3, 0.3, 0.3, 0.6, 0.6, 0.6])
        #expect(close(Preprocessing(size: 2).apply(columns).scalars, [0.1, 0.1, 0.5, 0.5]))
    }

    @Test func growIsBilinearWithHalfPixelCentres() {
        // PyTorch interpolate([0, 1] -> 4, bilinear, align_corners=False) gives 0, 0.25, 0.75, 1 per axis.
        let image = gray(2, 2, [0, 1,
                                0, 1])
        let out = Preprocessing(size: 4).apply(image)
        #expect(out.shape == [1, 4, 4])
        #expect(close(Array(out.scalars[0..<4]), [0, 0.25, 0.75, 1]))
        #expect(close(Array(out.scalars[12..<16]), [0, 0.25, 0.75, 1]))
        let vertical = Preprocessing(size: 4).apply(gray(2, 2, [0, 0, 1, 1]))
        #expect(close(stride(from: 0, to: 16, by: 4).map { vertical.scalars[$0] }, [0, 0.25, 0.75, 1]))
    }

    @Test func orlFaceBecomes64x64() throws {
        let face = try Fixture.orlFace("s1/1.pgm")
        #expect(face.width == 92 && face.height == 112)
        let out = Preprocessing(size: 64).apply(face)
        #expect(out.shape == [1, 64, 64])
        // Area averaging preserves the mean of the cropped square.
        let side = 92, y0 = 10
        var sum: Float = 0
        for y in y0..<(y0 + side) { for x in 0..<side { sum += face[x: x, y: y, channel: 0] } }
        let mean = out.scalars.reduce(0, +) / Float(out.count)
        #expect(abs(mean - sum / Float(side * side)) < 1e-4)
    }

    @Test func codableAndValidated() throws {
        let value = Preprocessing(size: 32, channels: 3)
        let json = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(Preprocessing.self, from: json) == value)
        let bad = Data(#"{"size": 0, "channels": 1}"#.utf8)
        #expect(errorMessage { try JSONDecoder().decode(Preprocessing.self, from: bad) } == "image size 0 is outside 1...1024")
        #expect(errorMessage { try Preprocessing(size: 8, channels: 2).validate() } == "channels must be 1 (gray) or 3 (RGB), not 2")
    }
}
