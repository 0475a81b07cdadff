import LensTensor

/// Joins its inputs along item axis `axis`: each item is `outer` blocks, each block the inputs'
/// runs one after the other (run k: the product of input k's shape from `axis` on). Backward
/// hands each input its runs back.
struct ConcatLayer: MultiInputLayer {
    let spec: LayerSpec
    let outputShape: [Int]
    let outer: Int
    let runs: [Int]

    init(spec: LayerSpec, axis: Int, operandShapes: [[Int]], outputShape: [Int]) {
        self.spec = spec
        self.outputShape = outputShape
        outer = operandShapes[0][..<axis].reduce(1, *)
        runs = operandShapes.map { $0[axis...].reduce(1, *) }
    }

    /// Calls body(operand, offset in the operand, offset in the output, run) for every run.
    private func forEachRun(batch: Int, _ body: (Int, Int, Int, Int) -> Void) {
        let block = runs.reduce(0, +)
        for b in 0..<(batch * outer) {
            var offset = b * block
            for (k, run) in runs.enumerated() {
                body(k, b * run, offset, run)
                offset += run
            }
        }
    }

    mutating func forward(inputs: [Tensor], into output: inout Tensor, training: Bool) {
        let batch = inputs[0].shape[0]
        output.prepare(shape: [batch] + outputShape)
        forEachRun(batch: batch) { k, from, to, run in
            for i in 0..<run { output.scalars[to + i] = inputs[k].scalars[from + i] }
        }
    }

    mutating func backward(inputs: [Tensor], output: Tensor, outputGradient: Tensor,
                           into inputGradients: inout [Tensor], context: BackwardContext) {
        guard context.needsInputGradient else { return }
        for k in inputs.indices { inputGradients[k].prepare(shape: inputs[k].shape) }
        forEachRun(batch: inputs[0].shape[0]) { k, to, from, run in
            for i in 0..<run { inputGradients[k].scalars[to + i] = outputGradient.scalars[from + i] }
        }
    }
}
