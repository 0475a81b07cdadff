#!/bin/sh
# Regenerates Sources/LensONNX/Generated/onnx.pb.swift from onnx.proto3 beside it (ONNX 1.23,
# github.com/onnx/onnx, onnx/onnx.proto3). Run by hand, never in CI; the generated file is committed.
#
# Needs protoc (apt-get install -y protobuf-compiler) and protoc-gen-swift built from the same
# swift-protobuf release the package depends on (1.39.0):
#   git clone https://github.com/apple/swift-protobuf.git && cd swift-protobuf && git checkout 1.39.0
#   swift build -c release --product protoc-gen-swift
# then: PROTOC_GEN_SWIFT=/path/to/swift-protobuf/.build/release/protoc-gen-swift scripts/generate-onnx-proto.sh
set -eu
cd "$(dirname "$0")/../Sources/LensONNX/Generated"
plugin="${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift)}"
protoc --plugin=protoc-gen-swift="$plugin" --swift_out=. --swift_opt=Visibility=Internal onnx.proto3
echo "wrote $(pwd)/onnx.pb.swift"
