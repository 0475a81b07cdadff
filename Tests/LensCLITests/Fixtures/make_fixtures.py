#!/usr/bin/env python3
"""Writes the JPEG fixtures of the CLI tests with PIL (LensData has no JPEG encoder).

Each image draws one of the test classes ("top", "left", "centre") the same way as
Tests/LensCLITests/PatternImages.swift: a bright region on a dark ground, placed relative to the
centred square that preprocessing crops, so the class survives any size and aspect ratio.
Run from this folder: python3 make_fixtures.py
"""
import numpy as np
from PIL import Image


def pattern(kind, width, height):
    side = min(width, height)
    u = (np.arange(width) + 0.5 - width / 2) / side
    v = (np.arange(height) + 0.5 - height / 2) / side
    uu, vv = np.meshgrid(u, v)
    if kind == "top":
        bright = vv < 0
    elif kind == "left":
        bright = uu < 0
    else:
        bright = uu * uu + vv * vv < 0.09
    return np.where(bright, 0.85, 0.15)


def save(name, kind, width, height, tint=None):
    values = pattern(kind, width, height)
    if tint is None:
        pixels = np.round(values * 255).astype(np.uint8)
        Image.fromarray(pixels, "L").save(name, quality=90)
    else:
        pixels = np.round(values[:, :, None] * np.array(tint)[None, None, :] * 255).astype(np.uint8)
        Image.fromarray(pixels, "RGB").save(name, quality=90)


save("top-rgb-48x40.jpg", "top", 48, 40, tint=(1.0, 0.9, 0.7))
save("left-gray-30x50.jpg", "left", 30, 50)
save("centre-rgb-70x56.jpg", "centre", 70, 56, tint=(0.8, 1.0, 0.9))
save("probe-left-rgb-100x75.jpg", "left", 100, 75, tint=(0.9, 0.8, 1.0))
