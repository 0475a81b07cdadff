@testable import LensModels
import LensTensor
import Testing

/// Inference writes each layer's output into a buffer shared with layers whose outputs are dead by
/// then (`InferenceBufferPlan`): no buffer may hold two outputs alive at once, and `logits` must stay
/// the plain forward's, bit for bit.
@Suite struct InferenceBufferPlanTests {
    static let graphs = [
        "conv3x3x8,res3x3x8,res3x3x8,res3x3x16s2,res3x3x16,gap,fc6",   // skips read late, a flatten view
        "conv3x3x4,pool,conv3x3x4,conv3x3x4,pool,fc8,fc5",
    ]

    static func network(_ text: String, seed: UInt64 = 1) throws -> Network {
        Network(architecture: try Architecture.parse(text, inputShape: [1, 16, 16], classes: 4), seed: seed)
    }

    /// Replays the plan: when layer j takes a slot, nothing may still read what the slot holds
    /// (its last writer's output or a view of it) from the layer that writes j's output on.
    @Test(arguments: graphs) func noBufferHoldsTwoLiveOutputs(_ text: String) throws {
        let network = try Self.network(text)
        try expectNoBufferHoldsTwoLiveOutputs(network)
        #expect(network.bufferPlan.slotCount < network.layers.filter { !$0.outputMayAliasInput }.count, "nothing shared")
    }

    /// With a chain run by bands, its last output is written when its first layer runs.
    @Test func noBufferHoldsTwoLiveOutputsAroundABandedChain() throws {
        let network = try ExpandDepthwiseBandsTests.network(stride: 2)
        #expect(network.expandChains.contains { $0 != nil })
        try expectNoBufferHoldsTwoLiveOutputs(network)
    }

    private func expectNoBufferHoldsTwoLiveOutputs(_ network: Network) throws {
        let plan = network.bufferPlan, count = network.layers.count
        let sizes = network.architecture.layerOutputShapes.map { $0.reduce(1, *) }
        let isView = network.layers.map(\.outputMayAliasInput)
        // The outputs whose storage is layer i's: i and the views reading it, followed up.
        func sharers(of index: Int) -> Set<Int> {
            var result: Set<Int> = [index], grew = true
            while grew {
                grew = false
                for j in 0..<count where isView[j] && !result.contains(j) && network.sources[j].contains(where: result.contains) {
                    result.insert(j); grew = true
                }
            }
            return result
        }
        var owner: [Int: Int] = [:]
        for j in 0..<count {
            #expect((plan.slot[j] == nil) == isView[j])
            guard let slot = plan.slot[j] else { continue }
            if let previous = owner[slot] {
                #expect(sizes[previous] == sizes[j], "slot \(slot) shared by sizes \(sizes[previous]) and \(sizes[j])")
                // An activation alone reading the layer before (itself of one input) may be written by that layer.
                let fusable = j > 0 && network.sources[j] == [j - 1] && isClamp(network, j) && network.sources[j - 1].count == 1
                    && network.sources.joined().filter { $0 == j - 1 }.count == 1
                let chainStart = network.expandChains.indices.first { network.expandChains[$0]?.last == j }
                let writer = chainStart ?? (fusable ? j - 1 : j)
                let live = sharers(of: previous)
                let lateReaders = (writer..<count).filter { network.sources[$0].contains(where: live.contains) }
                #expect(lateReaders.isEmpty, "layer \(j) overwrites layer \(previous)'s output still read by \(lateReaders)")
                #expect(!live.contains(count - 1), "the returned output is overwritten")
            }
            owner[slot] = j
        }
    }

    private func isClamp(_ network: Network, _ index: Int) -> Bool {
        switch network.architecture.layers[index].operation {
        case .relu, .clip: true
        default: false
        }
    }

    @Test(arguments: graphs) func sharedBuffersGiveThePlainForwardsLogits(_ text: String) throws {
        let network = try Self.network(text, seed: 2)
        var kept: [(Tensor, [Float])] = []
        for (round, batch) in [1, 3, 1, 2, 3].enumerated() {
            let input = randomTensor([batch, 1, 16, 16], seed: UInt64(10 + round))
            var plain = network
            let logits = network.logits(input)
            #expect(logits == plain.forward(input), "batch \(batch), round \(round)")
            kept.append((logits, logits.scalars))
        }
        // A caller's logits are its own: later calls, writing the same buffers, leave them alone.
        for (logits, scalars) in kept { #expect(logits.scalars == scalars) }
    }
}
