import LensExplain
import LensTensor

/// A unit's top patches as one small picture for the Units page's gallery.
enum UnitThumbnail {
    /// What fills the part of a receptive field beyond the image border.
    static let padding: Float = 0.5
    /// The lines between patches.
    static let separator: Float = 1

    /// Image `item` [1, C, H, W] cut to `box` and placed where it lies in the whole receptive field
    /// (a border-cut patch keeps its position), or the whole image when there is no box (a dense
    /// unit); then averaged down so that no side exceeds `UnitGallery.thumbnailPatchSide`.
    static func cell(_ item: Tensor, box: PatchBox?) -> Tensor {
        let (channels, height, width) = (item.shape[1], item.shape[2], item.shape[3])
        let full: Tensor
        if let box {
            var cell = Tensor(shape: [channels, box.fullSize, box.fullSize], repeating: padding)
            let (top, left) = (box.top - box.fullTop, box.left - box.fullLeft)
            for c in 0..<channels {
                for y in 0..<box.height {
                    for x in 0..<box.width {
                        cell.scalars[(c * box.fullSize + top + y) * box.fullSize + left + x] =
                            item.scalars[(c * height + box.top + y) * width + box.left + x]
                    }
                }
            }
            full = cell
        } else {
            full = item.reshaped([channels, height, width])
        }
        let side = max(full.shape[1], full.shape[2])
        return shrunk(full, by: (side + UnitGallery.thumbnailPatchSide - 1) / UnitGallery.thumbnailPatchSide)
    }

    /// [C, H, W] with each `factor` x `factor` block averaged (blocks cut by the edge average what they hold).
    static func shrunk(_ image: Tensor, by factor: Int) -> Tensor {
        guard factor > 1 else { return image }
        let (channels, height, width) = (image.shape[0], image.shape[1], image.shape[2])
        let (outHeight, outWidth) = ((height + factor - 1) / factor, (width + factor - 1) / factor)
        var out = Tensor(shape: [channels, outHeight, outWidth])
        for c in 0..<channels {
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    var sum: Float = 0, count = 0
                    for y in (oy * factor)..<min((oy + 1) * factor, height) {
                        for x in (ox * factor)..<min((ox + 1) * factor, width) {
                            sum += image.scalars[(c * height + y) * width + x]
                            count += 1
                        }
                    }
                    out.scalars[(c * outHeight + oy) * outWidth + ox] = sum / Float(max(count, 1))
                }
            }
        }
        return out
    }

    /// Cells [C, h, w] of one size in rows of two, strongest first, with one-pixel lines between.
    static func mosaic(_ cells: [Tensor]) -> Tensor {
        guard let first = cells.first else { return Tensor(shape: [1, 1, 1], repeating: padding) }
        let (channels, height, width) = (first.shape[0], first.shape[1], first.shape[2])
        let columns = min(2, cells.count), rows = (cells.count + 1) / 2
        let (outHeight, outWidth) = (rows * (height + 1) - 1, columns * (width + 1) - 1)
        var out = Tensor(shape: [channels, outHeight, outWidth], repeating: separator)
        for (index, cell) in cells.enumerated() {
            let (top, left) = ((index / 2) * (height + 1), (index % 2) * (width + 1))
            for c in 0..<channels {
                for y in 0..<height {
                    for x in 0..<width {
                        out.scalars[(c * outHeight + top + y) * outWidth + left + x] = cell.scalars[(c * height + y) * width + x]
                    }
                }
            }
        }
        return out
    }
}
