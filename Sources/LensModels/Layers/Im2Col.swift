import LensKernels

/// The geometry of a convolution over one [C, H, W] image, and the two rearrangements that turn
/// it into a matrix product (Caffe's im2col / col2im).
///
/// Column matrix: K = C·kH·kW rows ordered (c, ky, kx) like a PyTorch weight [out, C, kH, kW],
/// P = outHeight·outWidth columns ordered (oy, ox). Input row of output row oy and kernel row ky:
/// oy·strideY − padTop + ky·dilationY (columns alike).
struct ConvolutionGeometry: Sendable, Equatable {
    var channels: Int
    var height: Int
    var width: Int
    var window: Window

    init(channels: Int, height: Int, width: Int, window: Window) {
        (self.channels, self.height, self.width, self.window) = (channels, height, width, window)
    }

    init(channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int) {
        self.init(channels: channels, height: height, width: width,
                  window: .square(kernel: kernel, stride: stride, padding: padding))
    }

    var outHeight: Int { window.outputHeight(height) ?? 0 }
    var outWidth: Int { window.outputWidth(width) ?? 0 }
    var rows: Int { channels * window.kernelHeight * window.kernelWidth }
    var positions: Int { outHeight * outWidth }
    var imageSize: Int { channels * height * width }

    /// Square kernel, stride 1, no dilation: the SIMD path through a zero-bordered copy.
    var usesPaddedCopy: Bool {
        window.strideY == 1 && window.strideX == 1 && window.dilationY == 1 && window.dilationX == 1
            && window.kernelHeight == window.kernelWidth
    }
    /// 1x1, stride 1, no padding: the image [C, H·W] is already the column matrix (no im2col).
    var isPointwise: Bool {
        window.kernelHeight == 1 && window.kernelWidth == 1 && window.strideY == 1 && window.strideX == 1
            && window.padTop == 0 && window.padLeft == 0 && window.padBottom == 0 && window.padRight == 0
    }
    var paddedHeight: Int { height + window.padTop + window.padBottom }
    var paddedWidth: Int { width + window.padLeft + window.padRight }

    /// Floats of the zero-bordered copy of an image that the stride-1 paths work in.
    var paddedImageSize: Int { channels * paddedHeight * paddedWidth }

    /// columns[K, P] from image[C, H, W]. Stride 1 with a square kernel (every layer of the
    /// lecture's networks) goes through a zero-bordered copy of the image in `padded`
    /// (`paddedImageSize` floats), so each run of the column matrix is one fixed-length copy with
    /// no bounds to work out, done by a SIMD kernel in LensKernels (masked AVX-512 moves where the
    /// CPU has them).
    func im2col(_ image: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>,
                padded: UnsafeMutablePointer<Float>) {
        guard usesPaddedCopy else { return im2col(image, into: columns) }
        pad(image, into: padded)
        lens_im2col_padded(padded, Int32(channels), Int32(paddedHeight), Int32(paddedWidth),
                           Int32(window.kernelHeight), Int32(outHeight), Int32(outWidth), columns)
    }

    /// image[C, H, W] = the columns[K, P] summed back to where im2col read them (the gradient at
    /// the image); stride 1 accumulates in the zero-bordered `padded` and copies the inside out.
    func col2im(_ columns: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>,
                padded: UnsafeMutablePointer<Float>) {
        guard usesPaddedCopy else {
            image.update(repeating: 0, count: imageSize)
            return col2imAdding(columns, into: image)
        }
        padded.update(repeating: 0, count: paddedImageSize)
        lens_col2im_padded(columns, Int32(channels), Int32(paddedHeight), Int32(paddedWidth),
                           Int32(window.kernelHeight), Int32(outHeight), Int32(outWidth), padded)
        forEachImageRow(padded: padded) { paddedRow, imageRow in (image + imageRow).update(from: paddedRow, count: width) }
    }

    /// Calls `body` with each image row's place in the zero-bordered copy and its offset in the image.
    @inline(__always)
    func forEachImageRow(padded: UnsafeMutablePointer<Float>, _ body: (UnsafeMutablePointer<Float>, Int) -> Void) {
        let (paddedHeight, paddedWidth, top, left) = (paddedHeight, paddedWidth, window.padTop, window.padLeft)
        for c in 0..<channels {
            for y in 0..<height {
                body(padded + ((c * paddedHeight + y + top) * paddedWidth + left), (c * height + y) * width)
            }
        }
    }

    /// The output columns ox whose input column ox·strideX − padLeft + kx·dilationX lies inside the image.
    private func insideColumns(kx: Int) -> Range<Int> {
        func ceilDivide(_ a: Int, _ b: Int) -> Int { a <= 0 ? -((-a) / b) : (a + b - 1) / b }
        let shift = window.padLeft - kx * window.dilationX
        let first = max(0, ceilDivide(shift, window.strideX))
        let end = min(outWidth, max(0, ceilDivide(width + shift, window.strideX)))
        return first..<max(first, end)
    }

    /// columns[K, P] from image[C, H, W]; positions in the padding read as 0.
    func im2col(_ image: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>) {
        let (outHeight, outWidth, kernelHeight, kernelWidth) = (outHeight, outWidth, window.kernelHeight, window.kernelWidth)
        let (strideY, strideX, dilationY, dilationX) = (window.strideY, window.strideX, window.dilationY, window.dilationX)
        let (top, left) = (window.padTop, window.padLeft)
        for c in 0..<channels {
            let plane = image + c * height * width
            for ky in 0..<kernelHeight {
                for kx in 0..<kernelWidth {
                    let row = columns + ((c * kernelHeight + ky) * kernelWidth + kx) * outHeight * outWidth
                    let inside = insideColumns(kx: kx)
                    for oy in 0..<outHeight {
                        let iy = oy &* strideY &- top &+ ky &* dilationY
                        let out = row + oy &* outWidth
                        // Plain loops, not memset/memmove calls: the runs are 0-2 and 14-28 floats.
                        guard iy >= 0, iy < height, !inside.isEmpty else {
                            for ox in 0..<outWidth { out[ox] = 0 }
                            continue
                        }
                        for ox in 0..<inside.lowerBound { out[ox] = 0 }
                        for ox in inside.upperBound..<outWidth { out[ox] = 0 }
                        let source = plane + (iy &* width &- left &+ kx &* dilationX)
                        if strideX == 1 {
                            for ox in inside { out[ox] = source[ox] }
                        } else {
                            for ox in inside { out[ox] = source[ox &* strideX] }
                        }
                    }
                }
            }
        }
    }

    /// image[C, H, W] += the columns[K, P] scattered back to where im2col read them.
    func col2imAdding(_ columns: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>) {
        let (outHeight, outWidth, kernelHeight, kernelWidth) = (outHeight, outWidth, window.kernelHeight, window.kernelWidth)
        let (strideY, strideX, dilationY, dilationX) = (window.strideY, window.strideX, window.dilationY, window.dilationX)
        let (top, left) = (window.padTop, window.padLeft)
        for c in 0..<channels {
            let plane = image + c * height * width
            for ky in 0..<kernelHeight {
                for kx in 0..<kernelWidth {
                    let row = columns + ((c * kernelHeight + ky) * kernelWidth + kx) * outHeight * outWidth
                    let inside = insideColumns(kx: kx)
                    for oy in 0..<outHeight {
                        let iy = oy * strideY - top + ky * dilationY
                        guard iy >= 0, iy < height else { continue }
                        let target = plane + iy * width - left + kx * dilationX
                        let source = row + oy * outWidth
                        if strideX == 1 {
                            for ox in inside { target[ox] += source[ox] }
                        } else {
                            for ox in inside { target[ox &* strideX] += source[ox] }
                        }
                    }
                }
            }
        }
    }
}
