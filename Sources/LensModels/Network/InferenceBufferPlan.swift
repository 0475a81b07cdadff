import LensTensor

/// Which buffer each layer writes in an inference pass, worked out once per network from the
/// layers' lifetimes (a register allocation over the graph, as onnxruntime's memory planner does).
///
/// An inference pass keeps no activation after its last reader, so layers whose lifetimes do not
/// overlap can share a buffer. Sharing keeps the pass's activations in cache: MobileNetV2 writes
/// 28 MB of distinct outputs per image, which with its 14 MB of weights overflow the last-level
/// cache, so each layer read cold what the layer before had just written. A buffer is shared only
/// between outputs of the same size per item: `Tensor.prepare` zero-fills whatever it grows, so a
/// buffer serving a small output and then a large one would write the difference every pass.
struct InferenceBufferPlan: Sendable {
    /// slot[i]: the buffer layer i writes; nil for a view (its output is its input's storage).
    let slot: [Int?]
    let slotCount: Int
    /// views[i]: the views that alias layer i's output, directly or through other views.
    let views: [[Int]]

    /// `sources[i]`: layer i's inputs (−1 the network input); `itemSizes[i]`: its output's floats per
    /// item; `isView[i]`: whether its output may be its input's storage; `writtenAt[i]`: the layer that
    /// writes layer i's buffer (i, or the layer before for an activation fused into it, which must
    /// not write over that layer's input). The last layer's output outlives the pass (it is returned).
    init(sources: [[Int]], itemSizes: [Int], isView: [Bool], writtenAt: [Int]) {
        let count = sources.count
        // The layer whose storage each output is (a view's is its input's, followed down).
        var storage = Array(0..<count)
        var views = Array(repeating: [Int](), count: count)
        for index in 0..<count where isView[index] {
            guard let source = sources[index].first, source >= 0 else { continue }
            storage[index] = storage[source]
            views[storage[source]].append(index)
        }
        // A buffer lives until the last layer that reads it or any view of it.
        var lastRead = Array(0..<count)
        for (reader, reads) in sources.enumerated() {
            for source in reads where source >= 0 { lastRead[storage[source]] = max(lastRead[storage[source]], reader) }
        }
        if count > 0 { lastRead[storage[count - 1]] = count }
        // Greedy in layer order: the free buffer of the same item size, else a new one.
        var slot = Array(repeating: Int?.none, count: count)
        var slotSize: [Int] = [], freeFrom: [Int] = []   // a slot is free for layers after freeFrom
        for index in 0..<count where !isView[index] {
            let chosen = slotSize.indices.first { slotSize[$0] == itemSizes[index] && freeFrom[$0] < writtenAt[index] }
            let s = chosen ?? slotSize.count
            if chosen == nil { slotSize.append(itemSizes[index]); freeFrom.append(0) }
            slot[index] = s
            freeFrom[s] = lastRead[index]
        }
        (self.slot, self.slotCount, self.views) = (slot, slotSize.count, views)
    }
}
