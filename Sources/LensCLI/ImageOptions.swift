import ArgumentParser
import LensData

/// The options of every command that reads image files: the one place the pixel limit is a flag.
struct ImageOptions: ParsableArguments {
    @Option(name: .customLong(String(ImageDecoder.maxPixelsOption.dropFirst(2))), parsing: .unconditional,
            help: "Refuse images of more pixels than this, unread (decompression bombs); raise it for huge scans.")
    var maxPixels: Int = ImageDecoder.defaultMaxPixels

    func validate() throws {
        guard maxPixels >= 1 else {
            throw ValidationError("\(ImageDecoder.maxPixelsOption) \(maxPixels) is invalid: give a number of pixels of 1 or more "
                + "(default \(ImageDecoder.defaultMaxPixels))")
        }
    }
}
