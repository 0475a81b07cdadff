import LensModels
import LensTensor

/// Occlusion (Zeiler & Fergus 2014): a square window of a constant slides over the image (all
/// channels at once), and each position records how much the target logit drops.
///
/// `maps`: Captum's averaging, each pixel the mean over the windows covering it of
/// logit[target](x) − logit[target](x occluded) (0 where no window reaches, when the stride does
/// not tile the image). `auxiliary["occlusion_probability"]` [N, py, px]: the target's softmax
/// probability with the window at each position, and `auxiliary["occlusion_top_label"]`
/// [N, py, px]: the class predicted there (Zeiler & Fergus §4.2). The occluded copies go through
/// the network's inference path `batchSize` at a time.
struct Occlusion: Attributor {
    func attribute(_ network: inout Network, inputs: Tensor, targets: [Int], settings: AttributionSettings,
                   context: AttributionContext) throws -> AttributionResult {
        guard inputs.rank == 4 else {
            throw ExplainError.invalidInput("occlusion needs image inputs [channels, height, width]; these items are \(Array(inputs.shape.dropFirst()))")
        }
        let (items, channels, height, width) = (inputs.shape[0], inputs.shape[1], inputs.shape[2], inputs.shape[3])
        let window = settings.occlusionWindow, stride = settings.occlusionStride, side = min(height, width)
        for (name, value) in [("occlusion window", window), ("occlusion stride", stride)] where value > side {
            throw ExplainError.settingOutOfRange(setting: name, value: "\(value)",
                                                 allowed: "between 1 and \(side) (the images are \(height)x\(width))")
        }
        let rows = (height - window) / stride + 1, columns = (width - window) / stride + 1
        let positions = rows * columns, plane = height * width, itemSize = channels * plane
        let classes = network.architecture.classCount
        let logits = network.logits(inputs, batchSize: settings.batchSize)

        var drops = [Float](repeating: 0, count: items * plane)
        var probability = Tensor(shape: [items, rows, columns]), topLabel = Tensor(shape: [items, rows, columns])
        // Two buffers of occluded copies in turn: a network may keep the last batch it read.
        var batch = Tensor.empty, previous = Tensor.empty
        let total = items * positions
        var start = 0
        while start < total {
            let end = min(start + settings.batchSize, total)
            swap(&batch, &previous)
            batch.prepare(shape: [end - start, channels, height, width])
            for index in start..<end {
                let (item, position) = index.quotientAndRemainder(dividingBy: positions)
                let offset = (index - start) * itemSize
                batch.scalars.replaceSubrange(offset..<(offset + itemSize),
                                              with: inputs.scalars[(item * itemSize)..<((item + 1) * itemSize)])
                let (top, left) = (position / columns * stride, position % columns * stride)
                for channel in 0..<channels {
                    for y in top..<(top + window) {
                        let row = offset + channel * plane + y * width
                        for x in left..<(left + window) { batch.scalars[row + x] = settings.occlusionValue }
                    }
                }
            }
            let occluded = network.logits(batch, batchSize: settings.batchSize)
            let probabilities = SoftmaxCrossEntropy.probabilities(occluded), labels = occluded.argmaxRows()
            for index in start..<end {
                let (item, position) = index.quotientAndRemainder(dividingBy: positions)
                let row = (index - start) * classes, target = targets[item]
                let drop = context.score(logits, item: item, target: target)
                    - context.score(occluded, row: index - start, item: item, target: target)
                let (top, left) = (position / columns * stride, position % columns * stride)
                for y in top..<(top + window) {
                    for x in left..<(left + window) { drops[item * plane + y * width + x] += drop }
                }
                probability.scalars[index] = probabilities.scalars[row + target]
                topLabel.scalars[index] = Float(labels[index - start])
            }
            context.progress?(Double(end) / Double(total))
            start = end
        }

        let coverage = Self.coverage(height: height, width: width, window: window, stride: stride, rows: rows, columns: columns)
        var maps = Tensor(shape: inputs.shape)
        for item in 0..<items {
            for channel in 0..<channels {
                for pixel in 0..<plane where coverage[pixel] > 0 {
                    maps.scalars[item * itemSize + channel * plane + pixel] = drops[item * plane + pixel] / Float(coverage[pixel])
                }
            }
        }
        return AttributionResult(method: .occlusion, maps: maps, targets: targets, logits: logits,
                                 settings: ["window": "\(window)x\(window)", "stride": "\(stride)", "value": "\(settings.occlusionValue)"],
                                 auxiliary: ["occlusion_probability": probability, "occlusion_top_label": topLabel])
    }

    /// How many window positions cover each pixel of an image.
    private static func coverage(height: Int, width: Int, window: Int, stride: Int, rows: Int, columns: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: height * width)
        for row in 0..<rows {
            for column in 0..<columns {
                for y in (row * stride)..<(row * stride + window) {
                    for x in (column * stride)..<(column * stride + window) { counts[y * width + x] += 1 }
                }
            }
        }
        return counts
    }
}
