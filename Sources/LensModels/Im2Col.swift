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

    /// columns[K, P] from image[C, H, W]; positions in the padding read as 0.
    func im2col(_ image: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>) {
        let outHeight = outHeight, outWidth = outWidth
        for c in 0..<channels {
            let plane = image + c * height * width
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let row = columns + ((c * kernel + ky) * kernel + kx) * outHeight * outWidth
                    for oy in 0..<outHeight {
                        let iy = oy * stride - padding + ky
                        let out = row + oy * outWidth
                        guard iy >= 0, iy < height else {
                            out.update(repeating: 0, count: outWidth)
                            continue
                        }
                        let source = plane + iy * width
                        for ox in 0..<outWidth {
                            let ix = ox * stride - padding + kx
                            out[ox] = ix >= 0 && ix < width ? source[ix] : 0
                        }
                    }
                }
            }
        }
    }

    /// image[C, H, W] += the columns[K, P] scattered back to where im2col read them.
    func col2imAdding(_ columns: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>) {
        let outHeight = outHeight, outWidth = outWidth
        for c in 0..<channels {
            let plane = image + c * height * width
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let row = columns + ((c * kernel + ky) * kernel + kx) * outHeight * outWidth
                    for oy in 0..<outHeight {
                        let iy = oy * stride - padding + ky
                        guard iy >= 0, iy < height else { continue }
                        let target = plane + iy * width
                        let source = row + oy * outWidth
                        for ox in 0..<outWidth {
                            let ix = ox * stride - padding + kx
                            if ix >= 0 && ix < width { target[ix] += source[ox] }
                        }
                    }
                }
            }
        }
    }
}
