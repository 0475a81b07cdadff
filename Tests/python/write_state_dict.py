#!/usr/bin/env python3
"""Writes a PyTorch-style state_dict the way safetensors.torch.save_file(model.state_dict()) would,
for the model

    features   = Sequential(Conv2d(3, 4, 3), ReLU(), MaxPool2d(2), Conv2d(4, 6, 3, padding=1), ReLU(), MaxPool2d(2))
    classifier = Sequential(Flatten(), Linear(24, 10), ReLU(), Linear(10, 3))

on 10x10 RGB inputs normalised with ImageNet's mean/std, plus a probe: raw [0, 1] inputs and the
logits this model gives them (numpy, PyTorch semantics), and a class-names file.

usage: write_state_dict.py OUT_DIR    writes state_dict.safetensors, probe.safetensors, classes.txt
"""
import os
import sys

import numpy as np
from safetensors.numpy import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_model_logits import numpy_forward  # noqa: E402

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)

LAYERS = [
    {"op": "conv2d", "name": "features.0", "kernel": 3, "stride": 1, "padding": 0},
    {"op": "relu"},
    {"op": "maxpool2d", "kernel": 2, "stride": 2},
    {"op": "conv2d", "name": "features.3", "kernel": 3, "stride": 1, "padding": 1},
    {"op": "relu"},
    {"op": "maxpool2d", "kernel": 2, "stride": 2},
    {"op": "flatten"},
    {"op": "linear", "name": "classifier.1"},
    {"op": "relu"},
    {"op": "linear", "name": "classifier.3"},
]
SHAPES = {"features.0": ((4, 3, 3, 3), 4), "features.3": ((6, 4, 3, 3), 6),
          "classifier.1": ((10, 24), 10), "classifier.3": ((3, 10), 3)}


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(0)
    state = {}
    for name, (weight_shape, bias_size) in SHAPES.items():
        fan_in = int(np.prod(weight_shape[1:]))
        state[name + ".weight"] = (rng.standard_normal(weight_shape) / np.sqrt(fan_in)).astype(np.float32)
        state[name + ".bias"] = (0.1 * rng.standard_normal(bias_size)).astype(np.float32)
    raw = rng.uniform(0, 1, (5, 3, 10, 10)).astype(np.float32)
    normalised = (raw - MEAN[None, :, None, None]) / STD[None, :, None, None]
    logits = numpy_forward(LAYERS, state, normalised.astype(np.float32)).astype(np.float32)
    save_file(state, os.path.join(out, "state_dict.safetensors"))
    save_file({"input": raw, "logits": logits}, os.path.join(out, "probe.safetensors"))
    with open(os.path.join(out, "classes.txt"), "w") as handle:
        handle.write("airplane\nbird\ncat\n")
    print("ok")


if __name__ == "__main__":
    main()
