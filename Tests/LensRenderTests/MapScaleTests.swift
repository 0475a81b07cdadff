import LensTensor
import Testing
@testable import LensRender

@Suite("Colormaps, scales, reductions and map health")
struct MapScaleTests {
    @Test("the diverging map is white in the middle, blue below and red above; the sequential one runs dark to light")
    func colormaps() {
        #expect(Colormap.diverging.color(at: 0.5) == RGB(hex: 0xf7f6f6))
        let low = Colormap.diverging.color(at: 0), high = Colormap.diverging.color(at: 1)
        #expect(low.blue > low.red && high.red > high.blue)
        #expect(Colormap.diverging.color(at: -3) == low && Colormap.diverging.color(at: 7) == high)
        // Halfway between anchors 0 and 1 is their average.
        let mid = Colormap.sequential.color(at: 0.5 / 32), a = RGB(hex: 0x000004), b = RGB(hex: 0x040312)
        #expect(abs(mid.red - (a.red + b.red) / 2) < 1e-6 && abs(mid.blue - (a.blue + b.blue) / 2) < 1e-6)
        let brightness = stride(from: Float(0), through: 1, by: 0.125).map { t -> Float in
            let c = Colormap.sequential.color(at: t); return c.red + c.green + c.blue
        }
        #expect(brightness == brightness.sorted())
        #expect(RGB(hex: 0x0a80ff).css == "#0a80ff")
    }

    @Test("a signed scale is ±max|v| over every map it is fitted to; positions put zero in the middle")
    func sharedSignedScale() {
        let small = Tensor(shape: [2, 2], scalars: [0.1, -0.2, 0.05, 0])
        let large = Tensor(shape: [2, 2], scalars: [1, -4, 2, 0.5])
        let scale = MapScale.fitting([small, large], kind: .signed, robust: false)
        #expect(scale == MapScale(kind: .signed, bound: 4))
        #expect(scale.position(of: 0) == 0.5 && scale.position(of: -4) == 0 && scale.position(of: 2) == 0.75)
        #expect(scale.position(of: 9) == 1 && scale.strength(of: -2) == 0.5)
        let magnitude = MapScale.fitting([small], kind: .magnitude, robust: false)
        #expect(magnitude.bound == 0.2 && magnitude.range == (0, 0.2) && magnitude.position(of: 0.1) == 0.5)
    }

    @Test("robust: one hot pixel does not set the scale; a sparse map falls back to its largest value")
    func robustScale() {
        var values = (0..<1000).map { Float($0 % 10) / 10 - 0.45 }  // |v| at most 0.45
        values[500] = 1000
        let scale = MapScale.fitting([Tensor(shape: [1000], scalars: values)], kind: .signed)
        #expect(scale.bound <= 0.45 && scale.bound > 0.3)
        #expect(scale.isRobust)
        #expect(MapScale.fitting([Tensor(shape: [1000], scalars: values)], kind: .signed, robust: false).bound == 1000)

        var sparse = [Float](repeating: 0, count: 1000)
        sparse[3] = 0.25
        let sparseScale = MapScale.fitting([Tensor(shape: [1000], scalars: sparse)], kind: .magnitude)
        #expect(sparseScale.bound == 0.25 && !sparseScale.isRobust)
    }

    @Test("NaN and infinite values do not enter a scale; no finite non-zero value gives bound 1")
    func nonFiniteValuesAreIgnored() {
        let scale = MapScale.fitting([Tensor(shape: [3], scalars: [.nan, .infinity, -0.5])], kind: .signed, robust: false)
        #expect(scale.bound == 0.5)
        #expect(MapScale.fitting([Tensor(shape: [2], scalars: [0, 0])], kind: .signed).bound == 1)
        #expect(MapScale(kind: .magnitude, bound: .nan).bound == 1)
    }

    @Test("percentile interpolates linearly between ranks, as numpy.percentile does")
    func percentile() {
        var values: [Float] = [4, 1, 3, 2, 5]
        #expect(MapScale.percentile(&values, 50) == 3)
        #expect(abs(MapScale.percentile(&values, 90) - 4.6) < 1e-5)
    }

    @Test("health: NaN, infinities, flat and empty maps are named; a varying map is healthy")
    func health() {
        #expect(MapHealth(values: [0, 1, 2]) == .healthy)
        #expect(MapHealth(values: [0.5, 0.5]) == .constant(0.5))
        #expect(MapHealth(values: [0.5, 0.5]).problem == "no map: all values equal (0.5)")
        #expect(MapHealth(values: [1, .nan, .nan, 2]).problem == "no map: NaN in 2 of 4 values")
        #expect(MapHealth(values: [1, .nan, -.infinity]).problem == "no map: NaN in 1 and ±∞ in 1 of 3 values")
        #expect(MapHealth(values: [.nan, .nan]) == .nonFinite(nan: 2, infinite: 0, count: 2))
        #expect(MapHealth(values: []) == .empty && !MapHealth(values: []).isDrawable)
        #expect(MapHealth(values: [0, 0, 0]).problem == "no map: all values equal (0)")
    }

    @Test("channel reductions: max |v| drops the sign, sum and mean keep it; NaN survives")
    func reductions() throws {
        let map = Tensor(shape: [2, 1, 3], scalars: [1, -2, 0.5, -3, 1, 0.5])
        #expect(try ChannelReduction.maxAbsolute.reduce(map) == Tensor(shape: [1, 3], scalars: [3, 2, 0.5]))
        #expect(try ChannelReduction.sum.reduce(map) == Tensor(shape: [1, 3], scalars: [-2, -1, 1]))
        #expect(try ChannelReduction.mean.reduce(map) == Tensor(shape: [1, 3], scalars: [-1, -0.5, 0.5]))
        #expect(try ChannelReduction.maxAbsolute.reduce(Tensor(shape: [1, 2], scalars: [-1, 2])).scalars == [1, 2])
        let withNaN = Tensor(shape: [2, 1, 1], scalars: [.nan, 1])
        #expect(try ChannelReduction.maxAbsolute.reduce(withNaN).scalars[0].isNaN)
        #expect(try ChannelReduction.sum.reduce(withNaN).scalars[0].isNaN)
        #expect(throws: MapRenderError.self) { try ChannelReduction.sum.reduce(Tensor(shape: [4], scalars: [1, 2, 3, 4])) }
        #expect(ChannelReduction.maxAbsolute.scaleKind == .magnitude && ChannelReduction.sum.scaleKind == .signed)
    }

    @Test("numbers on legends: three significant digits, a real minus sign, exponents for tiny values")
    func numbers() {
        #expect(MapNumber.format(0.012345) == "0.0123")
        #expect(MapNumber.format(-2.5) == "−2.5")
        #expect(MapNumber.format(1234) == "1234")
        #expect(MapNumber.format(0.00001) == "1.00e−05")
        #expect(MapNumber.format(0) == "0")
    }

    @Test("a logarithmic scale: each power of ten an equal step, zero below its last decade, symmetric about zero")
    func logarithmic() {
        let scale = MapScale(kind: .signed, bound: 10).logarithmic(decades: 4)
        #expect(scale.strength(of: 10) == 1 && scale.strength(of: 50) == 1)
        #expect(abs(scale.strength(of: 1) - 0.75) < 1e-6 && abs(scale.strength(of: -0.01) - 0.25) < 1e-6)
        #expect(scale.strength(of: 0.001) == 0 && scale.strength(of: 1e-9) == 0 && scale.strength(of: 0) == 0)
        #expect(abs(scale.position(of: 1) - 0.875) < 1e-6 && abs(scale.position(of: -1) - 0.125) < 1e-6 && scale.position(of: 0) == 0.5)
        #expect(abs(scale.value(atStrength: 0.5) - 0.1) < 1e-6 && scale.value(atStrength: 0) == 0)
        let magnitudes = MapScale(kind: .magnitude, bound: 1).logarithmic(decades: 2)
        #expect(abs(magnitudes.position(of: 0.1) - 0.5) < 1e-6 && magnitudes.position(of: -3) == 0)
        // A linear scale is unchanged; its colour bar marks half the bound, a logarithmic one a decade down.
        #expect(MapScale(kind: .signed, bound: 10).position(of: 5) == 0.75)
        #expect(ColorBar.svg(magnitudes, label: "m").contains(">0.1<") && ColorBar.svg(scale, label: "s").contains(">−1<"))
        #expect(AttributionRow.colorBarLabel("every map", scale).contains("logarithmic over 4 powers of ten, |v| below 0.001 drawn as zero"))
    }
}
