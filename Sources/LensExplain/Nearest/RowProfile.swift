import LensTensor

/// An image's row profile: the mean of each row of each channel, [C·H] numbers. It keeps where
/// the bright and dark bands of an image lie from top to bottom (hair, eyes, mouth, chin), so an
/// image turned upside down lies far from every training image here even where the model's own
/// space, trained to tell classes apart, places it among them. The unusual flag's second space.
public struct RowProfile: Sendable {
    /// Each calibration image's profile distance to its nearest training image's, ascending.
    public private(set) var calibrationDistances: [Float]
    private var references: Tensor
    /// [C, H, W] of one image.
    private var imageShape: [Int]

    /// Nil unless the images are [N, C, H, W] with rows to compare (H ≥ 8).
    init?(trainingImages: Tensor, calibrationImages: Tensor) throws {
        guard trainingImages.rank == 4, trainingImages.shape[2] >= 8, calibrationImages.shape.dropFirst() == trainingImages.shape.dropFirst()
        else { return nil }
        imageShape = Array(trainingImages.shape.dropFirst())
        references = Self.profiles(trainingImages)
        calibrationDistances = BlockedNearestNeighbors.search(queries: Self.profiles(calibrationImages), references: references, k: 1,
                                                              metric: .euclidean).distances.map { $0[0] }.sorted()
    }

    /// Each input's profile distance to the nearest training image's.
    func nearestDistances(_ images: Tensor) throws -> [Float] {
        guard images.rank == 4, Array(images.shape.dropFirst()) == imageShape else { throw ExplainError.invalidInput("images of shape \(images.shape) are not shaped as the training images are") }
        return BlockedNearestNeighbors.search(queries: Self.profiles(images), references: references, k: 1, metric: .euclidean)
            .distances.map { $0[0] }
    }

    /// [N, C, H, W] → [N, C·H]: profile[n, c·H + y] = (1/W) Σ_x image[n, c, y, x].
    static func profiles(_ images: Tensor) -> Tensor {
        let (count, channels, height, width) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        var rows = [Float](repeating: 0, count: count * channels * height)
        images.scalars.withUnsafeBufferPointer { pixels in
            for row in rows.indices {
                var sum: Float = 0
                for x in 0..<width { sum += pixels[row * width + x] }
                rows[row] = sum / Float(width)
            }
        }
        return Tensor(shape: [count, channels * height], scalars: rows)
    }
}
