import Foundation
import LensData
import LensTestSupport
import Testing
@testable import LensCLI

@Suite("--max-pixels reaches every command that reads images, and the refusal names it")
struct ImageLimitTests {
    @Test func invalidLimitIsRefusedWhenParsing() {
        for command in [["dataset", "info", "orl"], ["train", "--model", "knn", "--out", "m.safetensors"],
                        ["evaluate", "--model", "m.safetensors"], ["predict", "--model", "m.safetensors", "x.png"]] {
            #expect(parseFailure(command + ["--max-pixels", "0"])?.contains("--max-pixels 0 is invalid: give a number of pixels of 1 or more") == true,
                    "\(command)")
        }
    }

    @Test func imagesOverTheLimitAreSkippedWithTheOptionNamed() throws {
        let scratch = try ScratchFolder()
        let data = try scratch.writePatternDataset(pngsPerClass: 2)
        let info = try parse(DatasetInfoCommand.self, ["dataset", "info", data, "--max-pixels", "2000"])
        #expect(info.images.maxPixels == 2000)
        // Only centre-rgb-70x56.jpg (3920 pixels) is over 2000.
        let report = try DatasetLoader.info(DatasetSource(argument: data), maxPixels: info.images.maxPixels)
        #expect(report.skipped.map(\.reason) == ["image is 70x56 = 3920 pixels, over the limit of 2000 pixels "
            + "(a decompression bomb? if not, raise the pixel limit)"], "the library names no flag")
        // The CLI tells the same reason with the flag that raises the limit.
        #expect(DatasetInfoCommand.Report(report).skipped.map(\.reason) == ["image is 70x56 = 3920 pixels, over the limit of 2000 pixels "
            + "(a decompression bomb? if not, raise the limit with --max-pixels)"])

        let train = try parse(TrainCommand.self, ["train", "--data", data, "--model", "knn", "--out", scratch.path("m.safetensors"),
                                                  "--max-pixels", "100"])
        let message = failureMessage { try train.train() }
        #expect(message?.contains("no image could be decoded") == true && message?.contains("raise the limit with --max-pixels") == true,
                "\(message ?? "no error")")
    }
}
