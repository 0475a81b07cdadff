#pragma once
#include <stddef.h>

/// The ORL faces as a gzip-compressed ustar archive of s1/1.pgm ... s40/10.pgm (written by
/// scripts/pack-orl.sh; provenance in README.md and checksums in SHA256SUMS beside it).
const unsigned char *lens_orl_faces_archive(void);
size_t lens_orl_faces_archive_size(void);
