import LensTensor

/// The activation buffers of an inference pass, reused along it: a layer whose output has been read for the
/// last time gives its buffer back, and the next layer to write takes it. MobileNetV2 at batch 1 wrote 28 MB
/// of activations a pass into buffers of their own, which with its 14 MB of weights no longer stayed in the
/// 32 MB L3: each layer's output missed in cache where a reused buffer is still there. The passes run the
/// same layers in the same order, so each buffer goes to the same layers every pass and, once grown to the
/// largest of them, is never reallocated.
struct ActivationPool: Sendable {
    private var free: [Tensor] = []

    /// For each layer of `range`, the outputs it is the last in the range to read (in order of the layers that
    /// wrote them); the outputs read by a view (`keeping`: it shares their storage) and the last layer's are
    /// never given back.
    static func lastReads(_ sources: [[Int]], layers range: Range<Int>, keeping: [Bool]) -> [Int: [Int]] {
        var last: [Int: Int] = [:]
        for index in range {
            for source in sources[index] where source >= range.lowerBound {
                last[source] = keeping[index] || last[source] == Int.max ? Int.max : index
            }
        }
        last[range.upperBound - 1] = nil
        var byReader: [Int: [Int]] = [:]
        for (source, reader) in last where reader != Int.max { byReader[reader, default: []].append(source) }
        return byReader.mapValues { $0.sorted() }
    }

    /// Swaps a free buffer into `output` (its old one, if any, joins the free ones).
    mutating func lend(into output: inout Tensor) {
        guard let buffer = free.popLast() else { return }
        if !output.scalars.isEmpty { free.insert(output, at: 0) }
        output = buffer
    }

    /// Takes back the outputs that layer `reader` was the last to read.
    mutating func release(readBy reader: Int, _ lastReads: [Int: [Int]], from outputs: inout [Tensor]) {
        for source in lastReads[reader] ?? [] where !outputs[source].scalars.isEmpty {
            free.append(outputs[source])
            outputs[source] = .empty
        }
    }
}
