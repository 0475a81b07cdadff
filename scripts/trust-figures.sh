#!/usr/bin/env bash
# Builds scripts/trust-figures/main.swift in release against this checkout (as a throwaway
# package outside the tree, so Package.swift stays as it is) and runs it.
# Usage: bash scripts/trust-figures.sh cnn|mlp|softmax [--data] [--per-method]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${TRUST_FIGURES_DIR:-${TMPDIR:-/tmp}/neurallens-trust-figures}"
identity="$(basename "$repo" | tr '[:upper:]' '[:lower:]')"
mkdir -p "$work/Sources/trust-figures"
cp "$repo/scripts/trust-figures/main.swift" "$work/Sources/trust-figures/main.swift"
cat > "$work/Package.swift" <<PACKAGE
// swift-tools-version: 6.0
import PackageDescription
let package = Package(
    name: "trust-figures",
    dependencies: [.package(path: "$repo")],
    targets: [.executableTarget(name: "trust-figures", dependencies: [.product(name: "NeuralLens", package: "$identity")])]
)
PACKAGE
swift build -c release --package-path "$work" >&2
"$work/.build/release/trust-figures" "$@"
