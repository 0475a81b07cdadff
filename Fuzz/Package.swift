// swift-tools-version: 6.0
import PackageDescription

// The libFuzzer harness, kept out of the main package: built only by scripts/fuzz.sh with
// `-sanitize=fuzzer` (libFuzzer supplies `main`) and `-parse-as-library`. It drives the main
// package's `FuzzTarget` entry points, which `swift test` also replays the corpus through.
// A path dependency is named after its folder, whatever the checkout is called.
let root = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "NeuralLens"

let package = Package(
    name: "NeuralLensFuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(name: "lens-fuzz", dependencies: [.product(name: "LensFuzzTargets", package: root)], path: "Sources"),
    ]
)
