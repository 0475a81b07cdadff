"""ORL faces made "wild-like", a proxy for FaceScrub-style photos (issue 21; docs/face-recipe.md).

Each photo gets its own random lighting (gamma, contrast, brightness, a light from one side), pose
jitter (rotation, scale and shift of the face box), blur, sensor noise and JPEG compression, and is
written as PNG into OUT/<person>/. Run by hand from a venv with numpy and Pillow:

    mkdir orl && tar xzf Sources/CORLFaces/orl-faces.tar.gz -C orl
    python scripts/make-wild-orl.py orl orl-wild 0
    lens train --data orl-wild --model cnn --size 64 --seed 0 --out wild.safetensors
"""
import io, os, random, sys
import numpy as np
from PIL import Image, ImageFilter

src, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0
rng = random.Random(seed)
for person in sorted(os.listdir(src)):
    os.makedirs(os.path.join(out, person), exist_ok=True)
    for name in sorted(os.listdir(os.path.join(src, person))):
        im = Image.open(os.path.join(src, person, name)).convert("L")
        w, h = im.size
        # pose and face-box jitter
        angle, scale = rng.uniform(-12, 12), rng.uniform(0.88, 1.15)
        dx, dy = rng.uniform(-0.07, 0.07) * w, rng.uniform(-0.07, 0.07) * h
        im = im.rotate(angle, resample=Image.BILINEAR, center=(w / 2, h / 2), translate=(dx, dy), fillcolor=int(np.asarray(im).mean()))
        cw, ch = w / scale, h / scale
        im = im.crop((int((w - cw) / 2), int((h - ch) / 2), int((w + cw) / 2), int((h + ch) / 2))).resize((w, h), Image.BILINEAR)
        a = np.asarray(im, dtype=np.float64) / 255
        # lighting: gamma, contrast, brightness, and a light from one side
        a = a ** rng.uniform(0.55, 1.8)
        a = (a - a.mean()) * rng.uniform(0.6, 1.4) + a.mean() + rng.uniform(-0.15, 0.15)
        theta = rng.uniform(0, 2 * np.pi)
        yy, xx = np.mgrid[0:h, 0:w]
        ramp = ((xx / w - 0.5) * np.cos(theta) + (yy / h - 0.5) * np.sin(theta))
        a = a * (1 + rng.uniform(0, 0.9) * ramp)
        im = Image.fromarray(np.clip(a * 255, 0, 255).astype(np.uint8))
        # camera: blur, noise, JPEG
        im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0, 1.5)))
        a = np.asarray(im, dtype=np.float64) + np.random.default_rng(rng.randrange(1 << 30)).normal(0, rng.uniform(0, 8), (h, w))
        im = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=rng.randint(15, 70))
        Image.open(io.BytesIO(buf.getvalue())).save(os.path.join(out, person, name.replace(".pgm", ".png")))
