import Foundation
import LensTensor

/// Softmax and cross-entropy fused, computed from max-shifted logits so that no exponent overflows:
/// log p_c = z_c − m − log Σ_j exp(z_j − m), m = max_j z_j.
public enum SoftmaxCrossEntropy {
    /// Mean cross-entropy over the batch of `logits` [N, classes] and its gradient
    /// (softmax − one-hot(target)) / N.
    public static func lossAndGradient(logits: Tensor, targets: [Int]) -> (loss: Float, gradient: Tensor) {
        var gradient = Tensor(shape: logits.shape)
        let loss = lossAndGradient(logits: logits, targets: targets, into: &gradient)
        return (loss, gradient)
    }

    /// The same, writing the gradient into `gradient` (a buffer the training loop reuses).
    public static func lossAndGradient(logits: Tensor, targets: [Int], into gradient: inout Tensor) -> Float {
        precondition(logits.rank == 2 && logits.shape[0] == targets.count,
                     "logits \(logits.shape) need one target per row, got \(targets.count)")
        let (rows, classes) = (logits.shape[0], logits.shape[1])
        guard rows > 0 else { return 0 }
        gradient.prepare(shape: logits.shape)
        var total: Double = 0
        logits.scalars.withUnsafeBufferPointer { z in
            gradient.scalars.withUnsafeMutableBufferPointer { g in
                for row in 0..<rows {
                    let target = targets[row]
                    precondition(target >= 0 && target < classes, "target \(target) outside 0..<\(classes)")
                    let logits = z.baseAddress! + row * classes
                    let (logSum, shift) = logSumExp(logits, count: classes)
                    total += logSum - (Double(logits[target]) - shift)
                    for c in 0..<classes {
                        let p = exp(Double(logits[c]) - shift - logSum)
                        g[row * classes + c] = Float((p - (c == target ? 1 : 0)) / Double(rows))
                    }
                }
            }
        }
        return Float(total / Double(rows))
    }

    /// Mean cross-entropy only.
    public static func loss(logits: Tensor, targets: [Int]) -> Float {
        lossAndGradient(logits: logits, targets: targets).loss
    }

    /// Row-wise softmax of `logits` [N, classes].
    public static func probabilities(_ logits: Tensor) -> Tensor {
        precondition(logits.rank == 2, "softmax needs [N, classes], got \(logits.shape)")
        let (rows, classes) = (logits.shape[0], logits.shape[1])
        var result = Tensor(shape: logits.shape)
        logits.scalars.withUnsafeBufferPointer { z in
            result.scalars.withUnsafeMutableBufferPointer { p in
                for row in 0..<rows {
                    let logits = z.baseAddress! + row * classes
                    let (logSum, shift) = logSumExp(logits, count: classes)
                    for c in 0..<classes { p[row * classes + c] = Float(exp(Double(logits[c]) - shift - logSum)) }
                }
            }
        }
        return result
    }

    /// log Σ exp(z_j − m) and the shift m, in Double.
    private static func logSumExp(_ z: UnsafePointer<Float>, count: Int) -> (logSum: Double, shift: Double) {
        var maximum = -Double.infinity
        for c in 0..<count { maximum = max(maximum, Double(z[c])) }
        let shift = maximum.isFinite ? maximum : 0
        var sum: Double = 0
        for c in 0..<count { sum += exp(Double(z[c]) - shift) }
        return (log(sum), shift)
    }
}
