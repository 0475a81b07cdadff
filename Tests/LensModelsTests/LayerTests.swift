import LensModels
import LensTensor
import Testing

/// Each layer's forward on values worked out independently, and the backward rules the
/// finite differences cannot see (ReLU modes, max-pool routing, dropout masks).
@Suite struct LayerTests {
    @Test(arguments: [(1, 0), (2, 0), (2, 2), (1, 1), (3, 2)])
    func convolutionMatchesTheDirectSum(stride: Int, padding: Int) throws {
        try checkConvolution(channels: 2, height: 7, width: 5, outChannels: 3, kernel: 3, batch: 2, stride: stride, padding: padding)
    }

    /// 32 filters on 14x14 positions, as in the W4 network: products past one register tile in
    /// every direction, and a batch split over the threads.
    @Test func convolutionOfTheW4KindMatchesTheDirectSum() throws {
        try checkConvolution(channels: 2, height: 14, width: 14, outChannels: 32, kernel: 3, batch: 3, stride: 1, padding: 1)
    }

    /// Rows of 35 and 37 positions: im2col's SIMD runs of 16 lanes and their masked tails.
    @Test(arguments: [(1, 3), (2, 1)])
    func convolutionOnLongRowsMatchesTheDirectSum(channels: Int, kernel: Int) throws {
        try checkConvolution(channels: channels, height: 4, width: 37, outChannels: 3, kernel: kernel, batch: 2,
                             stride: 1, padding: kernel == 3 ? 0 : 1)
    }

    /// 2x2 pooling on rows of 10 outputs (eight lanes, then an overlapping block), 8, 6 (four
    /// lanes, overlapping) and 3 (one by one), with ties and NaNs: values and routing match the
    /// scalar rule (first maximum wins, NaN wins).
    @Test(arguments: [21, 16, 13, 7])
    func maxPoolMatchesTheScalarRule(width: Int) throws {
        let (channels, height, outWidth) = (3, 6, width / 2)
        var network = try makeNetwork([channels, height, width], [.maxPool2d(kernel: 2), .flatten(),
                                                                  .linear(in: channels * 3 * outWidth, out: 2)])
        var input = randomTensor([2, channels, height, width], seed: 7)
        for i in stride(from: 0, to: input.count, by: 5) { input.scalars[i] = 0.25 }   // ties
        input.scalars[4 * width + 5] = .nan
        input.scalars[width * height + 2] = .nan
        let pooled = network.forward(input, capturing: ["pool1"]).activations["pool1"]!
        let seed = randomTensor(pooled.shape, seed: 8)
        let gradient = try network.backward(from: "pool1", outputGradient: seed).input
        var expectedGradient = [Float](repeating: 0, count: input.count)
        for plane in 0..<(2 * channels) {
            for oy in 0..<3 {
                for ox in 0..<outWidth {
                    let corner = plane * height * width + 2 * oy * width + 2 * ox
                    var best = corner
                    for candidate in [corner + 1, corner + width, corner + width + 1] {
                        let value = input.scalars[candidate]
                        if value > input.scalars[best] || value.isNaN { best = candidate }
                    }
                    let out = (plane * 3 + oy) * outWidth + ox
                    let actual = pooled.scalars[out], expected = input.scalars[best]
                    #expect(actual == expected || (actual.isNaN && expected.isNaN), "plane \(plane) y \(oy) x \(ox)")
                    expectedGradient[best] += seed.scalars[out]
                }
            }
        }
        #expect(gradient.scalars == expectedGradient)
    }

    private func checkConvolution(channels: Int, height: Int, width: Int, outChannels: Int, kernel: Int,
                                  batch: Int, stride: Int, padding: Int) throws {
        var network = try makeNetwork([channels, height, width], [
            .conv2d(in: channels, out: outChannels, kernel: kernel, stride: stride, padding: padding),
            .flatten(), .linear(in: outChannels * ((height + 2 * padding - kernel) / stride + 1)
                                     * ((width + 2 * padding - kernel) / stride + 1), out: 2),
        ])
        let input = randomTensor([batch, channels, height, width], seed: 1)
        let output = network.forward(input, capturing: ["conv1"]).activations["conv1"]!
        let weight = network.parameterDictionary["conv1.weight"]!, bias = network.parameterDictionary["conv1.bias"]!
        let (outHeight, outWidth) = (output.shape[2], output.shape[3])
        #expect(output.shape == [batch, outChannels, (height + 2 * padding - kernel) / stride + 1, (width + 2 * padding - kernel) / stride + 1])
        for n in 0..<batch {
            for o in 0..<outChannels {
                for oy in 0..<outHeight {
                    for ox in 0..<outWidth {
                        var sum = Double(bias.scalars[o])
                        for c in 0..<channels {
                            for ky in 0..<kernel {
                                for kx in 0..<kernel {
                                    let (y, x) = (oy * stride - padding + ky, ox * stride - padding + kx)
                                    guard y >= 0, y < height, x >= 0, x < width else { continue }
                                    sum += Double(weight.scalars[((o * channels + c) * kernel + ky) * kernel + kx])
                                        * Double(input.scalars[((n * channels + c) * height + y) * width + x])
                                }
                            }
                        }
                        let actual = output.scalars[((n * outChannels + o) * outHeight + oy) * outWidth + ox]
                        #expect(abs(Double(actual) - sum) < 1e-5, "n \(n) o \(o) y \(oy) x \(ox)")
                    }
                }
            }
        }
    }

    @Test func linearComputesXTimesWTransposedPlusBias() throws {
        var network = try makeNetwork([3], [.linear(in: 3, out: 2)])
        try network.load(parameters: ["fc1.weight": Tensor(shape: [2, 3], scalars: [1, 2, 3, -1, 0, 1]),
                                      "fc1.bias": Tensor(shape: [2], scalars: [0.5, -2])])
        let output = network.forward(Tensor(shape: [2, 3], scalars: [1, 1, 1, 2, 0, -1]))
        #expect(output.scalars == [6.5, -2, -0.5, -5])
    }

    @Test func maxPoolKeepsSwitchesAndRoutesByThemInEveryReLUMode() throws {
        // One 4x4 plane, 2x2 windows: maxima at known places, one tie (first wins, as PyTorch).
        var network = try makeNetwork([1, 4, 4], [.maxPool2d(kernel: 2), .flatten(), .linear(in: 4, out: 2)])
        let input = Tensor(shape: [1, 1, 4, 4], scalars: [
            1, 5, 0, 0,
            2, 3, 7, 7,
            -1, -2, 4, 0,
            -3, -4, 9, 8,
        ])
        let pooled = network.forward(input, capturing: ["pool1"]).activations["pool1"]!
        #expect(pooled.scalars == [5, 7, -1, 9])
        let seed = Tensor(shape: [1, 1, 2, 2], scalars: [10, -20, 30, -40])
        for mode in ReLUBackwardMode.allCases {
            let gradient = try network.backward(from: "pool1", outputGradient: seed, reluMode: mode).input
            #expect(gradient.scalars == [
                0, 10, 0, 0,
                0, 0, -20, 0,
                30, 0, 0, 0,
                0, 0, -40, 0,
            ], "mode \(mode)")
        }
    }

    @Test func overlappingPoolWindowsAddTheirGradients() throws {
        var network = try makeNetwork([1, 3, 3], [.maxPool2d(kernel: 2, stride: 1), .flatten(), .linear(in: 4, out: 2)])
        // The centre is the maximum of all four 2x2 windows: it receives all four gradients.
        _ = network.forward(Tensor(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 9, 5, 6, 7, 8]))
        let gradient = try network.backward(from: "pool1", outputGradient: Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])).input
        #expect(gradient.scalars == [0, 0, 0, 0, 10, 0, 0, 0, 0])
    }

    @Test func reluBackwardModes() throws {
        var network = try makeNetwork([4], [.relu(), .linear(in: 4, out: 2)])
        let forward = network.forward(Tensor(shape: [1, 4], scalars: [-1, 2, 3, -4]), capturing: ["relu1"])
        #expect(forward.activations["relu1"]!.scalars == [0, 2, 3, 0])
        let seed = Tensor(shape: [1, 4], scalars: [5, -6, 7, 8])
        let expected: [ReLUBackwardMode: [Float]] = [
            .gradient: [0, -6, 7, 0],   // R·[f > 0]
            .deconvnet: [5, 0, 7, 8],   // max(R, 0)
            .guided: [0, 0, 7, 0],      // R·[f > 0]·[R > 0]
        ]
        for mode in ReLUBackwardMode.allCases {
            #expect(try network.backward(from: "relu1", outputGradient: seed, reluMode: mode).input.scalars == expected[mode], "mode \(mode)")
        }
    }

    @Test func flattenKeepsChannelRowColumnOrder() throws {
        var network = try makeNetwork([2, 2, 3], [.flatten(), .linear(in: 12, out: 2)])
        let input = Tensor(shape: [1, 2, 2, 3], scalars: (0..<12).map(Float.init))
        let flat = network.forward(input, capturing: ["flatten"]).activations["flatten"]!
        #expect(flat.shape == [1, 12])
        #expect(flat.scalars == input.scalars)
        let back = try network.backward(from: "flatten", outputGradient: flat).input
        #expect(back.shape == [1, 2, 2, 3] && back.scalars == input.scalars)
    }

    @Test func dropoutIsInvertedSeededAndIdentityAtInference() throws {
        let probability: Float = 0.4
        let base = try makeNetwork([1000], [.dropout(probability: probability), .linear(in: 1000, out: 2)], seed: 9)
        let input = Tensor(shape: [2, 1000], repeating: 2)

        var network = base
        #expect(network.forward(input, capturing: ["drop1"]).activations["drop1"]! == input)
        #expect(try network.backward(from: "drop1", outputGradient: input).input == input)

        let trained = network.forward(input, capturing: ["drop1"], training: true).activations["drop1"]!
        let zeros = trained.scalars.filter { $0 == 0 }.count
        #expect(abs(Double(zeros) / 2000 - Double(probability)) < 0.05, "\(zeros) of 2000 dropped")
        #expect(trained.scalars.allSatisfy { $0 == 0 || abs($0 - 2 / (1 - probability)) < 1e-6 })
        // Backward multiplies by the same mask.
        let gradient = try network.backward(from: "drop1", outputGradient: Tensor(shape: [2, 1000], repeating: 1)).input
        #expect(zip(gradient.scalars, trained.scalars).allSatisfy { ($0 == 0) == ($1 == 0) })
        // A fresh mask each training forward, the same sequence from the same seed.
        let second = network.forward(input, capturing: ["drop1"], training: true).activations["drop1"]!
        #expect(second != trained)
        var again = base
        #expect(again.forward(input, capturing: ["drop1"], training: true).activations["drop1"]! == trained)
    }
}
