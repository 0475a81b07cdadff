import ArgumentParser
import LensData

/// The options of every command that reads image files: the one place the pixel limit is a flag.
struct ImageOptions: ParsableArguments {
    static let maxPixelsFlag = "--max-pixels"

    @Option(name: .customLong(String(maxPixelsFlag.dropFirst(2))), parsing: .unconditional,
            help: "Refuse images of more pixels than this, unread (decompression bombs); raise it for huge scans.")
    var maxPixels: Int = ImageDecoder.defaultMaxPixels

    func validate() throws {
        guard maxPixels >= 1 else {
            throw ValidationError("\(Self.maxPixelsFlag) \(maxPixels) is invalid: give a number of pixels of 1 or more "
                + "(default \(ImageDecoder.defaultMaxPixels))")
        }
    }

    /// `message` with the library's advice on the pixel limit told as the flag that raises it.
    static func flagged(_ message: String) -> String {
        message.replacingOccurrences(of: ImageDecoder.pixelLimitAdvice, with: "raise the limit with \(maxPixelsFlag)")
    }
}
