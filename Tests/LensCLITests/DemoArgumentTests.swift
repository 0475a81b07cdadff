import LensData
import Testing
@testable import LensCLI

/// `lens demo` names its dataset `--data` like every other command, and still takes `--dataset`;
/// its data flags are `lens train`'s (one option group), checked the same way.
@Suite struct DemoArgumentTests {
    @Test func dataAndItsOlderName() throws {
        #expect(try parse(DemoCommand.self, ["demo", "--data", "fashion-mnist"]).dataset == "fashion-mnist")
        #expect(try parse(DemoCommand.self, ["demo", "--dataset", "/tmp/photos"]).dataset == "/tmp/photos")
        #expect(try parse(DemoCommand.self, ["demo"]).dataset == "orl")
    }

    @Test func dataFlagsAreTrainsOwn() throws {
        let demo = try parse(DemoCommand.self, ["demo", "--size", "32", "--rgb", "--strict", "--seed", "7"])
        #expect(demo.dataOptions.size == 32 && demo.dataOptions.rgb && demo.dataOptions.strict && demo.seed == 7)
        #expect(try demo.dataOptions.preprocessing(for: .orl) == Preprocessing(size: 32, channels: 3))
        for command in [["demo"], ["train", "--model", "knn", "--out", "m.safetensors"]] {
            #expect(parseFailure(command + ["--size", "2"])?.contains("--size 2 is out of range: give an image side between 4 and 512 pixels") == true,
                    "\(command)")
        }
    }
}
