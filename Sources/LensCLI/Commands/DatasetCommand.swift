import ArgumentParser
import Foundation
import LensTensor
import LensData

struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Look at a dataset before training on it, or build one from a list of image URLs.",
        subcommands: [DatasetInfoCommand.self, DatasetFetchCommand.self])
}

struct DatasetInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Classes, counts, image sizes and unreadable files of a dataset.",
        discussion: """
        Examples:
          lens dataset info orl
          lens dataset info fashion-mnist
          lens dataset info ~/photos --json
        """)

    @Argument(help: "orl, fashion-mnist, or a folder with one subfolder of images per class.")
    var data: String

    @Flag(help: "Print the figures as JSON.")
    var json = false

    @OptionGroup var images: ImageOptions

    func run() throws {
        let info = try DatasetLoader.info(DatasetSource(argument: data), maxPixels: images.maxPixels)
        if json {
            try printJSON(Report(info))
            return
        }
        print("\(OneLine.escape(info.name)): \(info.imageCount) images, \(info.classNames.count) classes")
        let names = info.classNames.map(OneLine.escape)
        let width = max(5, names.map(\.count).max() ?? 5)
        for (name, count) in zip(names, info.countsPerClass).prefix(60) {
            print("  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + String(format: " %7d", count))
        }
        if info.classNames.count > 60 { print("  … \(info.classNames.count - 60) more classes") }
        print("image sizes: " + info.imageSizes.prefix(8).map { "\($0.shape) (\($0.count))" }.joined(separator: ", "))
        if !info.skipped.isEmpty {
            print("\(info.skipped.count) unreadable file(s), skipped:")
            for skipped in info.skipped { print("  \(ImageOptions.flagged(OneLine.escape(skipped.description)))") }
        }
    }

    struct Report: Encodable {
        struct ClassCount: Encodable { var name: String; var count: Int }
        struct SizeCount: Encodable { var width: Int; var height: Int; var channels: Int; var count: Int }
        struct Skipped: Encodable { var path: String; var reason: String }
        var name: String
        var images: Int
        var classes: [ClassCount]
        var sizes: [SizeCount]
        var skipped: [Skipped]

        init(_ info: DatasetInfo) {
            name = info.name
            images = info.imageCount
            classes = zip(info.classNames, info.countsPerClass).map { ClassCount(name: $0, count: $1) }
            sizes = info.imageSizes.map { SizeCount(width: $0.shape.width, height: $0.shape.height, channels: $0.shape.channels, count: $0.count) }
            skipped = info.skipped.map { Skipped(path: $0.path, reason: ImageOptions.flagged($0.reason)) }
        }
    }
}
