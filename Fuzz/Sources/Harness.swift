import Foundation
import LensFuzzTargets

/// The target to drive, from LENS_FUZZ_TARGET (image, safetensors, model, arch, idx, http); read once.
let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["LENS_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("LENS_FUZZ_TARGET must be one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}()

/// libFuzzer calls this once before any input: the target builds what all inputs share.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    target.prepare()
    return 0
}

/// libFuzzer's entry point: any bytes in, a return (or a thrown error, caught here) out.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    _ = try? target.run(data)
    return 0
}
