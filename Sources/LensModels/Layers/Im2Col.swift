import LensKernels
import LensTensor

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
    /// Other strides split the image's rows over `parts` threads (one image at a time, integrated
    /// gradients' batch of 1, would leave all but one core idle): each part clears and fills its own rows.
    func col2im(_ columns: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>,
                padded: UnsafeMutablePointer<Float>, parts: Int = 1) {
        guard usesPaddedCopy else {
            let (height, width, channels, parts) = (height, width, channels, max(1, min(parts, height)))
            return Parallel.run(parts: parts) { part in
                let rows = (height * part / parts)..<(height * (part + 1) / parts)
                for c in 0..<channels { (image + (c * height + rows.lowerBound) * width).update(repeating: 0, count: rows.count * width) }
                col2imAdding(columns, into: image, imageRows: rows)
            }
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

    /// The outputs o < `count` whose input o·stride − shift lies in `inputs`.
    private static func outputs(reading inputs: Range<Int>, shift: Int, stride: Int, count: Int) -> Range<Int> {
        func ceilDivide(_ a: Int, _ b: Int) -> Int { a <= 0 ? -((-a) / b) : (a + b - 1) / b }
        let first = max(0, ceilDivide(inputs.lowerBound + shift, stride))
        let end = min(count, max(0, ceilDivide(inputs.upperBound + shift, stride)))
        return first..<max(first, end)
    }

    /// The output columns ox whose input column ox·strideX − padLeft + kx·dilationX lies inside the image.
    private func insideColumns(kx: Int) -> Range<Int> {
        Self.outputs(reading: 0..<width, shift: window.padLeft - kx * window.dilationX, stride: window.strideX, count: outWidth)
    }

    /// The output rows oy whose input row oy·strideY − padTop + ky·dilationY lies in `imageRows`.
    private func outputRows(ky: Int, reading imageRows: Range<Int>) -> Range<Int> {
        Self.outputs(reading: imageRows, shift: window.padTop - ky * window.dilationY, stride: window.strideY, count: outHeight)
    }

    /// Stride-2 im2col runs at least this long go to LensKernels' SIMD gather; a call per shorter run
    /// (ResNet's 7- to 28-wide layers) measured slower than Swift's inline loop.
    static let shortestKernelRun = 32

    /// columns[K, P] from image[C, H, W]; positions in the padding read as 0. With `outputRows`, only
    /// the columns of those output rows: columns[K, outputRows.count · outWidth].
    func im2col(_ image: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>, outputRows: Range<Int>? = nil) {
        let outputRows = outputRows ?? 0..<outHeight
        let (outWidth, kernelHeight, kernelWidth) = (outWidth, window.kernelHeight, window.kernelWidth)
        let (firstRow, blockPositions) = (outputRows.lowerBound, outputRows.count * outWidth)
        let (strideY, strideX, dilationY, dilationX) = (window.strideY, window.strideX, window.dilationY, window.dilationX)
        let (top, left) = (window.padTop, window.padLeft)
        for c in 0..<channels {
            let plane = image + c * height * width
            for ky in 0..<kernelHeight {
                for kx in 0..<kernelWidth {
                    let row = columns + ((c * kernelHeight + ky) * kernelWidth + kx) * blockPositions
                    let inside = insideColumns(kx: kx)
                    for oy in outputRows {
                        let iy = oy &* strideY &- top &+ ky &* dilationY
                        let out = row + (oy &- firstRow) &* outWidth
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
                        } else if strideX == 2 && inside.count >= Self.shortestKernelRun {
                            lens_gather_stride2(source + 2 &* inside.lowerBound, out + inside.lowerBound, inside.count)
                        } else {
                            for ox in inside { out[ox] = source[ox &* strideX] }
                        }
                    }
                }
            }
        }
    }

    /// image[C, H, W] += the columns[K, P] scattered back to where im2col read them; with `imageRows`,
    /// only into those rows of each channel (so parts owning different rows never write the same floats).
    /// With `outputRows`, the columns are only those output rows' (columns[K, outputRows.count · outWidth]).
    func col2imAdding(_ columns: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>, imageRows: Range<Int>? = nil,
                      outputRows: Range<Int>? = nil) {
        let imageRows = imageRows ?? 0..<height, blockRows = outputRows ?? 0..<outHeight
        let (firstRow, blockPositions) = (blockRows.lowerBound, blockRows.count * outWidth)
        let (outHeight, outWidth, kernelHeight, kernelWidth) = (outHeight, outWidth, window.kernelHeight, window.kernelWidth)
        let (strideY, strideX, dilationY, dilationX) = (window.strideY, window.strideX, window.dilationY, window.dilationX)
        let (top, left) = (window.padTop, window.padLeft)
        for c in 0..<channels {
            let plane = image + c * height * width
            for ky in 0..<kernelHeight {
                for kx in 0..<kernelWidth {
                    let row = columns + ((c * kernelHeight + ky) * kernelWidth + kx) * blockPositions
                    let inside = insideColumns(kx: kx)
                    for oy in self.outputRows(ky: ky, reading: imageRows).clamped(to: blockRows) {
                        let iy = oy * strideY - top + ky * dilationY
                        let target = plane + iy * width - left + kx * dilationX
                        let source = row + (oy - firstRow) * outWidth
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
