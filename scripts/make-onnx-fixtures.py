#!/usr/bin/env python3
"""Builds the ONNX conformance fixtures in Tests/LensONNXTests/Fixtures (run by hand, not in CI).

    /work/peers-venv/bin/python scripts/make-onnx-fixtures.py

Needs torch, torchvision, captum and onnx (the peers' venv). For each model, torchvision's own
architecture classes at small widths, fixed seeds, eval mode:
  resnet      ResNet of torchvision BasicBlocks (8 and 16 channels), 3x32x32, opset 17, symbolic batch
  mobilenet   torchvision MobileNetV2(width_mult=0.25), 3x32x32, opset 11, symbolic batch (ReLU6 = Clip)
  vgg         a VGG-style net from torchvision's vgg.make_layers with BatchNorm (folded into the
              convolutions by the exporter) and a BatchNorm1d after the first linear layer (kept as
              a BatchNormalization node), 3x32x32, opset 17, fixed batch 3
writes <name>.onnx (torch.onnx.export, TorchScript exporter) and <name>.safetensors holding `input`
[3,3,32,32], `target` [3] (int64), `logits` and the attributions (Captum 0.9):
  attr.saliency              d logit[target] / d input (signed)
  attr.integrated_gradients  zero baseline, 32 steps, midpoint rule (Captum riemann_middle)
  attr.guided_backprop       Captum GuidedBackprop (overrides nn.ReLU); MobileNetV2's ReLU6 modules are
                             replaced by a guided ReLU6 of our own: R·[0 < x < 6]·[R > 0]
  attr.occlusion             window 4x4, stride 2, baseline 0
  attr.gradcam               Captum LayerGradCam at the metadata's layer (after its ReLU), not upsampled
  attr.gradcam_upsampled     the same resized bilinear with half-pixel centres (align_corners=False)
Metadata: `gradcam_layer` (the ONNX node whose output Grad-CAM reads) and one sentence per method.
"""
import copy, json, os, struct, sys
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F
import torchvision
from torchvision.models.resnet import BasicBlock, ResNet
from torchvision.models.mobilenetv2 import MobileNetV2
from torchvision.models.vgg import make_layers
from captum.attr import Saliency, IntegratedGradients, GuidedBackprop, Occlusion, LayerGradCam
import onnx

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "LensONNXTests", "Fixtures")
CLASSES = 5


class SmallResNet(ResNet):
    """torchvision's ResNet with BasicBlocks, its _make_layer and forward, at widths 8 and 16."""
    def __init__(self, num_classes=CLASSES):
        nn.Module.__init__(self)
        self._norm_layer, self.inplanes, self.dilation, self.groups, self.base_width = nn.BatchNorm2d, 8, 1, 1, 64
        self.conv1 = nn.Conv2d(3, 8, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=False)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(BasicBlock, 8, 1)
        self.layer2 = self._make_layer(BasicBlock, 16, 1, stride=2)
        self.layer3 = nn.Identity()
        self.layer4 = nn.Identity()
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(16, num_classes)


class SmallVGG(nn.Module):
    def __init__(self, num_classes=CLASSES):
        super().__init__()
        self.features = make_layers([8, "M", 16, "M", 16, "M"], batch_norm=True)
        self.classifier = nn.Sequential(nn.Linear(16 * 4 * 4, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.5),
                                        nn.Linear(32, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class GuidedReLU6Function(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(0, 6)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ((x > 0) & (x < 6) & (grad > 0)).to(grad.dtype)


class GuidedReLU6(nn.Module):
    def forward(self, x):
        return GuidedReLU6Function.apply(x)


def randomize_batchnorm(model, generator, calibrate=False):
    """Batch-norm statistics away from (0, 1), so that folding them matters. With `calibrate`, the
    statistics are first measured on random batches (MobileNetV2's ReLU6 saturate otherwise, and
    its outputs barely depend on the input), then the scales and shifts are randomised."""
    if calibrate:
        for module in model.modules():
            if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
                module.reset_running_stats()
                module.momentum = None
        model.train()
        with torch.no_grad():
            for _ in range(4):
                model(torch.randn(16, 3, 32, 32, generator=generator))
        for module in model.modules():
            if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
                n = module.num_features
                module.weight.data.copy_(torch.rand(n, generator=generator) + 0.5)
                module.bias.data.copy_(torch.randn(n, generator=generator) * 0.1)
        return
    for module in model.modules():
        if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            n = module.num_features
            module.running_mean.copy_(torch.randn(n, generator=generator) * 0.2)
            module.running_var.copy_(torch.rand(n, generator=generator) + 0.5)
            module.weight.data.copy_(torch.rand(n, generator=generator) + 0.5)
            module.bias.data.copy_(torch.randn(n, generator=generator) * 0.1)
    for module in model.modules():
        if isinstance(module, (nn.ReLU, nn.ReLU6)):
            module.inplace = False


def save_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):
        array = tensors[name]
        dtype = {np.float32: "F32", np.int64: "I64"}[array.dtype.type]
        data = np.ascontiguousarray(array).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def make(name, model, gradcam_module_path, opset, dynamic_batch, guided=None, calibrate=False):
    gradcam_module = model.get_submodule(gradcam_module_path)
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    randomize_batchnorm(model, generator, calibrate)
    for module in model.modules():
        if isinstance(module, (nn.ReLU, nn.ReLU6)):
            module.inplace = False
    model.eval()
    guided_model = guided(model).eval() if guided else None
    inputs = torch.randn(3, 3, 32, 32, generator=generator)
    with torch.no_grad():
        logits = model(inputs)
    targets = torch.tensor([int(logits[0].argmax()), 3, 1])

    path = os.path.join(OUT, name + ".onnx")
    # Exporting folds batch norm into the convolutions' weights in place: export copies.
    torch.onnx.export(copy.deepcopy(model), inputs, path, opset_version=opset, dynamo=False, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}} if dynamic_batch else None)

    layer_node = gradcam_node(path, copy.deepcopy(model), gradcam_module_path, inputs, opset)
    with torch.no_grad():
        assert torch.equal(model(inputs), logits), "the model changed while exporting"
    forward = lambda x: model(x)
    saliency = Saliency(forward).attribute(inputs, target=targets, abs=False)
    ig = IntegratedGradients(forward).attribute(inputs, baselines=torch.zeros_like(inputs), target=targets,
                                                n_steps=32, method="riemann_middle")
    guided = GuidedBackprop(guided_model or model).attribute(inputs, target=targets)
    occlusion = Occlusion(forward).attribute(inputs, target=targets, sliding_window_shapes=(3, 4, 4), strides=(3, 2, 2),
                                             baselines=0)
    cam = LayerGradCam(forward, gradcam_module).attribute(inputs, target=targets, relu_attributions=True)
    cam_up = F.interpolate(cam, size=inputs.shape[2:], mode="bilinear", align_corners=False)
    tensors = {
        "input": inputs.numpy(), "target": targets.numpy().astype(np.int64), "logits": logits.numpy(),
        "attr.saliency": saliency.detach().numpy(), "attr.integrated_gradients": ig.detach().numpy(),
        "attr.guided_backprop": guided.detach().numpy(), "attr.occlusion": occlusion.detach().numpy(),
        "attr.gradcam": cam.detach().numpy(), "attr.gradcam_upsampled": cam_up.detach().numpy(),
    }
    metadata = {
        "gradcam_layer": layer_node, "opset": str(opset),
        "integrated_gradients": "baseline zeros, 32 steps, midpoint rule",
        "occlusion": "window 4x4, stride 2, baseline 0",
        "guided_backprop": "guided ReLU6 of our own at every ReLU6" if guided_model is not None else "Captum GuidedBackprop",
    }
    save_safetensors(os.path.join(OUT, name + ".safetensors"), tensors, metadata)
    size = os.path.getsize(path) + os.path.getsize(os.path.join(OUT, name + ".safetensors"))
    print(f"{name}: opset {opset}, Grad-CAM layer {layer_node}, {size / 1024:.0f} KiB")


def gradcam_node(path, model, module_path, inputs, opset):
    """The ONNX node name of the output of the module at `module_path` (in this copy of the model):
    export once more with that output added, match it."""
    module = model.get_submodule(module_path)

    class Both(nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, x):
            out = {}
            handle = module.register_forward_hook(lambda m, i, o: out.setdefault("o", o))
            y = self.model(x)
            handle.remove()
            return y, out["o"]
    probe = path + ".probe"
    torch.onnx.export(Both(), inputs, probe, opset_version=opset, dynamo=False, input_names=["input"], output_names=["logits", "layer"])
    graph = onnx.load(probe).graph
    os.remove(probe)
    for node in graph.node:
        if "layer" in node.output:
            return node.name.replace("/model/", "/", 1) if node.name.startswith("/model/") else node.name
    raise SystemExit("Grad-CAM layer not found")


def main():
    """Makes the fixtures named on the command line (default: all three)."""
    os.makedirs(OUT, exist_ok=True)
    chosen = sys.argv[1:] or ["resnet", "mobilenet", "vgg"]
    if "resnet" in chosen:
        torch.manual_seed(0)
        resnet = SmallResNet()
        make("resnet", resnet, "layer2", opset=17, dynamic_batch=True)
    if "mobilenet" in chosen:
        torch.manual_seed(0)
        mobilenet = MobileNetV2(num_classes=CLASSES, width_mult=0.25)
        make("mobilenet", mobilenet, "features.18", opset=11, dynamic_batch=True, guided=GuidedCopy, calibrate=True)
    if "vgg" in chosen:
        torch.manual_seed(0)
        vgg = SmallVGG()
        make("vgg", vgg, "features.10", opset=17, dynamic_batch=False)


def GuidedCopy(model):
    """A copy of `model` with every ReLU6 replaced by the guided ReLU6."""
    guided = copy.deepcopy(model)
    def replace(parent):
        for child_name, child in parent.named_children():
            if isinstance(child, nn.ReLU6):
                setattr(parent, child_name, GuidedReLU6())
            else:
                replace(child)
    replace(guided)
    return guided


if __name__ == "__main__":
    main()
