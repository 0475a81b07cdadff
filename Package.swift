// swift-tools-version: 6.0
import PackageDescription

// Layers, lowest first; each target may depend only on targets above it in this list.
// LensKernels (C SIMD) -> LensTensor -> LensData -> LensFetch -> LensModels -> LensONNX -> LensExplain -> LensRender
// -> LensStudio -> LensServer -> LensCLI -> lens
let package = Package(
    name: "NeuralLens",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lens", targets: ["lens"]),
        .executable(name: "lens-bench", targets: ["lens-bench"]),
        .library(name: "NeuralLens", targets: ["LensModels", "LensData", "LensTensor", "LensExplain", "LensRender"]),
        // For the libFuzzer harness in Fuzz/ (a package of its own, built by scripts/fuzz.sh).
        .library(name: "LensFuzzTargets", targets: ["LensFuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The library only: the ONNX message types are generated once (scripts/generate-onnx-proto.sh) and committed.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        // Named for the server's idle timeout (TimeAmount) and the fuzz target's in-process HTTP parser.
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        // `lens dataset fetch`: the photos of a list of image URLs.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // C: SIMD micro-kernels, chosen at run time by CPU feature.
        .target(name: "LensKernels", cSettings: [.define("_GNU_SOURCE")]),
        // System libraries for image and gzip decoding.
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"]), .brew(["jpeg-turbo"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // C: libjpeg reports errors by longjmp; this shim keeps setjmp out of Swift.
        .target(name: "CJPEGShim", dependencies: ["CJPEG"]),
        // C: the ORL faces compiled into the executable (#embed of the archive; provenance and checksums beside it).
        .target(name: "CORLFaces", exclude: ["orl-faces.tar.gz", "README.md", "SHA256SUMS"]),

        .target(name: "LensTensor", dependencies: ["LensKernels"]),
        .target(name: "LensData", dependencies: ["LensTensor", "CPNG", "CJPEGShim", "CZlib", "CORLFaces"]),
        // `lens dataset fetch`: a list of image URLs (FaceScrub's or a CSV) downloaded, checked, cropped into a class folder dataset.
        .target(name: "LensFetch", dependencies: [
            "LensData", "LensTensor",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .target(name: "LensModels", dependencies: ["LensTensor", "LensData", "LensKernels"]),
        // ONNX files opened as LensModels networks (Generated/: protoc output from onnx.proto3).
        .target(name: "LensONNX", dependencies: [
            "LensModels", "LensData", "LensTensor", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ], exclude: ["Generated/onnx.proto3"]),
        .target(name: "LensExplain", dependencies: ["LensModels", "LensTensor"]),
        .target(name: "LensRender", dependencies: ["LensExplain", "LensModels", "LensData", "LensTensor"]),
        // Services shared by the CLI and the web app: Codable results, progress callbacks, no flag names.
        .target(name: "LensStudio", dependencies: ["LensRender", "LensExplain", "LensONNX", "LensModels", "LensFetch", "LensData", "LensTensor"]),
        // Writes the web app's files into LensServer as Swift source at build time.
        .plugin(name: "EmbedWebFiles", capability: .buildTool()),
        // The local web app (`lens serve`): Hummingbird routes over LensStudio, its pages compiled in.
        .target(name: "LensServer", dependencies: [
            "LensStudio", "LensRender", "LensExplain", "LensData", "LensTensor",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], exclude: ["Resources/web"], plugins: ["EmbedWebFiles"]),
        .target(name: "LensCLI", dependencies: [
            "LensServer", "LensStudio", "LensRender", "LensExplain", "LensONNX", "LensModels", "LensFetch", "LensData", "LensTensor",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "lens", dependencies: ["LensCLI"]),
        // Above every layer (it drives LensServer's router too); nothing depends on it but the fuzz harness and its replay test.
        .target(name: "LensFuzzTargets", dependencies: [
            "LensServer", "LensStudio", "LensModels", "LensData", "LensTensor",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "lens-bench", dependencies: ["LensExplain", "LensONNX", "LensModels", "LensTensor", "LensData"],
                          resources: [.copy("peers.json")]),

        // The tests' one scratch-folder helper.
        .target(name: "LensTestSupport", path: "Tests/LensTestSupport"),
        .testTarget(name: "LensTensorTests", dependencies: ["LensTensor", "LensTestSupport"]),
        .testTarget(name: "LensDataTests", dependencies: ["LensData", "LensTestSupport"], resources: [.copy("Fixtures")]),
        // The conformance suite checks the fixtures' attr.* tensors through LensExplain's registry too.
        // A loopback Hummingbird server in the test process plays the web of image links.
        .testTarget(name: "LensFetchTests", dependencies: [
            "LensFetch", "LensData", "LensTensor", "LensTestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        .testTarget(name: "LensModelsTests", dependencies: ["LensModels", "LensExplain", "LensTestSupport"], resources: [.copy("Conformance"), .copy("PyTorchFixtures")]),
        .testTarget(name: "LensONNXTests", dependencies: ["LensONNX", "LensModels", "LensExplain", "LensTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "LensExplainTests", dependencies: ["LensExplain", "LensModels", "LensTestSupport"]),
        .testTarget(name: "LensRenderTests", dependencies: ["LensRender", "LensExplain", "LensData", "LensTestSupport"]),
        .testTarget(name: "LensCLITests", dependencies: ["LensCLI", "LensTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LensBenchTests", dependencies: ["lens-bench"]),
        .testTarget(name: "LensStudioTests", dependencies: ["LensStudio", "LensTestSupport"]),
        .testTarget(name: "LensServerTests", dependencies: ["LensServer", "LensStudio", "LensTestSupport"]),
        .testTarget(name: "LensFuzzTests", dependencies: ["LensFuzzTargets"]),
    ]
)
