/// A window sliding over the two spatial axes: kernel, stride, dilation and the four pads, each
/// per axis (ONNX's `kernel_shape`, `strides`, `dilations`, `pads` = [top, left, bottom, right]).
public struct Window: Sendable, Equatable {
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideY: Int = 1
    public var strideX: Int = 1
    public var dilationY: Int = 1
    public var dilationX: Int = 1
    public var padTop: Int = 0
    public var padLeft: Int = 0
    public var padBottom: Int = 0
    public var padRight: Int = 0
    /// Pooling only: the last window may start inside the right/bottom padding (ONNX `ceil_mode`).
    public var ceilMode = false

    public init(kernelHeight: Int, kernelWidth: Int, strideY: Int = 1, strideX: Int = 1,
                dilationY: Int = 1, dilationX: Int = 1, pads: [Int] = [0, 0, 0, 0], ceilMode: Bool = false) {
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideY = strideY
        self.strideX = strideX
        self.dilationY = dilationY
        self.dilationX = dilationX
        (padTop, padLeft, padBottom, padRight) = (pads[0], pads[1], pads[2], pads[3])
        self.ceilMode = ceilMode
    }

    /// A square window with the same stride and padding on every side (the JSON form's layers).
    public static func square(kernel: Int, stride: Int, padding: Int) -> Window {
        Window(kernelHeight: kernel, kernelWidth: kernel, strideY: stride, strideX: stride,
               pads: [padding, padding, padding, padding])
    }

    var isValid: Bool {
        [kernelHeight, kernelWidth, strideY, strideX, dilationY, dilationX].allSatisfy { $0 > 0 }
            && [padTop, padLeft, padBottom, padRight].allSatisfy { $0 >= 0 }
    }

    /// Output positions along one axis: ⌊(size + pads − dilation·(k − 1) − 1) / stride⌋ + 1, or
    /// the ceiling with `ceilMode`, where (as PyTorch) a window must start inside the input or the
    /// leading pad. Nil when the window does not fit once.
    static func outputCount(size: Int, kernel: Int, stride: Int, dilation: Int, padBefore: Int, padAfter: Int,
                            ceilMode: Bool) -> Int? {
        let span = dilation * (kernel - 1) + 1
        let room = size + padBefore + padAfter - span
        guard room >= 0 else { return nil }
        var count = (ceilMode ? (room + stride - 1) / stride : room / stride) + 1
        if ceilMode, (count - 1) * stride >= size + padBefore { count -= 1 }
        return count
    }

    func outputHeight(_ height: Int) -> Int? {
        Self.outputCount(size: height, kernel: kernelHeight, stride: strideY, dilation: dilationY,
                         padBefore: padTop, padAfter: padBottom, ceilMode: ceilMode)
    }

    func outputWidth(_ width: Int) -> Int? {
        Self.outputCount(size: width, kernel: kernelWidth, stride: strideX, dilation: dilationX,
                         padBefore: padLeft, padAfter: padRight, ceilMode: ceilMode)
    }

    var summary: String {
        "kernel \(kernelHeight)x\(kernelWidth), stride \(strideY)x\(strideX), dilation \(dilationY)x\(dilationX), "
            + "pads [\(padTop), \(padLeft), \(padBottom), \(padRight)]"
    }
}

/// A general 2-D convolution: W [out, in/groups, kH, kW], an optional bias [out].
public struct Convolution: Sendable, Equatable {
    public var inChannels: Int
    public var outChannels: Int
    public var groups: Int
    public var window: Window
    public var hasBias: Bool

    public init(inChannels: Int, outChannels: Int, groups: Int = 1, window: Window, hasBias: Bool = true) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.groups = groups
        self.window = window
        self.hasBias = hasBias
    }

    public var weightShape: [Int] { [outChannels, inChannels / max(groups, 1), window.kernelHeight, window.kernelWidth] }

    /// One group, no dilation, and the same kernel size, stride and padding on both axes and every side:
    /// what the JSON form of an architecture can write.
    var isSquareAndSymmetric: Bool {
        let w = window
        return groups == 1 && w.kernelHeight == w.kernelWidth && w.strideY == w.strideX && w.dilationY == 1 && w.dilationX == 1
            && Set([w.padTop, w.padLeft, w.padBottom, w.padRight]).count == 1 && !w.ceilMode
    }
}

/// A pooling window; `countIncludePad` is average pooling's divisor rule (ONNX `count_include_pad`).
public struct Pooling: Sendable, Equatable {
    public var window: Window
    public var countIncludePad: Bool

    public init(window: Window, countIncludePad: Bool = false) {
        self.window = window
        self.countIncludePad = countIncludePad
    }
}
