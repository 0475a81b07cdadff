#!/usr/bin/env python3
"""Writes the LensData test fixtures with tools other than ours (PIL, numpy, zlib).

Run from this folder: `python3 make_fixtures.py` (needs numpy and pillow).
Every image is tiny; `expected.json` holds the pixels PIL decodes from each file
(row-major, channels interleaved, 0...255), which the Swift tests compare against.
"""
import gzip
import json
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
expected = {}


def record(name, array):
    array = np.asarray(array)
    height, width = array.shape[:2]
    channels = 1 if array.ndim == 2 else array.shape[2]
    expected[name] = {"width": width, "height": height, "channels": channels,
                      "pixels": [int(v) for v in array.reshape(-1)]}


def gradient(height, width, channels, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    planes = [(x * 255 // max(width - 1, 1) + y * 7 * (c + 1) + rng.integers(0, 9, (height, width))) % 256
              for c in range(channels)]
    array = np.stack(planes, axis=-1).astype(np.uint8)
    return array[..., 0] if channels == 1 else array


# PNG: gray 8/16-bit, palette, RGBA, gray+alpha, all written by PIL.
gray8 = gradient(3, 4, 1, 1)
Image.fromarray(gray8, "L").save(HERE / "gray8.png")
record("gray8.png", gray8)

gray16 = (np.arange(12, dtype=np.uint16).reshape(3, 4) * 5957).astype(np.uint16)  # 0 ... 65527
Image.fromarray(gray16).save(HERE / "gray16.png")  # mode I;16 -> 16-bit grayscale PNG
record("gray16.png", gray16)  # raw 16-bit values; the test scales by 65535

palette_image = Image.new("P", (4, 2))
palette_image.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30] + [0] * (252 * 3))
palette_image.putdata([0, 1, 2, 3, 3, 2, 1, 0])
palette_image.save(HERE / "palette.png")
record("palette.png", np.asarray(palette_image.convert("RGB")))

rgba = gradient(3, 5, 4, 2)
rgba[0, 0, 3] = 0
rgba[1, 2, 3] = 255
Image.fromarray(rgba, "RGBA").save(HERE / "rgba.png")
record("rgba.png", rgba)

gray_alpha = gradient(2, 3, 2, 3)
Image.fromarray(gray_alpha, "LA").save(HERE / "gray_alpha.png")
record("gray_alpha.png", gray_alpha)


# PIL cannot write interlaced PNG, so this one is built by hand with zlib (Adam7, RGB, 8-bit).
def png_chunk(kind, payload):
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def interlaced_png(rgb):
    height, width, _ = rgb.shape
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = b""
    for x0, y0, dx, dy in passes:
        sub = rgb[y0::dy, x0::dx]
        if sub.size == 0:
            continue
        for row in sub:
            raw += b"\x00" + row.tobytes()  # filter type 0 (None)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 1)  # 8-bit RGB, interlace = Adam7
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b""))


interlaced = gradient(7, 9, 3, 4)
(HERE / "interlaced.png").write_bytes(interlaced_png(interlaced))
assert np.array_equal(np.asarray(Image.open(HERE / "interlaced.png")), interlaced)
record("interlaced.png", interlaced)

# JPEG: gray, RGB, CMYK (PIL writes CMYK inverted with an Adobe marker, as Photoshop does).
for name, mode, channels in [("gray.jpg", "L", 1), ("rgb.jpg", "RGB", 3), ("cmyk.jpg", "CMYK", 4)]:
    source = gradient(16, 16, channels, 5)
    Image.fromarray(source, mode).save(HERE / name, quality=90)
    decoded = Image.open(HERE / name)
    record(name, np.asarray(decoded if mode == "L" else decoded.convert("RGB")))

# PGM: ASCII P2 with comments, binary P5 8-bit, binary P5 16-bit (big-endian samples).
p2 = np.array([[0, 3, 7], [15, 12, 1]])
(HERE / "ascii.pgm").write_text("P2\n# written by make_fixtures.py\n3 2 # width height\n15\n"
                                + "\n".join(" ".join(str(v) for v in row) for row in p2) + "\n")
record("ascii.pgm", p2)  # maxval 15

p5 = gradient(3, 5, 1, 6)
(HERE / "binary.pgm").write_bytes(b"P5\n# comment\n5 3\n255\n" + p5.tobytes())
record("binary.pgm", p5)

p5_16 = np.array([[0, 1000, 40000], [65535, 256, 1]], dtype=">u2")
(HERE / "binary16.pgm").write_bytes(b"P5 3 2 65535\n" + p5_16.tobytes())
record("binary16.pgm", p5_16.astype(np.int64))  # maxval 65535

# Bad inputs.
(HERE / "empty.png").write_bytes(b"")
full = (HERE / "rgba.png").read_bytes()
(HERE / "truncated.png").write_bytes(full[: len(full) // 2])
full = (HERE / "rgb.jpg").read_bytes()
(HERE / "truncated.jpg").write_bytes(full[: len(full) // 2])
(HERE / "not-an-image.png").write_text("Hello, I am a text file wearing a .png name.\n")
(HERE / "bad-header.pgm").write_bytes(b"P5\n-3 4\n255\n" + bytes(12))
# A 10000x10000 PNG whose header is all there is: a decoder must refuse before allocating 100 MP.
bomb = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 10000, 10000, 8, 0, 0, 0, 0))
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + png_chunk(b"IEND", b""))
(HERE / "bomb.png").write_bytes(bomb)
# The same for JPEG: the 16x16 gray JPEG with its SOF0 frame header rewritten to 10000x10000.
jpeg = bytearray((HERE / "gray.jpg").read_bytes())
sof = jpeg.index(b"\xff\xc0")
jpeg[sof + 5:sof + 9] = struct.pack(">HH", 10000, 10000)
(HERE / "bomb.jpg").write_bytes(bytes(jpeg))


# IDX (Fashion-MNIST layout, gzip): a tiny valid set and two broken ones.
def idx_images(images):
    return struct.pack(">IIII", 2051, *images.shape) + images.astype(np.uint8).tobytes()


def idx_labels(labels):
    return struct.pack(">II", 2049, len(labels)) + np.asarray(labels, dtype=np.uint8).tobytes()


def write_idx_set(folder, parts):
    folder = HERE / folder
    folder.mkdir(exist_ok=True)
    for name, payload in parts.items():
        (folder / name).write_bytes(gzip.compress(payload, mtime=0))


rng = np.random.default_rng(7)
train_labels = np.array([9, 0, 1, 2, 3, 4, 5, 6, 7, 8] + list(range(10)) * 2)  # 30 items: 3 per class
test_labels = np.array([i % 10 for i in range(10)])
train_images = rng.integers(0, 256, (30, 4, 4))
test_images = rng.integers(0, 256, (10, 4, 4))
good = {"train-images-idx3-ubyte.gz": idx_images(train_images), "train-labels-idx1-ubyte.gz": idx_labels(train_labels),
        "t10k-images-idx3-ubyte.gz": idx_images(test_images), "t10k-labels-idx1-ubyte.gz": idx_labels(test_labels)}
write_idx_set("idx-good", good)
record("idx-good/train[0]", train_images[0].astype(np.uint8))
record("idx-good/test[9]", test_images[9].astype(np.uint8))

write_idx_set("idx-truncated", {**good, "train-images-idx3-ubyte.gz": idx_images(train_images)[:-100]})
write_idx_set("idx-wrong-magic", {**good, "t10k-labels-idx1-ubyte.gz": struct.pack(">II", 2051, 10) + bytes(10)})

(HERE / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
print("wrote", len(list(HERE.iterdir())), "files")
