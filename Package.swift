// swift-tools-version: 6.0
import PackageDescription

// Layers, lowest first; each target may depend only on targets above it in this list.
// LensKernels (C SIMD) -> LensTensor -> LensData -> LensModels -> LensExplain -> LensRender -> LensCLI -> lens
let package = Package(
    name: "NeuralLens",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lens", targets: ["lens"]),
        .executable(name: "lens-bench", targets: ["lens-bench"]),
        .library(name: "NeuralLens", targets: ["LensModels", "LensData", "LensTensor", "LensRender"]),
        // For the libFuzzer harness in Fuzz/ (a package of its own, built by scripts/fuzz.sh).
        .library(name: "LensFuzzTargets", targets: ["LensFuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
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
        .target(name: "LensModels", dependencies: ["LensTensor", "LensData", "LensKernels"]),
        .target(name: "LensExplain", dependencies: ["LensModels"]),
        .target(name: "LensRender", dependencies: ["LensExplain", "LensModels", "LensData"]),
        .target(name: "LensCLI", dependencies: [
            "LensRender", "LensExplain", "LensModels", "LensData", "LensTensor",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "lens", dependencies: ["LensCLI"]),
        .target(name: "LensFuzzTargets", dependencies: ["LensModels", "LensData", "LensTensor"]),
        .executableTarget(name: "lens-bench", dependencies: ["LensModels", "LensTensor", "LensData"],
                          resources: [.copy("peers.json")]),

        .testTarget(name: "LensTensorTests", dependencies: ["LensTensor"]),
        .testTarget(name: "LensDataTests", dependencies: ["LensData"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LensModelsTests", dependencies: ["LensModels"], resources: [.copy("Conformance")]),
        .testTarget(name: "LensCLITests", dependencies: ["LensCLI"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LensBenchTests", dependencies: ["lens-bench"]),
        .testTarget(name: "LensFuzzTests", dependencies: ["LensFuzzTargets"]),
    ]
)
