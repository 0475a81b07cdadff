import Foundation
import Testing

/// ARCHITECTURE.md's module map says what Package.swift says, and every `import` in Sources/ is
/// declared in Package.swift (no module reached only through another).
@Suite struct ArchitectureMapTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Each target of Package.swift and the modules it declares (targets and products by module name).
    static func packageTargets() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let starts = text.matches(of: #/\.(?:target|executableTarget|systemLibrary|testTarget|plugin)\(\s*name:\s*"([^"]+)"/#)
        var targets: [String: Set<String>] = [:]
        for (index, match) in starts.enumerated() {
            let end = index + 1 < starts.count ? starts[index + 1].range.lowerBound : text.endIndex
            let body = text[match.range.upperBound..<end]
            var dependencies = Set<String>()
            if let list = body.firstMatch(of: #/dependencies:\s*\[/#) {
                var depth = 1, position = list.range.upperBound
                while position < body.endIndex && depth > 0 {
                    if body[position] == "[" { depth += 1 } else if body[position] == "]" { depth -= 1 }
                    position = body.index(after: position)
                }
                let inside = String(body[list.range.upperBound..<position]).replacing(#/package:\s*"[^"]*"/#, with: "")
                dependencies = Set(inside.matches(of: #/"([^"]+)"/#).map { String($0.1) })
            }
            targets[String(match.1)] = dependencies
        }
        return targets
    }

    /// The module map's rows: module name and its "depends on" column.
    static func documentedTargets() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("ARCHITECTURE.md"), encoding: .utf8)
        var rows: [String: Set<String>] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 5 else { continue }
            let name = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let dependencies = cells[3] == "—" ? [] : cells[3].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            rows[name] = Set(dependencies)
        }
        return rows
    }

    @Test func theModuleMapMatchesPackageSwift() throws {
        let package = try Self.packageTargets()
        let documented = try Self.documentedTargets()
        #expect(package.count >= 20, "Package.swift parsed to \(package.keys.sorted())")
        #expect(Set(documented.keys) == Set(package.keys),
                "only in Package.swift: \(Set(package.keys).subtracting(documented.keys).sorted()); only in ARCHITECTURE.md: \(Set(documented.keys).subtracting(package.keys).sorted())")
        for (name, dependencies) in package {
            #expect(documented[name] == dependencies, "\(name): Package.swift \(dependencies.sorted()), ARCHITECTURE.md \(documented[name]?.sorted() ?? [])")
        }
    }

    @Test func everyImportIsDeclared() throws {
        let package = try Self.packageTargets()
        let known = Set(package.keys).union(package.values.flatMap { $0 })
        let sources = Self.root.appendingPathComponent("Sources")
        for target in try FileManager.default.contentsOfDirectory(atPath: sources.path) {
            guard let declared = package[target] else { continue }
            let folder = sources.appendingPathComponent(target)
            let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            var imported = Set<String>()
            for file in files {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for match in text.matches(of: #/(?m)^(?:@\w+\s+)?import\s+(\w+)/#) where known.contains(String(match.1)) {
                    imported.insert(String(match.1))
                }
            }
            imported.remove(target)
            #expect(imported.isSubset(of: declared), "\(target) imports \(imported.subtracting(declared).sorted()) without declaring it in Package.swift")
        }
    }
}
