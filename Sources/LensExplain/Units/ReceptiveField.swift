import LensModels

/// The input region one position of a layer's output sees, worked out from the architecture.
///
/// Position i of the layer's output (along either axis; kernels are square) covers input rows
/// `i·jump + offset ..< i·jump + offset + size`. Each conv or pool layer with kernel k, stride s
/// and padding p maps (size, jump, offset) to (size + (k − 1)·jump, jump·s, offset − p·jump);
/// ReLU and dropout change nothing. Boxes can reach past the image border (padding); `box` clips.
public struct ReceptiveField: Codable, Sendable, Equatable {
    public var size: Int
    public var jump: Int
    public var offset: Int

    /// The receptive field of the output of the layer `layer` of `architecture`, a layer with a
    /// spatial output ([C, H, W]); dense layers see the whole image and have none.
    public init(layer: String, in architecture: Architecture) throws {
        guard let index = architecture.index(ofLayer: layer) else {
            throw NetworkError.unknownLayer(name: layer, layers: architecture.layerNames)
        }
        guard architecture.inputShape.count == 3, architecture.layerOutputShapes[index].count == 3 else {
            throw ExplainError.unsuitableLayer(method: "receptive field", layer: layer, problem: "its output has no spatial layout",
                                               suitable: Self.spatialLayers(of: architecture))
        }
        // Through a graph: each layer maps its inputs' fields; several inputs (a residual
        // addition, a concatenation) see the union of theirs.
        var fields: [ReceptiveField] = []
        for (spec, reads) in zip(architecture.layers[...index], architecture.layerInputs) {
            let inputs = reads.map { $0 < 0 ? ReceptiveField(size: 1, jump: 1, offset: 0) : fields[$0] }
            var field = inputs.dropFirst().reduce(inputs.first ?? ReceptiveField(size: 1, jump: 1, offset: 0)) { $0.union($1) }
            switch spec.operation {
            case let .conv2d(_, _, kernel, stride, padding):
                field = field.through(kernel: kernel, stride: stride, padding: padding)
            case let .maxPool2d(kernel, stride):
                field = field.through(kernel: kernel, stride: stride, padding: 0)
            case let .convolution(convolution):
                field = field.through(convolution.window)
            case let .maxPool(pooling), let .averagePool(pooling):
                field = field.through(pooling.window)
            case let .pad(top, _, _, _, _):
                field = field.through(kernel: 1, stride: 1, padding: top)
            default:
                break
            }
            fields.append(field)
        }
        self = fields[index]
    }

    /// Through a window of kernel k, stride s and padding p (square).
    private func through(kernel: Int, stride: Int, padding: Int) -> ReceptiveField {
        ReceptiveField(size: size + (kernel - 1) * jump, jump: jump * stride, offset: offset - padding * jump)
    }

    /// Through any window, taken square by its larger side (boxes are square).
    private func through(_ window: Window) -> ReceptiveField {
        let extent = max(window.dilationY * (window.kernelHeight - 1), window.dilationX * (window.kernelWidth - 1)) + 1
        return through(kernel: extent, stride: max(window.strideY, window.strideX), padding: max(window.padTop, window.padLeft))
    }

    /// The smallest field holding both.
    private func union(_ other: ReceptiveField) -> ReceptiveField {
        let start = min(offset, other.offset), end = max(offset + size, other.offset + other.size)
        return ReceptiveField(size: end - start, jump: max(jump, other.jump), offset: start)
    }

    init(size: Int, jump: Int, offset: Int) {
        self.size = size
        self.jump = jump
        self.offset = offset
    }

    /// Layers whose outputs keep a spatial layout (those that have a receptive field).
    public static func spatialLayers(of architecture: Architecture) -> [String] {
        guard architecture.inputShape.count == 3 else { return [] }
        return zip(architecture.layers, architecture.layerOutputShapes).filter { $0.1.count == 3 }.map(\.0.name)
    }

    /// The positions (along one axis of `count`) whose fields are centred in input rows
    /// `start ..< start + size`; the one nearest its middle when none is.
    public func positions(centredIn start: Int, size: Int, count: Int) -> Range<Int> {
        // position i's field is centred at offset + i·jump + (size − 1)/2
        func centre(_ i: Int) -> Double { Double(offset + i * jump) + Double(self.size - 1) / 2 }
        let inside = (0..<count).filter { centre($0) >= Double(start) && centre($0) < Double(start + size) }
        if let first = inside.first, let last = inside.last { return first..<(last + 1) }
        let middle = Double(start) + Double(size - 1) / 2
        let nearest = (0..<count).min { abs(centre($0) - middle) < abs(centre($1) - middle) } ?? 0
        return nearest..<min(nearest + 1, count)
    }

    /// The box seen by output position (`y`, `x`) in an image of `height` x `width`.
    public func box(y: Int, x: Int, height: Int, width: Int) -> PatchBox {
        PatchBox(fullTop: y * jump + offset, fullLeft: x * jump + offset, fullSize: size, imageHeight: height, imageWidth: width)
    }
}

/// A receptive field in an image: the whole box (which padding can put past the border) and the
/// part inside the image, which is what a patch shows.
public struct PatchBox: Codable, Sendable, Equatable {
    public var fullTop: Int
    public var fullLeft: Int
    public var fullSize: Int
    /// The box clipped to the image: rows top..<top + height, columns left..<left + width.
    public var top: Int
    public var left: Int
    public var height: Int
    public var width: Int

    public init(fullTop: Int, fullLeft: Int, fullSize: Int, imageHeight: Int, imageWidth: Int) {
        self.fullTop = fullTop
        self.fullLeft = fullLeft
        self.fullSize = fullSize
        top = min(max(fullTop, 0), imageHeight)
        left = min(max(fullLeft, 0), imageWidth)
        height = max(0, min(fullTop + fullSize, imageHeight) - top)
        width = max(0, min(fullLeft + fullSize, imageWidth) - left)
    }

    /// Whether the box lost anything to the image border.
    public var isClipped: Bool { height < fullSize || width < fullSize }

    public func contains(y: Int, x: Int) -> Bool { (top..<(top + height)).contains(y) && (left..<(left + width)).contains(x) }
}
