#!/usr/bin/env python3
"""Proves a NeuralLens model file is usable from Python: loads it with safetensors.numpy,
rebuilds the network from its __metadata__["architecture"], runs the inputs stored in a probe
file and compares with the logits NeuralLens computed.

Uses PyTorch (torch.nn layers, the real reference) when it is installed, otherwise a numpy
implementation of the same PyTorch semantics (cross-correlation, NCHW, flatten in C,H,W order).

usage: check_model_logits.py MODEL.safetensors PROBE.safetensors   (probe holds `input`, `logits`)
exit 0 and prints "ok <backend> max_abs_diff=..." when they agree within rtol 1e-4 / atol 1e-4.
"""
import json
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file


def numpy_forward(layers, params, x):
    for layer in layers:
        # "parameters" names the layer's tensors when they differ from its name (an imported PyTorch model).
        op, name = layer["op"], layer.get("parameters", layer.get("name"))
        if op == "linear":
            x = x @ params[name + ".weight"].T + params[name + ".bias"]
        elif op == "relu":
            x = np.maximum(x, 0)
        elif op == "flatten":
            x = x.reshape(x.shape[0], -1)
        elif op == "dropout":
            pass
        elif op == "maxpool2d":
            k, s = layer["kernel"], layer.get("stride", layer["kernel"])
            n, c, h, w = x.shape
            oh, ow = (h - k) // s + 1, (w - k) // s + 1
            out = np.full((n, c, oh, ow), -np.inf, dtype=x.dtype)
            for dy in range(k):
                for dx in range(k):
                    out = np.maximum(out, x[:, :, dy:dy + s * oh:s, dx:dx + s * ow:s])
            x = out
        elif op == "conv2d":
            weight, bias = params[name + ".weight"], params[name + ".bias"]
            k, s, p = layer["kernel"], layer.get("stride", 1), layer.get("padding", 0)
            x = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
            n, c, h, w = x.shape
            oh, ow = (h - k) // s + 1, (w - k) // s + 1
            out = np.zeros((n, weight.shape[0], oh, ow), dtype=np.float64)
            for dy in range(k):
                for dx in range(k):
                    patch = x[:, :, dy:dy + s * oh:s, dx:dx + s * ow:s]
                    out += np.einsum("nchw,oc->nohw", patch, weight[:, :, dy, dx])
            x = (out + bias[None, :, None, None]).astype(np.float32)
        else:
            raise SystemExit(f"unknown op {op}")
    return x


def torch_forward(layers, params, x):
    import torch
    import torch.nn as nn
    modules = []
    for layer in layers:
        op = layer["op"]
        if op == "linear":
            modules.append(nn.Linear(layer["in"], layer["out"]))
        elif op == "conv2d":
            modules.append(nn.Conv2d(layer["in"], layer["out"], layer["kernel"], layer.get("stride", 1), layer.get("padding", 0)))
        elif op == "relu":
            modules.append(nn.ReLU())
        elif op == "maxpool2d":
            modules.append(nn.MaxPool2d(layer["kernel"], layer.get("stride", layer["kernel"])))
        elif op == "flatten":
            modules.append(nn.Flatten())
        elif op == "dropout":
            modules.append(nn.Dropout(layer.get("p", 0.5)))
        else:
            raise SystemExit(f"unknown op {op}")
    model = nn.Sequential(*modules).eval()
    state = {}
    for index, layer in enumerate(layers):
        if layer["op"] in ("linear", "conv2d"):
            prefix = layer.get("parameters", layer["name"])
            state[f"{index}.weight"] = torch.from_numpy(params[prefix + ".weight"])
            state[f"{index}.bias"] = torch.from_numpy(params[prefix + ".bias"])
    model.load_state_dict(state)
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy()


def main():
    model_path, probe_path = sys.argv[1], sys.argv[2]
    params = load_file(model_path)
    with safe_open(model_path, framework="np") as handle:
        metadata = handle.metadata()
    assert metadata["format"] == "neurallens-model", metadata.get("format")
    layers = json.loads(metadata["architecture"])
    input_shape = json.loads(metadata["input_shape"])
    probe = load_file(probe_path)
    x = probe["input"].astype(np.float32).reshape([-1] + input_shape)
    try:
        import torch  # noqa: F401
        backend, logits = "torch", torch_forward(layers, params, x)
    except ImportError:
        backend, logits = "numpy", numpy_forward(layers, params, x)
    expected = probe["logits"]
    diff = float(np.max(np.abs(logits - expected)))
    if not np.allclose(logits, expected, rtol=1e-4, atol=1e-4):
        print(f"MISMATCH {backend} max_abs_diff={diff}")
        sys.exit(1)
    print(f"ok {backend} max_abs_diff={diff:.2e}")


if __name__ == "__main__":
    main()
