#!/usr/bin/env bash
# The test suite under the sanitizers, each in its own build folder:
#   scripts/sanitize.sh [address|thread|all]   (default all)
# address: the whole suite under AddressSanitizer (.build-asan).
# thread:  the concurrent parts under ThreadSanitizer (.build-tsan): the C worker pool and the
#          products split over it (all of LensTensorTests), parallel image decoding, training and inference.
# Exits non-zero when a sanitizer reports or a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
which=${1:-all}
concurrent='LensTensorTests|TrainerTests|NetworkTests|ClassFolderTests|FashionMNISTTests|NetworkTraining|ORLNearestNeighbor|FolderTraining'

if [ "$which" = address ] || [ "$which" = all ]; then
    # Leak checking is off: the Swift runtime keeps metadata caches for the whole process.
    ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 \
        swift test -c debug --sanitize=address --scratch-path .build-asan
fi
if [ "$which" = thread ] || [ "$which" = all ]; then
    TSAN_OPTIONS=halt_on_error=1 \
        swift test -c debug --sanitize=thread --scratch-path .build-tsan --filter "$concurrent"
fi
