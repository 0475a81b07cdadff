import Foundation
import Testing
@testable import LensData

@Suite struct SplitPlanTests {
    private let orlLabels = (0..<40).flatMap { [Int](repeating: $0, count: 10) }

    private func perClass(_ indices: [Int], _ labels: [Int]) -> [Int: Int] {
        Dictionary(grouping: indices, by: { labels[$0] }).mapValues(\.count)
    }

    @Test func orlIsExactlySixTwoTwoPerPerson() {
        let split = SplitPlan.orl.split(labels: orlLabels)
        #expect(split.train.count == 240 && split.validation.count == 80 && split.test.count == 80)
        for label in 0..<40 {
            #expect(perClass(split.train, orlLabels)[label] == 6)
            #expect(perClass(split.validation, orlLabels)[label] == 2)
            #expect(perClass(split.test, orlLabels)[label] == 2)
        }
    }

    @Test func partsAreDisjointSortedAndCoverEverything() {
        let labels = (0..<137).map { $0 % 5 }
        let split = SplitPlan.folder.split(labels: labels)
        let all = split.train + split.validation + split.test
        #expect(all.sorted() == Array(0..<137))
        #expect(Set(split.train).isDisjoint(with: split.test) && Set(split.validation).isDisjoint(with: split.test))
        #expect(split.train == split.train.sorted() && split.test == split.test.sorted())
    }

    @Test func folderPlanIsSeventyFifteenFifteenPerClass() {
        let labels = (0..<60).map { $0 / 20 }  // 3 classes of 20
        let split = SplitPlan.folder.split(labels: labels)
        for label in 0..<3 {
            #expect(perClass(split.train, labels)[label] == 14)
            #expect(perClass(split.validation, labels)[label] == 3)
            #expect(perClass(split.test, labels)[label] == 3)
        }
    }

    @Test func sameSeedSameSplitOtherSeedOtherSplit() {
        let first = SplitPlan.orl.split(labels: orlLabels)
        #expect(SplitPlan.orl.split(labels: orlLabels) == first)
        let other = SplitPlan.orl.withSeed(1).split(labels: orlLabels)
        #expect(other != first)
        #expect(other.test.count == first.test.count)
    }

    @Test func tinyClassesKeepOneForTraining() {
        let labels = [0, 0, 1, 1, 1, 2]
        let split = SplitPlan.folder.split(labels: labels)
        #expect(perClass(split.train, labels) == [0: 1, 1: 1, 2: 1])
        #expect(perClass(split.test, labels) == [0: 1, 1: 1])
        #expect(perClass(split.validation, labels) == [1: 1])
    }

    @Test func badFractionsAreRejected() {
        let plan = SplitPlan(trainFraction: 0.8, validationFraction: 0.3, testFraction: 0.1)
        #expect(errorMessage { try plan.validate() }
            == "invalid split: fractions train 0.8, validation 0.3, test 0.1 must each be in 0...1, sum to 1, with some training data")
        #expect(throws: Never.self) { try SplitPlan.folder.validate() }
    }

    @Test func codableRoundTrip() throws {
        let plan = SplitPlan.folder.withSeed(99)
        #expect(try JSONDecoder().decode(SplitPlan.self, from: JSONEncoder().encode(plan)) == plan)
    }
}
