import LensTensor

/// Random changes to training images that keep their class: small shifts and, where the user
/// allows it, left–right flips. Applied to each training batch, never to validation or test data.
public struct Augmentation: Codable, Sendable, Equatable {
    /// Each image moves by up to this many pixels in x and in y (uniform, independently); the
    /// uncovered border is filled with zeros. 0 = no shifts.
    public var maxShift: Int
    /// Mirror each image left–right with probability 1/2 (faces: yes; digits or text: no).
    public var horizontalFlip: Bool

    public init(maxShift: Int = 0, horizontalFlip: Bool = false) {
        self.maxShift = maxShift
        self.horizontalFlip = horizontalFlip
    }

    public static let none = Augmentation()

    /// The shifts that leave most of an image of `side` pixels in view: up to half its side
    /// (beyond, a shifted image is mostly the zero border, and training sees blank images).
    public static func shiftRange(imageSide side: Int) -> ClosedRange<Int> { 0...max(0, side / 2) }

    public var isNone: Bool { maxShift == 0 && !horizontalFlip }

    /// Applies a fresh random shift and flip to every image of `images` [N, C, H, W].
    public func apply(to images: inout Tensor, using generator: inout SeededGenerator) {
        guard !isNone else { return }
        precondition(images.rank == 4, "augmentation needs images [N, C, H, W], got \(images.shape)")
        let (batch, channels, height, width) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        let itemSize = channels * height * width
        var item = [Float](repeating: 0, count: itemSize)
        for n in 0..<batch {
            let dx = maxShift > 0 ? generator.nextInt(below: 2 * maxShift + 1) - maxShift : 0
            let dy = maxShift > 0 ? generator.nextInt(below: 2 * maxShift + 1) - maxShift : 0
            let flip = horizontalFlip && generator.nextUniform() < 0.5
            guard dx != 0 || dy != 0 || flip else { continue }
            images.scalars.withUnsafeMutableBufferPointer { all in
                let base = n * itemSize
                for i in 0..<itemSize { item[i] = all[base + i] }
                for c in 0..<channels {
                    for y in 0..<height {
                        let sourceY = y - dy
                        for x in 0..<width {
                            let shiftedX = x - dx
                            let sourceX = flip ? width - 1 - shiftedX : shiftedX
                            let inside = sourceY >= 0 && sourceY < height && sourceX >= 0 && sourceX < width
                            all[base + (c * height + y) * width + x] =
                                inside ? item[(c * height + sourceY) * width + sourceX] : 0
                        }
                    }
                }
            }
        }
    }
}
