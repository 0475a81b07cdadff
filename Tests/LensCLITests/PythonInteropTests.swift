import Foundation
import LensStudio
import LensData
import LensModels
import LensTensor
import Testing
@testable import LensCLI
import LensTestSupport

/// Runs `python3 ARGUMENTS...`; returns the exit status and what it printed (stdout and stderr).
private func runPython(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

/// Runs python with `arguments` and expects it to agree ("ok", status 0) or to disagree ("MISMATCH", status ≠ 0).
private func expectPython(_ arguments: [String], agrees: Bool, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let (status, output) = try runPython(arguments)
    #expect((status == 0) == agrees, "\(output)", sourceLocation: sourceLocation)
    #expect(output.hasPrefix(agrees ? "ok" : "MISMATCH"), "\(output)", sourceLocation: sourceLocation)
}

/// CI installs numpy and safetensors; elsewhere the test is skipped rather than failed.
private let pythonHasSafetensors: Bool = (try? runPython(["-c", "import safetensors, numpy"]).status) == 0

/// CI installs numpy; elsewhere the .npy test is skipped rather than failed.
private let pythonHasNumpy: Bool = (try? runPython(["-c", "import numpy"]).status) == 0

/// Tests/python/check_model_logits.py, found from this file so it works from any working directory.
private let checkScript = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("python/check_model_logits.py")

@Suite("A model file is usable from Python")
struct PythonInteropTests {
    @Test("a CNN trained by lens gives the same logits in Python (safetensors.numpy, PyTorch semantics)",
          .enabled(if: pythonHasSafetensors, "python3 with numpy and safetensors is not installed"))
    func logitsMatchInPython() throws {
        let scratch = try ScratchFolder()
        let modelPath = scratch.path("cnn.safetensors"), probePath = scratch.path("probe.safetensors")
        // Same padding, pooling, a strided unpadded conv and a flatten of a non-trivial C,H,W block.
        try parse(TrainCommand.self, ["train", "--model", "cnn", "--arch", "conv3x3x4,pool,conv3x3x6s2p0,fc12", "--data", "orl",
                                      "--size", "16", "--epochs", "1", "--out", modelPath]).train()

        let modelFile = try ModelFile(contentsOf: URL(fileURLWithPath: modelPath))
        guard case .network(let network) = modelFile.model else {
            Issue.record("a cnn model file loaded as k-NN")
            return
        }
        let faces = try StudioDataset(named: "orl", preprocessing: modelFile.provenance.preprocessing)
        let input = faces.images(Array(faces.split.test.prefix(6)))
        #expect(input.shape == [6, 1, 16, 16])
        let logits = network.logits(input)
        #expect(logits.shape == [6, 40])
        try SafetensorsFile(tensors: ["input": input, "logits": logits]).write(to: URL(fileURLWithPath: probePath))

        try expectPython([checkScript.path, modelPath, probePath], agrees: true)

        // The check is not vacuous: logits off by a little are caught.
        var wrong = logits
        wrong.scalars[7] += 0.01
        try SafetensorsFile(tensors: ["input": input, "logits": wrong]).write(to: URL(fileURLWithPath: probePath))
        try expectPython([checkScript.path, modelPath, probePath], agrees: false)
    }

    @Test("a map written as .npy loads in numpy.load with its shape, dtype and values",
          .enabled(if: pythonHasNumpy, "python3 with numpy is not installed"))
    func npyLoadsInNumpy() throws {
        let scratch = try ScratchFolder()
        let path = scratch.path("map.npy")
        // Values numpy can recompute: (i − 60) / 8 in C order over [2, 3, 4, 5], one NaN and a -0.
        var scalars = (0..<120).map { Float($0 - 60) / 8 }
        scalars[7] = .nan
        scalars[60] = -0.0
        try NumpyArray.write(Tensor(shape: [2, 3, 4, 5], scalars: scalars), to: URL(fileURLWithPath: path))
        let script = """
        import sys, numpy as np
        a = np.load(sys.argv[1])
        want = ((np.arange(120) - 60) / 8).astype(np.float32).reshape(2, 3, 4, 5)
        want.flat[7] = np.nan
        ok = a.dtype == np.float32 and a.shape == (2, 3, 4, 5) and np.array_equal(a, want, equal_nan=True) and np.signbit(a.flat[60])
        print("ok" if ok else f"MISMATCH {a.dtype} {a.shape} {a.flat[:10]}")
        sys.exit(0 if ok else 1)
        """
        try expectPython(["-c", script, path], agrees: true)

        // The check is not vacuous: one changed value is caught.
        scalars[3] += 0.5
        try NumpyArray.write(Tensor(shape: [2, 3, 4, 5], scalars: scalars), to: URL(fileURLWithPath: path))
        try expectPython(["-c", script, path], agrees: false)
    }

    @Test("a state_dict written by safetensors.numpy with torch names and ImageNet mean/std imports with PyTorch's logits",
          .enabled(if: pythonHasSafetensors, "python3 with numpy and safetensors is not installed"))
    func stateDictImportMatchesPython() throws {
        let scratch = try ScratchFolder()
        let writer = checkScript.deletingLastPathComponent().appendingPathComponent("write_state_dict.py")
        let (status, output) = try runPython([writer.path, scratch.url.path])
        #expect(status == 0, "\(output)")
        let folder = scratch.url
        let normalization = try InputNormalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], channels: 3)
        let importer = StateDictImport(architecture: "conv3x3x4p0,pool,conv3x3x6,pool,fc10",
                                       classNames: try StateDictImport.classNames(contentsOf: folder.appendingPathComponent("classes.txt")),
                                       preprocessing: Preprocessing(size: 10, channels: 3), normalization: normalization)
        let result = try importer.load(contentsOf: folder.appendingPathComponent("state_dict.safetensors"))
        #expect(result.notes.isEmpty)
        #expect(result.model.provenance.classNames == ["airplane", "bird", "cat"])
        let probe = try SafetensorsFile(contentsOf: folder.appendingPathComponent("probe.safetensors"))
        guard case .network(let network) = result.model.model, let input = probe["input"], let expected = probe["logits"] else {
            Issue.record("the import gave no network, or the probe has no input/logits")
            return
        }
        let logits = network.logits(input)
        #expect(logits.shape == expected.shape)
        let worst = zip(logits.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-4, "largest difference from the PyTorch-semantics logits: \(worst)")
        // Not vacuous: without the mean/std the same weights give other logits.
        var raw = importer
        raw.normalization = nil
        guard case .network(let unnormalised) = try raw.load(contentsOf: folder.appendingPathComponent("state_dict.safetensors")).model.model else {
            Issue.record("the import gave no network")
            return
        }
        #expect(zip(unnormalised.logits(input).scalars, expected.scalars).map { abs($0 - $1) }.max() ?? 0 > 0.01)

        // Written as a lens model it keeps PyTorch's names, and Python reads it back (raw pixels now).
        let modelPath = scratch.path("imported.safetensors"), probePath = scratch.path("lens-probe.safetensors")
        try result.model.write(to: URL(fileURLWithPath: modelPath))
        #expect(try SafetensorsFile(contentsOf: URL(fileURLWithPath: modelPath)).names.contains("features.3.weight"))
        try SafetensorsFile(tensors: ["input": input, "logits": logits]).write(to: URL(fileURLWithPath: probePath))
        try expectPython([checkScript.path, modelPath, probePath], agrees: true)
    }
}
