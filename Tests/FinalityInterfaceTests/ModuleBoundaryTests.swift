import Foundation
import Testing

/// The module boundaries style.md asks for, read from the sources themselves: the
/// interface core performs no I/O (no Foundation, no Glibc, none of the engine's entry
/// points that touch disks, processes or networks), and the curses adapter knows only
/// the core and ncurses.
@Suite struct ModuleBoundaryTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    static func swiftFiles(_ module: String) -> [(name: String, text: String)] {
        let dir = sources.appendingPathComponent(module)
        guard let walker = FileManager.default.enumerator(atPath: dir.path) else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted().compactMap { name in
            (try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)).map { (name, $0) }
        }
    }

    static func imports(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ")
            guard let i = words.firstIndex(of: "import"), i + 1 < words.count, words[..<i].allSatisfy({ $0.hasPrefix("@") || $0 == "public" || $0 == "internal" }) else { return nil }
            return String(words[i + 1])
        })
    }

    @Test("the interface core imports only the format and the engine's value types, and calls no I/O")
    func interfaceCoreIsPure() {
        let files = Self.swiftFiles("FinalityInterface")
        #expect(files.count > 10, "sources not found at \(Self.sources.path)")
        let io = [
            "LoadedFile.read", "FileBytes.read", "Interlocks.run", "Apply.run", "ChangeWorkflow.review", "ChangeWorkflow.apply",
            "LIBSources.", ".read()", "FileHistory.read", "CaseReport.text", "Date()", "FileManager", "ProcessInfo",
        ]
        for f in files {
            let extra = Self.imports(f.text).subtracting(["FinalityFormat", "FinalityEngine"])
            #expect(extra.isEmpty, "\(f.name) imports \(extra.sorted())")
            for call in io where f.text.contains(call) {
                Issue.record("\(f.name) calls \(call): effects belong to the runner")
            }
        }
    }

    @Test("the curses adapter knows the interface core and ncurses only")
    func cursesAdapterKnowsOnlyTheCore() {
        let files = Self.swiftFiles("FinalityCurses")
        #expect(!files.isEmpty)
        for f in files {
            let extra = Self.imports(f.text).subtracting(["FinalityInterface", "CNcursesw", "Glibc"])
            #expect(extra.isEmpty, "\(f.name) imports \(extra.sorted())")
        }
    }
}
