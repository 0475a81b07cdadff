#!/usr/bin/env bash
# Proves that the installable `lens` (docs/install.md) needs nothing but the system libraries that
# page names: makes a minimal Debian 12 root with debootstrap (variant minbase, from the Debian
# archive this machine's apt uses), adds only libpng and libjpeg, copies the binary in, and inside
# it (chroot) runs `lens dataset info orl`, `lens demo --quick` and `lens serve`; every page and
# every file of Sources/LensServer/Resources/web is fetched with curl from outside the root.
# Run by hand, as root (debootstrap and chroot need it), not in CI; downloads about 40 MB.
# Use: scripts/check-minimal-root.sh [BINARY]
# Without BINARY it first builds the installable binary as docs/install.md says (`swift build -c
# release --product lens --static-swift-stdlib`, incremental) in a build folder of its own,
# .build-static, and checks that one: neither a binary left from an older checkout nor the
# dynamically linked one of a plain `swift build -c release` is ever what is proven.
# The exit status is that of the first failing step (1 for a failed check), never the status of
# the cleanup that follows it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "run as root: debootstrap and chroot need it"; exit 1; }
if [ $# -eq 0 ]; then
    echo "== swift build -c release --product lens --static-swift-stdlib --scratch-path .build-static"
    log=$(mktemp)
    (cd "$repo" && PATH="/opt/swift/usr/bin:$PATH" swift build -c release --product lens --static-swift-stdlib --scratch-path .build-static) >"$log" 2>&1 \
        || { tail -30 "$log"; rm -f "$log"; exit 1; }
    tail -1 "$log"; rm -f "$log"
    binary=$repo/.build-static/release/lens
else
    binary=$(realpath "$1")
fi
echo "binary: $binary, built $(date -u -r "$binary" '+%Y-%m-%d %H:%M UTC'); checkout $(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)"
command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install -y debootstrap"; exit 1; }
command -v curl >/dev/null || { echo "curl is missing: apt-get install -y curl"; exit 1; }
mirror=$( (grep -rhoE 'https?://[^ ]*/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d 2>/dev/null || true) | head -1 | tr -d ' ')
mirror=${mirror:-http://deb.debian.org/debian}

place=$(mktemp -d /var/tmp/lens-minimal-root.XXXXXX)
server=
# Keeps the script's own status: under `set -e`, a `wait` on the server killed here (143) would
# otherwise end the trap, and the script, with that status instead of the failure that led here.
cleanup() {
    local status=$?
    set +e
    if [ -n "$server" ]; then kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; fi
    umount "$place/proc" 2>/dev/null
    rm -rf --one-file-system "$place" "$place.debootstrap.log"
    exit "$status"
}
trap cleanup EXIT

echo "== the binary's shared libraries (ldd $binary)"
ldd "$binary" | sed 's/ (0x[0-9a-f]*)//'
if ldd "$binary" | grep -E 'libswift|libFoundation|libdispatch|/opt/swift'; then
    echo "FAIL: the binary still needs the Swift runtime's shared libraries (build it with --static-swift-stdlib)"
    exit 1
fi

echo "== debootstrap --variant=minbase bookworm from $mirror, plus libpng16-16 and libjpeg62-turbo"
debootstrap --variant=minbase --include=libpng16-16,libjpeg62-turbo bookworm "$place" "$mirror" >"$place.debootstrap.log" 2>&1 \
    || { tail -20 "$place.debootstrap.log"; exit 1; }
rm -f "$place.debootstrap.log"
echo "$(chroot "$place" dpkg-query -W | wc -l) packages; no Swift, no compiler: $(chroot "$place" sh -c 'command -v swift cc gcc clang || echo none')"
mount -t proc proc "$place/proc"
install -m 755 "$binary" "$place/usr/local/bin/lens"
inside() { chroot "$place" env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root sh -c "cd /root && $1"; }

echo "== lens dataset info orl"
# Whole outputs are kept and then shortened: `| head` would close the pipe on a longer output, and
# lens (rightly) fails a write to a closed pipe.
inside "lens dataset info orl" >"$place/root/info.log" 2>&1 || { cat "$place/root/info.log"; exit 1; }
head -3 "$place/root/info.log"
echo "== lens demo --quick"
inside "lens demo --quick --out /root/report" >"$place/root/demo.log" 2>&1 || { cat "$place/root/demo.log"; exit 1; }
tail -2 "$place/root/demo.log"
test -s "$place/root/report/index.html"
echo "report: $(find "$place/root/report" -type f | wc -l) files"

echo "== lens serve"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
chroot "$place" env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root /usr/local/bin/lens serve --port "$port" --models-dir /root/models \
    >"$place/root/serve.log" 2>&1 &
server=$!
for _ in $(seq 300); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/api/models" 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || { cat "$place/root/serve.log"; exit 1; }
    sleep 0.1
done
fetched=$("$repo/scripts/fetch-every-page.sh" "$port")
models=$(curl -fsS "http://127.0.0.1:$port/api/models")
echo "${models:0:200}"
kill -TERM "$server"
status=0; wait "$server" || status=$?
server=
tail -1 "$place/root/serve.log"
[ "$status" = 143 ] || { echo "FAIL: serve exited with $status after SIGTERM"; cat "$place/root/serve.log"; exit 1; }
echo "ok: in a minimal Debian root with only libpng and libjpeg added, lens read the faces, wrote the demo report and served $fetched pages and files"
