import Foundation
import LensData
import LensTestSupport

/// The classes of the small generated datasets: a bright region on a dark ground, placed relative
/// to the centred square that preprocessing crops, so that a class looks the same at any size or
/// aspect ratio (Fixtures/make_fixtures.py draws the JPEG fixtures the same way).
enum Pattern: String, CaseIterable {
    case centre, left, top

    func isBright(u: Double, v: Double) -> Bool {
        switch self {
        case .top: v < 0
        case .left: u < 0
        case .centre: u * u + v * v < 0.09
        }
    }

    /// Gray, RGB or RGBA (opaque); colour images are tinted so that their channels differ.
    func image(width: Int, height: Int, channels: Int) -> Image {
        let side = Double(min(width, height))
        let tint: [Float] = [0.95, 0.8, 0.65, 1]
        var pixels: [Float] = []
        pixels.reserveCapacity(width * height * channels)
        for y in 0..<height {
            for x in 0..<width {
                let u = (Double(x) + 0.5 - Double(width) / 2) / side
                let v = (Double(y) + 0.5 - Double(height) / 2) / side
                let value: Float = isBright(u: u, v: v) ? 0.85 : 0.15
                for channel in 0..<channels {
                    pixels.append(channels == 1 ? value : channel == 3 ? 1 : value * tint[channel])
                }
            }
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    func png(width: Int, height: Int, channels: Int) throws -> Data {
        try PNGEncoder.encode(image(width: width, height: height, channels: channels))
    }

    /// The committed JPEG of this class.
    var jpegFixture: String {
        switch self {
        case .top: "top-rgb-48x40.jpg"
        case .left: "left-gray-30x50.jpg"
        case .centre: "centre-rgb-70x56.jpg"
        }
    }
}

/// Sizes and channel counts the generated PNGs cycle through: mixed sizes, aspect ratios and colour.
private let pngShapes: [(width: Int, height: Int, channels: Int)] = [
    (20, 20, 1), (33, 25, 3), (24, 40, 4), (64, 48, 1), (17, 31, 3), (50, 50, 4), (80, 60, 3), (28, 21, 1), (45, 36, 4),
]

extension ScratchFolder {
    /// A class folder per `Pattern`, each with its JPEG fixture and `pngsPerClass` PNGs of mixed
    /// sizes and colour. Returns the folder's path.
    @discardableResult
    func writePatternDataset(_ name: String = "patterns", pngsPerClass: Int = 9) throws -> String {
        for pattern in Pattern.allCases {
            try write("\(name)/\(pattern.rawValue)/\(pattern.jpegFixture)", try Fixture.data(pattern.jpegFixture))
            for index in 0..<pngsPerClass {
                let shape = pngShapes[index % pngShapes.count]
                try write("\(name)/\(pattern.rawValue)/\(index).png",
                          try pattern.png(width: shape.width, height: shape.height, channels: shape.channels))
            }
        }
        return path(name)
    }
}
