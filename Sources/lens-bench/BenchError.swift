enum BenchError: Error, CustomStringConvertible {
    case help
    case usage(String)
    case peers(file: String, problem: String)

    var description: String {
        switch self {
        case .help: return BenchOptions.usage
        case .usage(let problem): return "lens-bench: \(problem)\n\(BenchOptions.usage)"
        case .peers(let file, let problem): return "lens-bench: peer figures \(file): \(problem)"
        }
    }
}
