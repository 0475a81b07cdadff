#!/usr/bin/env bash
# Proves that the installable `lens` (docs/install.md) needs nothing but the system libraries that
# page names: makes a minimal Debian 12 root with debootstrap (variant minbase, from the Debian
# archive this machine's apt uses), adds only libpng and libjpeg, copies the binary in, and inside
# it (chroot) runs `lens dataset info orl`, `lens demo --quick` and `lens serve`; every page and
# every file of Sources/LensServer/Resources/web is fetched with curl from outside the root.
# Run by hand, as root (debootstrap and chroot need it), not in CI; downloads about 40 MB.
# Use: scripts/check-minimal-root.sh [BINARY]   (default .build/release/lens)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
binary=$(realpath "${1:-$repo/.build/release/lens}")
[ "$(id -u)" = 0 ] || { echo "run as root: debootstrap and chroot need it"; exit 1; }
command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install -y debootstrap"; exit 1; }
command -v curl >/dev/null || { echo "curl is missing: apt-get install -y curl"; exit 1; }
mirror=$( (grep -rhoE 'https?://[^ ]*/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d 2>/dev/null || true) | head -1 | tr -d ' ')
mirror=${mirror:-http://deb.debian.org/debian}

place=$(mktemp -d /var/tmp/lens-minimal-root.XXXXXX)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    umount "$place/proc" 2>/dev/null || true
    rm -rf --one-file-system "$place"
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
inside "lens dataset info orl" | head -3
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
curl -fsS "http://127.0.0.1:$port/api/models" | head -c 200; echo
kill -TERM "$server"
status=0; wait "$server" || status=$?
server=
tail -1 "$place/root/serve.log"
[ "$status" = 143 ] || { echo "FAIL: serve exited with $status after SIGTERM"; cat "$place/root/serve.log"; exit 1; }
echo "ok: in a minimal Debian root with only libpng and libjpeg added, lens read the faces, wrote the demo report and served $fetched pages and files"
