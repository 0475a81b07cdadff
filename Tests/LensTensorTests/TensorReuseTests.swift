import Testing
@testable import LensTensor

/// Buffers reused from batch to batch, the gather into them, and the finiteness check.
@Test func prepareKeepsStorageAndCapacityAcrossBatchSizes() {
    var buffer = Tensor.empty
    buffer.prepare(shape: [4, 3])
    #expect(buffer.shape == [4, 3] && buffer.count == 12)
    buffer.scalars.withUnsafeMutableBufferPointer { $0.update(repeating: 7) }
    let storage = buffer.scalars.withUnsafeBufferPointer { $0.baseAddress }
    buffer.prepare(shape: [2, 3])                  // a short last batch
    buffer.prepare(shape: [4, 3])                  // then full batches again
    #expect(buffer.scalars.withUnsafeBufferPointer { $0.baseAddress } == storage)
    #expect(buffer.shape == [4, 3] && buffer.count == 12)
}

@Test func preparingASharedBufferLeavesTheOtherCopyAlone() {
    var buffer = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
    let kept = buffer
    buffer.prepare(shape: [4])
    buffer.scalars.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    #expect(kept.scalars == [1, 2, 3, 4] && kept.shape == [2, 2])
    #expect(buffer.scalars == [0, 0, 0, 0] && buffer.shape == [4])
}

@Test func gatherIntoReusesTheDestinationAndChecksIndices() {
    let items = Tensor(shape: [4, 2], scalars: [0, 1, 10, 11, 20, 21, 30, 31])
    var batch = Tensor.empty
    items.gather([3, 0, 3], into: &batch)
    #expect(batch.shape == [3, 2] && batch.scalars == [30, 31, 0, 1, 30, 31])
    items.gather([1], into: &batch)
    #expect(batch.shape == [1, 2] && batch.scalars == [10, 11])
    #expect(items.gather([2, 1]).scalars == [20, 21, 10, 11])
}

@Test(arguments: [Float.nan, .infinity, -.infinity])
func allFiniteFindsANonFiniteValueAnywhere(bad: Float) {
    for count in [1, 15, 16, 17, 40] {
        for position in [0, count / 2, count - 1] {
            var scalars = (0..<count).map { Float($0) - 20 }
            #expect(Tensor(shape: [count], scalars: scalars).allFinite)
            scalars[position] = bad
            #expect(!Tensor(shape: [count], scalars: scalars).allFinite, "\(bad) at \(position) of \(count)")
        }
    }
    #expect(Tensor.empty.allFinite)
    #expect(Tensor(shape: [3], scalars: [Float.greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0]).allFinite)
}
