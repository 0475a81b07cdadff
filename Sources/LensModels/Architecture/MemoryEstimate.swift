import Foundation

/// About how much memory training or running a network takes, worked out from its architecture
/// before anything is allocated: a layer of 10⁸ units must be a clear refusal, not an abort in
/// the allocator after a minute of work.
public struct MemoryEstimate: Sendable, Equatable {
    public var parameters: Double
    /// Bytes for the parameters and what training keeps per parameter (gradient, Adam's two
    /// moments, the best and the last good weights): 6 copies of Float32.
    public var parameterBytes: Double
    /// Bytes for one batch of activations and their gradients, and a convolution's column matrix per thread.
    public var activationBytes: Double
    public var totalBytes: Double { parameterBytes + activationBytes }

    /// Copies of each parameter training holds: value, gradient, two Adam moments, best and last good weights.
    static let trainingCopies: Double = 6

    public init(_ architecture: Architecture, batchSize: Int, threads: Int = 2) {
        var parameters = 0.0, activations = 0.0, columns = 0.0
        for (index, layer) in architecture.layers.enumerated() {
            let input = architecture.inputShape(ofLayer: index).reduce(1.0) { $0 * Double($1) }
            let output = architecture.layerOutputShapes[index].reduce(1.0) { $0 * Double($1) }
            switch layer.operation {
            case let .linear(inFeatures, outFeatures):
                parameters += Double(inFeatures) * Double(outFeatures) + Double(outFeatures)
            case let .conv2d(inChannels, outChannels, kernel, _, _):
                parameters += Double(outChannels) * Double(inChannels) * Double(kernel * kernel) + Double(outChannels)
                let spatial = output / Double(max(outChannels, 1))
                columns = max(columns, Double(inChannels) * Double(kernel * kernel) * spatial * Double(threads))
            case let .convolution(convolution):
                // In Double, as the other cases: an architecture's sizes are not checked yet, and Int overflows.
                let weights = convolution.weightShape.reduce(1.0) { $0 * Double($1) }
                parameters += weights + (convolution.hasBias ? Double(convolution.outChannels) : 0)
                let spatial = output / Double(max(convolution.outChannels, 1))
                columns = max(columns, weights / Double(max(convolution.outChannels, 1)) * Double(convolution.groups) * spatial * Double(threads))
            case let .batchNorm(channels, _):
                parameters += 4 * Double(channels)
            default:
                break
            }
            activations += input + output
        }
        self.parameters = parameters
        parameterBytes = parameters * Self.trainingCopies * 4
        activationBytes = (activations * Double(max(batchSize, 1)) + columns) * 4
    }

    /// The memory a process may plan to use: three quarters of the machine's.
    public static var budgetBytes: Double { Double(ProcessInfo.processInfo.physicalMemory) * 0.75 }

    /// Throws when the estimate exceeds `budget`, saying both figures.
    public func check(budget: Double = MemoryEstimate.budgetBytes) throws {
        guard totalBytes > budget else { return }
        throw ModelRecipeError("this network needs about \(Self.format(totalBytes)) to train (\(Self.format(parameters, unit: "")) parameters: "
                               + "\(Self.format(parameterBytes)) with their gradients and optimizer state, \(Self.format(activationBytes)) of activations per batch); "
                               + "this machine allows \(Self.format(budget)) (3/4 of its memory): use fewer units or channels, or smaller batches or images")
    }

    /// "1.6 TB", "412 MB": decimal units, as disk and memory sizes are usually read.
    static func format(_ value: Double, unit: String = "B") -> String {
        let prefixes = ["", "k", "M", "G", "T", "P", "E"]
        var scaled = value, index = 0
        while scaled >= 1000 && index < prefixes.count - 1 { scaled /= 1000; index += 1 }
        let number = index == 0 || scaled >= 100 ? String(Int(scaled.rounded())) : String(format: "%.1f", scaled)
        return unit.isEmpty ? number + (index == 0 ? "" : " " + ["", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion"][index])
            : number + " " + prefixes[index] + unit
    }
}
