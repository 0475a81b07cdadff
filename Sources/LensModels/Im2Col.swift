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
                        let iy = oy * stride - padding + ky
                        let out = row + oy * outWidth
                        guard iy >= 0, iy < height, !inside.isEmpty else {
                            out.update(repeating: 0, count: outWidth)
                            continue
                        }
                        out.update(repeating: 0, count: inside.lowerBound)
                        (out + inside.upperBound).update(repeating: 0, count: outWidth - inside.upperBound)
                        let source = plane + iy * width - padding + kx
                        if stride == 1 {
                            // Runs are a row of the output (14 or 28 floats here): a loop the
                            // compiler vectorises beats a memmove call per run.
                            for ox in inside { out[ox] = source[ox] }
                        } else {
                            for ox in inside { out[ox] = source[ox * stride] }
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
