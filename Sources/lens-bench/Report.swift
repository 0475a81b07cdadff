import Foundation
import LensTensor

/// Prints rows as a table (one line each, as they come) or as JSON lines.
struct Report {
    let json: Bool

    func header(peersMeasuredHere: Bool) {
        let source = peersMeasuredHere
            ? "peer figures: --peers file (measured here); rows marked * fall back to peers.json"
            : "peer figures: peers.json, measured on another machine (*); pass --peers for same-machine ratios"
        let lines = ["machine: \(Self.machineLine())",
                     "gemm kernel: \(MatrixMultiply.kernelName), cores: \(Parallel.coreCount)",
                     source,
                     "others: share of the CPUs other processes used during the row (each row first waits up to 10 s for a quiet machine)"]
        if json {
            let info = lines.map { "\"\(Self.escaped($0))\"" }.joined(separator: ", ")
            print("{\"info\": [\(info)]}")
        } else {
            lines.forEach { print($0) }
            print("")
            print(pad("id", 28) + pad("unit", 9) + pad("ours", 11, right: true) + pad("peer", 11, right: true)
                  + "  " + pad("peer name", 10) + pad("speedup", 8, right: true) + pad("others", 8, right: true))
        }
    }

    func row(_ row: BenchRow) {
        if json {
            var fields = ["\"id\": \"\(Self.escaped(row.id))\"", "\"unit\": \"\(row.unit)\"", "\"ours\": \(Self.number(row.ours))",
                          "\"peer\": \(row.peer.map { Self.number($0.value) } ?? "null")",
                          "\"peer_name\": \(row.peer.map { "\"\($0.name)\"" } ?? "null")",
                          "\"speedup\": \(row.speedup.map(Self.number) ?? "null")"]
            if let peer = row.peer { fields.append("\"peer_measured_here\": \(peer.measuredHere)") }
            if let others = row.othersCPU { fields.append("\"others_cpu\": \(String(format: "%.3f", others))") }
            if let gflops = row.gflops { fields.append("\"gflops\": \(Self.number(gflops))") }
            if let ofGemm = row.ofGemm { fields.append("\"of_gemm\": \(String(format: "%.3f", ofGemm))") }
            if let note = row.note { fields.append("\"note\": \"\(Self.escaped(note))\"") }
            print("{" + fields.joined(separator: ", ") + "}")
        } else {
            let peer = row.peer.map { String(format: "%.4g", $0.value) + ($0.measuredHere ? " " : "*") } ?? "-"
            let speedup = row.speedup.map { String(format: "%.2fx", $0) } ?? "-"
            print(pad(row.id, 28) + pad(row.unit, 9) + pad(String(format: "%.4g", row.ours), 11, right: true)
                  + pad(peer, 11, right: true) + "  " + pad(row.peer?.name ?? "-", 10) + pad(speedup, 8, right: true)
                  + pad(row.othersCPU.map { String(format: "%.0f%%", $0 * 100) } ?? "-", 8, right: true)
                  + (row.gflops.map { String(format: "  %.1f GFLOP/s", $0) } ?? "")
                  + (row.ofGemm.map { String(format: " (%.2f of GEMM)", $0) } ?? "")
                  + (row.note.map { "  " + $0 } ?? ""))
        }
    }

    /// Unbuffered, so that long runs show each row as soon as it is measured.
    private func print(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }

    private static func number(_ value: Double) -> String { String(format: "%.6g", value) }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    /// CPU model and the SIMD flags that decide the kernel, from /proc/cpuinfo where there is one.
    static func machineLine() -> String {
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
            return "\(Parallel.coreCount) cores"
        }
        let lines = cpuinfo.split(separator: "\n")
        let model = lines.first { $0.hasPrefix("model name") }.map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        let flags = Set(lines.first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
        let simd = ["avx2", "fma", "avx512f"].filter(flags.contains).joined(separator: " ")
        func field(_ name: String) -> String? {
            lines.first { $0.hasPrefix(name) }.map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) }
        }
        let family = field("cpu family").map { ", family \($0) model \(field("model\t") ?? "?")" } ?? ""
        return "\(Parallel.coreCount) x \(model)\(family) (\(simd.isEmpty ? "no AVX2" : simd))"
    }
}
