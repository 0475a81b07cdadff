import Foundation
import LensTensor

// lens-bench: the workloads of ../shared/bench/WORKLOADS.md against the peers' figures.
switch CommandLine.arguments.dropFirst().first {
case TrainingMemory.childFlag:
    TrainingMemory.runChild()
    exit(0)
case ExplanationWorkload.memoryChildFlag:
    ExplanationWorkload.runMemoryChild()
    exit(0)
case RealCNNWorkload.memoryChildFlag:
    RealCNNWorkload.runMemoryChild(model: CommandLine.arguments.dropFirst(2).first ?? RealCNNWorkload.models[0])
    exit(0)
default:
    break
}
do {
    let options = try BenchOptions(arguments: Array(CommandLine.arguments.dropFirst()))
    if let threads = options.threads { Parallel.maximumThreads = threads }
    if let profile = options.profile {
        profile.run()
        exit(0)
    }
    if let table = options.layerTimes {
        table.run(threads: options.threads)
        exit(0)
    }
    guard let referenceFile = Bundle.module.url(forResource: "peers", withExtension: "json") else {
        throw BenchError.peers(file: "peers.json", problem: "not found among lens-bench's resources")
    }
    let peers = try PeerFigures(referenceFile: referenceFile, measuredFile: options.peersFile)
    let report = Report(json: options.json)
    report.header(peersMeasuredHere: options.peersFile != nil)
    var load = MachineLoad.startWhenQuiet()
    let workloads: [any Workload] = options.gemmShapes.isEmpty
        ? allWorkloads.filter { options.selects(group: $0.group) }
        : [GemmProbe(shapes: options.gemmShapes)]
    for workload in workloads {
        workload.run(options: options, peers: peers) { row in
            var row = row
            if row.isTiming { row.othersCPU = load?.othersShare() }
            report.row(row)
            load = MachineLoad.startWhenQuiet()
        }
    }
} catch BenchError.help {
    print(BenchOptions.usage)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(2)
}
