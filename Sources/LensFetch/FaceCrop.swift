import Foundation
import LensData
import LensTensor

/// A downloaded photo made into one dataset image: decoded (anything else is "not an image"), the
/// face box grown by the margin and squared around its centre, cut out, then gray or RGB and
/// resized by LensData's `Preprocessing`, the same resize lens applies when it reads a folder.
public struct FaceCrop: Sendable, Equatable {
    /// Side of the square output, in pixels.
    public var size: Int
    /// 1 gray, 3 RGB.
    public var channels: Int
    /// Added to each side of the box, as a fraction of the box's width (left, right) and height (top, bottom).
    public var margin: Double
    public var maxPixels: Int

    public static let marginRange = 0.0...2.0

    public init(size: Int = 64, channels: Int = 1, margin: Double = 0, maxPixels: Int = ImageDecoder.defaultMaxPixels) {
        self.size = size
        self.channels = channels
        self.margin = margin
        self.maxPixels = maxPixels
    }

    public enum Failure: Error, Equatable {
        case notAnImage(String)
        case badBox(String)
    }

    /// The PNG bytes of the face in `data`; `name` is how messages call the photo.
    public func png(from data: Data, box: FaceBox?, name: String) throws -> Data {
        let image: Image
        do {
            image = try ImageDecoder.decode(data, path: name, maxPixels: maxPixels)
        } catch let error as ImageDecodingError {
            throw Failure.notAnImage(Self.sniff(data) ?? error.problem)
        } catch {
            throw Failure.notAnImage("\(error)")
        }
        let face = try box.map { try cut(image, $0) } ?? image
        let tensor = Preprocessing(size: size, channels: channels).apply(face)
        do {
            return try PNGEncoder.encode(Image(planar: tensor))
        } catch {
            throw Failure.notAnImage("cannot encode the face as PNG: \(error)")
        }
    }

    /// The box with its margin, squared on its longer side around its centre, clipped to the image.
    func region(_ box: FaceBox, width: Int, height: Int) -> (x: Int, y: Int, width: Int, height: Int)? {
        let boxWidth = Double(box.x2 - box.x1), boxHeight = Double(box.y2 - box.y1)
        let side = max(boxWidth * (1 + 2 * margin), boxHeight * (1 + 2 * margin))
        let centreX = Double(box.x1 + box.x2) / 2, centreY = Double(box.y1 + box.y2) / 2
        let x1 = max(0, Int((centreX - side / 2).rounded())), x2 = min(width, Int((centreX + side / 2).rounded()))
        let y1 = max(0, Int((centreY - side / 2).rounded())), y2 = min(height, Int((centreY + side / 2).rounded()))
        guard x2 > x1, y2 > y1 else { return nil }
        return (x1, y1, x2 - x1, y2 - y1)
    }

    private func cut(_ image: Image, _ box: FaceBox) throws -> Image {
        guard let region = region(box, width: image.width, height: image.height) else {
            throw Failure.badBox("the box \(box.x1),\(box.y1),\(box.x2),\(box.y2) lies outside the \(image.width)x\(image.height) photo")
        }
        var pixels = [Float]()
        pixels.reserveCapacity(region.width * region.height * image.channels)
        for y in region.y..<(region.y + region.height) {
            let start = (y * image.width + region.x) * image.channels
            pixels.append(contentsOf: image.pixels[start..<(start + region.width * image.channels)])
        }
        return Image(width: region.width, height: region.height, channels: image.channels, pixels: pixels)
    }

    /// What a page that is not an image says it is (an HTML error page is the usual answer for a gone photo).
    static func sniff(_ data: Data) -> String? {
        let head = String(decoding: data.prefix(512), as: UTF8.self).lowercased()
        if data.isEmpty { return "the answer is empty" }
        if head.contains("<html") || head.contains("<!doctype html") { return "the answer is an HTML page, not a photo" }
        return nil
    }
}
