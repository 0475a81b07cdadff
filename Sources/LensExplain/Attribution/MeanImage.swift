import LensTensor

extension AttributionContext {
    /// The context whose `mean` baseline is the mean of `trainingImages` [N, ...item shape]: the one
    /// place the mean training image is computed (summed in Double, so that the order of a large
    /// training set does not change it), for `lens explain`, the reports and the web app alike.
    public init(meanOf trainingImages: Tensor) {
        let count = trainingImages.shape.first ?? 0
        guard count > 0 else { self.init(); return }
        let itemShape = Array(trainingImages.shape.dropFirst()), size = trainingImages.count / count
        var sum = [Double](repeating: 0, count: size)
        trainingImages.scalars.withUnsafeBufferPointer { values in
            for item in 0..<count {
                for i in 0..<size { sum[i] += Double(values[item * size + i]) }
            }
        }
        self.init(meanImage: Tensor(shape: itemShape, scalars: sum.map { Float($0 / Double(count)) }))
    }
}
