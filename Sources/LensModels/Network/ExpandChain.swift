/// A 1x1 layer's run of layers that inference runs by bands (`ExpandDepthwiseBands`): its clamp, the
/// depthwise layer, and that layer's clamp when it has one (`last`).
struct ExpandChain: Sendable {
    let depthwise: Int, last: Int
    let expandClamp: ClosedRange<Float>, depthwiseClamp: ClosedRange<Float>

    /// Per layer, the chain that starts there: a 1x1 layer whose clamp (`fusableClamp`) alone feeds a
    /// depthwise layer that `expandsByBands` accepts. `readers[i]`: how many operands read layer i's output.
    static func chains(layers: [any Layer], sources: [[Int]], readers: [Int],
                       fusableClamp: [ClosedRange<Float>?]) -> [ExpandChain?] {
        layers.indices.map { index in
            guard let clamp = fusableClamp[index], index + 2 < layers.count, sources[index + 2] == [index + 1],
                  readers[index + 1] == 1, let expand = layers[index] as? Conv2DLayer,
                  let depthwise = layers[index + 2] as? Conv2DLayer, expand.expandsByBands(into: depthwise) else { return nil }
            let after = fusableClamp[index + 2]
            return ExpandChain(depthwise: index + 2, last: after == nil ? index + 2 : index + 3, expandClamp: clamp,
                               depthwiseClamp: after ?? .unclamped)
        }
    }
}
