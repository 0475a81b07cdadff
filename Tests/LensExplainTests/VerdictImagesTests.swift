import Testing
@testable import LensExplain

/// A verdict over too few images says so instead of passing or failing.
@Suite struct VerdictImagesTests {
    /// A top step whose maps kept their ranking (`kept`) or reversed it.
    static func step(kept: Bool) -> RandomisationStep {
        let map = (0..<16).map(Float.init)
        return RandomisationStep(layer: "fc", randomisedLayers: ["fc"],
                                 agreement: MapAgreement([map], [kept ? map : map.reversed()], height: 4, width: 4))
    }

    @Test func randomisationVerdictNeedsEnoughImages() {
        let few = RandomisationVerdict(topStep: Self.step(kept: false), threshold: 0.5, images: TrustSettings.minimumVerdictImages - 1)
        #expect(few.outcome == .undetermined)
        #expect(few.withheld?.contains("too few images") == true && few.words.contains("too few images"))
        #expect(few.topStepSpearman != nil, "the figure measured is still shown")
        let enough = RandomisationVerdict(topStep: Self.step(kept: false), threshold: 0.5, images: TrustSettings.minimumVerdictImages)
        #expect(enough.outcome == .passed && enough.withheld == nil && enough.words == "passed")
        let failing = RandomisationVerdict(topStep: Self.step(kept: true), threshold: 0.5, images: 32)
        #expect(failing.outcome == .failed)
    }
}
