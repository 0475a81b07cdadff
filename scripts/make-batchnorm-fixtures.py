"""PyTorch references for lens's batch normalisation and residual blocks (issue 21).

Writes Tests/LensModelsTests/PyTorchFixtures/{batchnorm,residual}.safetensors. Each holds a small
network given in lens's compact --arch form (metadata "arch", "input_shape", "classes"), its
state_dict under PyTorch's names (running statistics and num_batches_tracked included), a batch
and its targets, and what lens must reproduce:

  train.logits, train.loss      forward in training mode (batch statistics)
  train.grad.input, train.grad.<param>   gradient of the mean cross-entropy in training mode
  train.act.<layer>             a layer's output in training mode
  sgd.step3.<name>              the whole state_dict after 3 SGD steps in training mode on the batch
                                (lr 0.05, momentum 0.9, weight decay 1e-3): running statistics too
  eval.logits, eval.grad.input  inference mode (running statistics) after those 3 steps

Run with /work/peers-venv/bin/python scripts/make-batchnorm-fixtures.py (CPU, float32, deterministic).
"""
import json
import pathlib
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.resnet import BasicBlock

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/LensModelsTests/PyTorchFixtures"


class BatchNormNet(nn.Module):
    """conv3x3x4,bn,pool,fc8,bn on [2, 8, 8]: lens's names conv1, batchnorm1, relu1, pool1, flatten, fc1, batchnorm2, relu2, fc2."""

    def __init__(self, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 4, 3, padding=1)
        self.batchnorm1 = nn.BatchNorm2d(4)
        self.fc1 = nn.Linear(4 * 4 * 4, 8)
        self.batchnorm2 = nn.BatchNorm1d(8)
        self.fc2 = nn.Linear(8, classes)

    def forward(self, x):
        acts = {}
        x = acts["batchnorm1"] = self.batchnorm1(self.conv1(x))
        x = F.max_pool2d(F.relu(x), 2).flatten(1)
        x = acts["batchnorm2"] = self.batchnorm2(self.fc1(x))
        return self.fc2(F.relu(x)), acts


class ResidualNet(nn.Module):
    """res3x3x4s2,res3x3x4,gap on [3, 8, 8]: torchvision BasicBlocks res1 (projection skip) and res2 (identity)."""

    def __init__(self, classes):
        super().__init__()
        down = nn.Sequential(nn.Conv2d(3, 4, 1, stride=2, bias=False), nn.BatchNorm2d(4))
        self.res1 = BasicBlock(3, 4, stride=2, downsample=down)
        self.res2 = BasicBlock(4, 4)
        self.fc1 = nn.Linear(4, classes)

    def forward(self, x):
        acts = {}
        x = acts["res1.relu"] = self.res1(x)
        x = acts["res2.relu"] = self.res2(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc1(x), acts


def save_file(tensors, path, metadata):
    """safetensors as the format defines it (the peers' venv has torch but not the safetensors package)."""
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        dtype = "I64" if t.dtype == torch.int64 else "F32"
        data = (t if dtype == "I64" else t.to(torch.float32)).numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def perturb_state(model, generator):
    """Weights, biases and running statistics away from PyTorch's initial 1 and 0, so that they matter."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
                n = module.num_features
                module.weight.copy_(0.5 + torch.rand(n, generator=generator))
                module.bias.copy_(torch.randn(n, generator=generator) * 0.2)
                module.running_mean.copy_(torch.randn(n, generator=generator) * 0.3)
                module.running_var.copy_(0.5 + torch.rand(n, generator=generator))
                module.num_batches_tracked.fill_(2)


def write(name, model, arch, input_shape, classes, batch, seed):
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = model(classes)
    perturb_state(model, generator)
    x = torch.randn(batch, *input_shape, generator=generator)
    target = torch.randint(0, classes, (batch,), generator=generator)
    tensors = {k: v.detach().clone() for k, v in model.state_dict().items()}
    tensors["input"], tensors["target"] = x.clone(), target.clone()

    model.train()
    xg = x.clone().requires_grad_(True)
    logits, acts = model(xg)
    loss = F.cross_entropy(logits, target)
    loss.backward()
    tensors["train.logits"], tensors["train.loss"] = logits.detach(), loss.detach().reshape(1)
    tensors["train.grad.input"] = xg.grad.detach()
    for k, v in acts.items():
        tensors["train.act." + k] = v.detach()
    for k, p in model.named_parameters():
        tensors["train.grad." + k] = p.grad.detach().clone()

    # 3 SGD steps from the stored state (the forward above already moved the running statistics once).
    model.load_state_dict({k: tensors[k] for k in model.state_dict()})
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3)
    for _ in range(3):
        optimizer.zero_grad()
        F.cross_entropy(model(x)[0], target).backward()
        optimizer.step()
    for k, v in model.state_dict().items():
        tensors["sgd.step3." + k] = v.detach().clone()

    model.eval()
    xg = x.clone().requires_grad_(True)
    logits, _ = model(xg)
    F.cross_entropy(logits, target).backward()
    tensors["eval.logits"], tensors["eval.grad.input"] = logits.detach(), xg.grad.detach()

    metadata = {"arch": arch, "input_shape": json.dumps(list(input_shape)), "classes": str(classes),
                "sgd": "lr 0.05 momentum 0.9 weight_decay 1e-3", "torch": torch.__version__}
    OUT.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in tensors.items()}, OUT / f"{name}.safetensors", metadata=metadata)


if __name__ == "__main__":
    torch.use_deterministic_algorithms(True)
    write("batchnorm", BatchNormNet, "conv3x3x4,bn,pool,fc8,bn", (2, 8, 8), 3, batch=6, seed=21)
    write("residual", ResidualNet, "res3x3x4s2,res3x3x4,gap", (3, 8, 8), 3, batch=4, seed=22)
