import LensKernels

/// The direct path of a convolution (LensKernels' `lens_conv_direct_padded`): for stride 1 and
/// few rows per group (C/G·k·k ≤ `directRowLimit`: a first layer on gray or RGB images, a
/// depthwise layer), where im2col + GEMM is mostly memory traffic (the column matrix is k·k copies
/// of the image, K too short to pay for packing). Same sums, in another order.
extension ConvolutionGeometry {
    /// Rows per group up to which the direct kernel runs: 3·3·3 (an RGB 3x3 layer); 5·5 (W4's first) is below.
    static let directRowLimit = 27

    func runsDirect(groups: Int) -> Bool { usesPaddedCopy && rows / groups <= Self.directRowLimit }

    /// image[C, H, W] copied into the middle of the zero-bordered `padded` (`paddedImageSize` floats).
    func pad(_ image: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
        padded.update(repeating: 0, count: paddedImageSize)
        forEachImageRow(padded: padded) { paddedRow, imageRow in paddedRow.update(from: image + imageRow, count: width) }
    }

    /// y[out, P] = relu?(b + W ⋆ image) per group, from the zero-bordered image `pad` wrote.
    /// `kernel` picks LensKernels' variant (tests compare them).
    func convolveDirect(padded: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                        outChannels: Int, groups: Int, into y: UnsafeMutablePointer<Float>, relu: Bool,
                        kernel: DirectKernel = .chosen) {
        let groupChannels = channels / groups, groupOut = outChannels / groups, groupRows = rows / groups
        let plane = paddedImageSize / channels
        for g in 0..<groups {
            lens_conv_direct_padded(padded + g * groupChannels * plane, Int32(groupChannels), Int32(paddedHeight),
                                    Int32(paddedWidth), Int32(window.kernelHeight), Int32(outHeight), Int32(outWidth),
                                    weight + g * groupOut * groupRows, bias + g * groupOut, Int32(groupOut), y + g * groupOut * positions,
                                    relu ? 1 : 0, kernel.level)
        }
    }
}

/// Which of LensKernels' variants a kernel call runs: the widest the CPU allows, or a named one.
enum DirectKernel: Sendable, CaseIterable {
    case chosen, portable, avx2, avx512

    var level: Int32 {
        switch self {
        case .chosen: Int32(LENS_LEVEL_CHOSEN)
        case .portable: Int32(LENS_LEVEL_PORTABLE)
        case .avx2: Int32(LENS_LEVEL_AVX2)
        case .avx512: Int32(LENS_LEVEL_AVX512)
        }
    }
}
