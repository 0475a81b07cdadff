import LensKernels

/// The geometry of a square-kernel convolution over one [C, H, W] image, and the two
/// rearrangements that turn it into a matrix product (Caffe's im2col / col2im).
///
/// Column matrix: K = C·k·k rows ordered (c, ky, kx) like a PyTorch weight [out, C, k, k],
/// P = outHeight·outWidth columns ordered (oy, ox).
struct ConvolutionGeometry: Sendable, Equatable {
    var channels: Int
    var height: Int
    var width: Int
    var kernel: Int
    var stride: Int
    var padding: Int

    var outHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    var outWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    var rows: Int { channels * kernel * kernel }
    var positions: Int { outHeight * outWidth }
    var imageSize: Int { channels * height * width }

    /// Floats of the zero-bordered copy of an image that the stride-1 paths work in.
    var paddedImageSize: Int { channels * (height + 2 * padding) * (width + 2 * padding) }

    /// columns[K, P] from image[C, H, W]. Stride 1 (every layer of the lecture's networks) goes
    /// through a zero-bordered copy of the image in `padded` (`paddedImageSize` floats), so each
    /// run of the column matrix is one fixed-length copy with no bounds to work out, done by a
    /// SIMD kernel in LensKernels (masked AVX-512 moves where the CPU has them).
    func im2col(_ image: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>,
                padded: UnsafeMutablePointer<Float>) {
        guard stride == 1 else { return im2col(image, into: columns) }
        padded.update(repeating: 0, count: paddedImageSize)
        forEachImageRow(padded: padded) { paddedRow, imageRow in paddedRow.update(from: image + imageRow, count: width) }
        lens_im2col_padded(padded, Int32(channels), Int32(height + 2 * padding), Int32(width + 2 * padding),
                           Int32(kernel), Int32(outHeight), Int32(outWidth), columns)
    }

    /// image[C, H, W] = the columns[K, P] summed back to where im2col read them (the gradient at
    /// the image); stride 1 accumulates in the zero-bordered `padded` and copies the inside out.
    func col2im(_ columns: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>,
                padded: UnsafeMutablePointer<Float>) {
        guard stride == 1 else {
            image.update(repeating: 0, count: imageSize)
            return col2imAdding(columns, into: image)
        }
        padded.update(repeating: 0, count: paddedImageSize)
        lens_col2im_padded(columns, Int32(channels), Int32(height + 2 * padding), Int32(width + 2 * padding),
                           Int32(kernel), Int32(outHeight), Int32(outWidth), padded)
        forEachImageRow(padded: padded) { paddedRow, imageRow in (image + imageRow).update(from: paddedRow, count: width) }
    }

    /// Calls `body` with each image row's place in the zero-bordered copy and its offset in the image.
    @inline(__always)
    private func forEachImageRow(padded: UnsafeMutablePointer<Float>, _ body: (UnsafeMutablePointer<Float>, Int) -> Void) {
        let (paddedHeight, paddedWidth) = (height + 2 * padding, width + 2 * padding)
        for c in 0..<channels {
            for y in 0..<height {
                body(padded + ((c * paddedHeight + y + padding) * paddedWidth + padding), (c * height + y) * width)
            }
        }
    }

    /// The output columns ox whose input column ox·stride − padding + kx lies inside the image.
    private func insideColumns(kx: Int) -> Range<Int> {
        func ceilDivide(_ a: Int, _ b: Int) -> Int { a <= 0 ? -((-a) / b) : (a + b - 1) / b }
        let first = max(0, ceilDivide(padding - kx, stride))
        let end = min(outWidth, max(0, ceilDivide(width + padding - kx, stride)))
        return first..<max(first, end)
    }

    /// columns[K, P] from image[C, H, W]; positions in the padding read as 0.
    func im2col(_ image: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>) {
        let (outHeight, outWidth, stride, padding) = (outHeight, outWidth, stride, padding)
        for c in 0..<channels {
            let plane = image + c * height * width
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let row = columns + ((c * kernel + ky) * kernel + kx) * outHeight * outWidth
                    let inside = insideColumns(kx: kx)
                    for oy in 0..<outHeight {
                        let iy = oy &* stride &- padding &+ ky
                        let out = row + oy &* outWidth
                        // Plain loops, not memset/memmove calls: the runs are 0-2 and 14-28 floats.
                        guard iy >= 0, iy < height, !inside.isEmpty else {
                            for ox in 0..<outWidth { out[ox] = 0 }
                            continue
                        }
                        for ox in 0..<inside.lowerBound { out[ox] = 0 }
                        for ox in inside.upperBound..<outWidth { out[ox] = 0 }
                        let source = plane + (iy &* width &- padding &+ kx)
                        if stride == 1 {
                            for ox in inside { out[ox] = source[ox] }
                        } else {
                            for ox in inside { out[ox] = source[ox &* stride] }
                        }
                    }
                }
            }
        }
    }

    /// image[C, H, W] += the columns[K, P] scattered back to where im2col read them.
    func col2imAdding(_ columns: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>) {
        let (outHeight, outWidth, stride, padding) = (outHeight, outWidth, stride, padding)
        for c in 0..<channels {
            let plane = image + c * height * width
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let row = columns + ((c * kernel + ky) * kernel + kx) * outHeight * outWidth
                    let inside = insideColumns(kx: kx)
                    for oy in 0..<outHeight {
                        let iy = oy * stride - padding + ky
                        guard iy >= 0, iy < height else { continue }
                        let target = plane + iy * width - padding + kx
                        let source = row + oy * outWidth
                        if stride == 1 {
                            for ox in inside { target[ox] += source[ox] }
                        } else {
                            for ox in inside { target[ox &* stride] += source[ox] }
                        }
                    }
                }
            }
        }
    }
}
