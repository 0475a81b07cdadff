#!/usr/bin/env bash
# Packs the ORL faces into the archive compiled into `lens` (Sources/CORLFaces/orl-faces.tar.gz):
# a ustar archive of s1/1.pgm ... s40/10.pgm, gzip -9, with fixed names, owners and times so the
# same faces always give the same bytes. The faces are checked against SHA256SUMS first.
# Use: scripts/pack-orl.sh FOLDER   (FOLDER holds s1 ... s40, e.g. the att_faces download)
set -euo pipefail
cd "$(dirname "$0")/.."
target=Sources/CORLFaces
faces=${1:?usage: scripts/pack-orl.sh FOLDER-WITH-s1...s40}
(cd "$faces" && sha256sum --check --quiet "$OLDPWD/$target/SHA256SUMS")
(cd "$faces" && tar --format=ustar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    -cf - $(cut -c67- "$OLDPWD/$target/SHA256SUMS")) | gzip -9n > "$target/orl-faces.tar.gz.new"
mv "$target/orl-faces.tar.gz.new" "$target/orl-faces.tar.gz"
echo "wrote $target/orl-faces.tar.gz ($(wc -c < "$target/orl-faces.tar.gz") bytes)"
