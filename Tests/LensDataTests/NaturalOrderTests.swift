import Testing
@testable import LensData

/// Classes are shown as people count them (s1, s2 … s10), while a dataset's labels keep the byte
/// order its folders are listed in, the order model files record.
@Suite struct NaturalOrderTests {
    @Test func digitsCompareByValue() {
        let names = ["s10", "s2", "s1", "s11", "s3", "s20"]
        #expect(NaturalOrder.displayOrder(names).map { names[$0] } == ["s1", "s2", "s3", "s10", "s11", "s20"])
        #expect(NaturalOrder.precedes("img9.png", "img10.png"))
        #expect(!NaturalOrder.precedes("img10.png", "img9.png"))
        #expect(NaturalOrder.precedes("a", "b") && NaturalOrder.precedes("a", "a1") && !NaturalOrder.precedes("a1", "a"))
        #expect(NaturalOrder.precedes("s01", "s1"), "equal values fall back to the bytes, so the order is total")
        #expect(NaturalOrder.precedes("x99999999999999999999998", "x99999999999999999999999"), "numbers of any length")
        #expect(NaturalOrder.displayOrder(["T-shirt", "Trouser", "Bag"]) == [2, 0, 1])
        #expect(NaturalOrder.displayOrder([]) == [])
    }

    @Test func orlLabelsKeepTheirStoredOrderAndShowInNaturalOrder() throws {
        let data = try DatasetLoader.load(.orl, preprocessing: Preprocessing(size: 8))
        #expect(Array(data.classNames.prefix(3)) == ["s1", "s10", "s11"], "labels stay in byte order: old model files keep their classes")
        let shown = NaturalOrder.displayOrder(data.classNames).map { data.classNames[$0] }
        #expect(shown == (1...40).map { "s\($0)" })
    }
}
