#!/usr/bin/env python3
"""A real model end to end: train a small CNN on the ORL faces in PyTorch, export it to ONNX, and
explain it with lens (run by hand, not in CI; docs/onnx.md walks through it).

    /work/peers-venv/bin/python scripts/train-onnx-faces.py OUT_DIR [--epochs 40]

Needs torch, torchvision and onnx. Unpacks Sources/CORLFaces/orl-faces.tar.gz (40 people, 10 photos
each) into OUT_DIR/train (photos 1-6 of each person) and OUT_DIR/held-out (photos 7-10), trains on
train only, the way a torchvision user does (ImageFolder, centre crop, resize to 64, RGB, ImageNet
normalisation), and writes
  OUT_DIR/faces.onnx   torch.onnx.export, opset 17, symbolic batch
  OUT_DIR/names.txt    the class names in the model's output order (ImageFolder's `classes`)
Then:
  lens report --model OUT_DIR/faces.onnx --data OUT_DIR/held-out --split all \\
      --normalize imagenet --class-names OUT_DIR/names.txt --out faces-report
"""
import argparse, os, tarfile, time
import torch, torch.nn as nn
from torchvision import datasets, transforms

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


class FaceNet(nn.Module):
    """Three conv blocks with batch norm, global average pooling, one linear layer (about 25k weights)."""
    def __init__(self, classes):
        super().__init__()
        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2))
        self.features = nn.Sequential(block(3, 16), block(16, 32), block(32, 48))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(48, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


def unpack(out):
    """OUT/train/sK/1..6.pgm and OUT/held-out/sK/7..10.pgm from the ORL archive."""
    with tarfile.open(os.path.join(ROOT, "Sources", "CORLFaces", "orl-faces.tar.gz")) as archive:
        for member in archive.getmembers():
            if not member.isfile() or not member.name.endswith(".pgm"):
                continue
            person, file = member.name.split("/")[-2:]
            part = "train" if int(file.split(".")[0]) <= 6 else "held-out"
            os.makedirs(os.path.join(out, part, person), exist_ok=True)
            with open(os.path.join(out, part, person, file), "wb") as target:
                target.write(archive.extractfile(member).read())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    unpack(args.out)
    # lens reads an image the same way: centre square, resized, RGB, [0, 1]; --normalize imagenet adds the rest.
    prepare = [transforms.Lambda(lambda im: transforms.functional.center_crop(im, min(im.size))),
               transforms.Resize(64), transforms.Grayscale(3), transforms.ToTensor(), transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)]
    train = datasets.ImageFolder(os.path.join(args.out, "train"), transforms.Compose(prepare))
    held_out = datasets.ImageFolder(os.path.join(args.out, "held-out"), transforms.Compose(prepare))
    images, labels = (torch.stack(t) if i == 0 else torch.tensor(t) for i, t in enumerate(zip(*train)))
    model = FaceNet(len(train.classes))
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    start = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(labels))
        for batch in order.split(32):
            # Shifted by up to 3 pixels: the photos are not aligned either.
            dx, dy = torch.randint(-3, 4, (2,)).tolist()
            x = torch.roll(images[batch], shifts=(dy, dx), dims=(2, 3))
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), labels[batch]).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        x, y = zip(*[held_out[i] for i in range(len(held_out))])
        accuracy = (model(torch.stack(x)).argmax(1) == torch.tensor(y)).float().mean().item()
    print(f"{args.epochs} epochs in {time.time() - start:.0f} s; held-out accuracy {accuracy:.3f} ({len(held_out)} photos)")

    path = os.path.join(args.out, "faces.onnx")
    torch.onnx.export(model, torch.rand(1, 3, 64, 64), path, dynamo=False, opset_version=17,
                      input_names=["input"], output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    with open(os.path.join(args.out, "names.txt"), "w") as names:
        names.write("\n".join(train.classes) + "\n")
    print(f"wrote {path} ({os.path.getsize(path) // 1024} KiB) and names.txt ({len(train.classes)} classes)")


if __name__ == "__main__":
    main()
