#!/usr/bin/env bash
# Builds the libFuzzer harness (Fuzz/, with -sanitize=fuzzer and AddressSanitizer) and runs each
# target in turn for a time budget, at the lowest priority, one job each.
#   scripts/fuzz.sh [SECONDS_PER_TARGET [TARGET ...]]     default 600 s; targets image safetensors model arch idx http
# Seeds: Fuzz/Corpus/TARGET (committed). New inputs go to .build-fuzz/corpus/TARGET (not committed);
# crashes, timeouts and out-of-memory inputs to Fuzz/Crashers/TARGET, which `swift test` replays
# (Tests/LensFuzzTests) together with the corpus. Logs: .build-fuzz/TARGET.log.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(image safetensors model arch idx http)

scratch=$PWD/.build-fuzz
# The coverage flags are spelled out: an incremental build here once left the Swift modules
# uninstrumented with --sanitize=fuzzer alone (the fuzzer then saw only the C code).
(cd Fuzz && nice -n 19 swift build -c release --scratch-path "$scratch" \
    --sanitize=fuzzer --sanitize=address -Xswiftc -parse-as-library \
    -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp)
harness=$scratch/release/lens-fuzz
# A trap is reported by libFuzzer (deadly signal) with its stack; Swift's own backtracer crashes under ASan.
export SWIFT_BACKTRACE=enable=no

for target in "${targets[@]}"; do
    mkdir -p "$scratch/corpus/$target" "Fuzz/Crashers/$target"
    leaks=1
    case $target in
        safetensors|model) max_len=16384 ;;
        # The server keeps what a request starts (the model's evaluation on its data, loaded on a
        # background thread) in its caches, referenced through Swift enums that store their tag in
        # a pointer's spare bits, which LeakSanitizer does not read as pointers: it reports those
        # caches as leaked (at exit too: a weak reference's side table). Memory growth is what
        # -rss_limit_mb still catches.
        http) max_len=8192; leaks=0 ;;
        *) max_len=4096 ;;
    esac
    echo "== $target: $seconds s"
    # -timeout: an input taking over 10 s is a hang; -rss_limit_mb/-malloc_limit_mb: over 2 GB in
    # all or 1 GB at once is an unbounded allocation. Both are saved as crashers.
    LENS_FUZZ_TARGET=$target ASAN_OPTIONS="detect_leaks=$leaks" nice -n 19 "$harness" "$scratch/corpus/$target" "Fuzz/Corpus/$target" \
        -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -detect_leaks="$leaks" \
        -print_final_stats=1 -artifact_prefix="Fuzz/Crashers/$target/" \
        2>&1 | tee "$scratch/$target.log" | grep -E "^#[0-9]+ +(INITED|DONE)|ERROR|SUMMARY|stat::number_of_executed_units|Test unit written" || true
done
