import FinalityTestSupport
import Foundation
import Testing

/// The package's shape, read from its own files: what each module may import (style.md's
/// boundaries: the interface core performs no I/O, the curses adapter knows only the core
/// and ncurses, the shipped binary links no full Foundation), and tests laid out beside
/// the sources they test.
@Suite("The package's shape: the import graph, and tests beside their sources")
struct PackageShapeTests {
    @Test("every module under Sources/ has a row in the import table, and every row a module (a new target needs one)")
    func everyModuleHasARow() throws {
        let modules = try ImportGraph.modules(in: PackagePaths.sources)
        #expect(modules.count >= 12, "modules not found at \(PackagePaths.sources.path)")
        for m in modules where ImportGraph.table[m] == nil {
            Issue.record("Sources/\(m) has no row in ImportGraph.table: say what it may import")
        }
        for m in ImportGraph.table.keys where !modules.contains(m) {
            Issue.record("ImportGraph.table has a row for \(m), which is not under Sources/")
        }
    }

    @Test("each module imports only what its row allows: no Foundation or Glibc in the interface core, nothing but the core and ncurses in the adapter, no full Foundation in the shipped binary")
    func importsFollowTheTable() throws {
        let found = try ImportGraph.read(PackagePaths.sources)
        #expect(found.files > 50, "sources not found at \(PackagePaths.sources.path)")
        #expect(found.imports.contains { $0.module == "FinalityInterface" && $0.imported == "FinalityEngine" }, "the reader found no import")
        for v in ImportGraph.violations(found.imports) {
            Issue.record("\(v)")
        }
    }

    @Test("a planted import is found, however it is written; comments and string literals are not imports")
    func plantedImportsAreFound() throws {
        let root = try TemporaryPaths.directory("finality-planted")
        defer { TemporaryPaths.remove(root) }
        func write(_ path: String, _ text: String) throws {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try write("FinalityInterface/Screens/Planted.swift", """
            import FinalityEngine
            @_exported import Foundation
            // import Glibc: a comment is not an import
            /*
            import Glibc
            */
            let script = \"\"\"
                import fcntl, sys
                \"\"\"
            """)
        try write("FinalityCurses/Planted.swift", "#if canImport(Glibc)\n    public import Glibc\n#endif\ninternal import FinalityEngine\n")
        try write("FinalityEngine/Report/Planted.swift", "@preconcurrency import FinalityInterface\n")
        try write("finality/Planted.swift", "import struct Foundation.Date\nimport ArgumentParser\n")
        try write("finality-bench/main.swift", "import Foundation\n")
        try write("NewTarget/New.swift", "import FinalityFormat\n")
        let found = try ImportGraph.read(URL(fileURLWithPath: root))
        #expect(found.files == 6)
        let violations = ImportGraph.violations(found.imports).map(\.description).sorted()
        #expect(
            violations == [
                "FinalityCurses/Planted.swift:4: internal import FinalityEngine (FinalityCurses may import CNcursesw, FinalityInterface, Glibc)",
                "FinalityEngine/Report/Planted.swift:1: @preconcurrency import FinalityInterface (FinalityEngine may import BLS12381, CLibcrypto, Dispatch, FinalityFormat, FoundationEssentials, Glibc, Synchronization, SystemPackage)",
                "FinalityInterface/Screens/Planted.swift:2: @_exported import Foundation (FinalityInterface may import FinalityEngine, FinalityFormat)",
                "NewTarget/New.swift:1: import FinalityFormat (NewTarget has no row in ImportGraph.table)",
                "finality/Planted.swift:1: import struct Foundation.Date (finality may import anything but Foundation, FoundationInternationalization, FoundationNetworking, FoundationXML: use FoundationEssentials, and Glibc for the C library)",
            ], "\(violations)")
    }

    /// Where a test file goes: `Tests/<Target>/<folder>/` mirrors `Sources/<Module>/<folder>/`
    /// (or `<folder>.swift`: `Commands/Reset/` beside `Sources/finality/Commands/Reset.swift`),
    /// as tig keeps one test directory per view.
    static let mirrored: [String: String] = [
        "BLS12381Tests": "BLS12381", "FinalityFormatTests": "FinalityFormat", "FinalityEngineTests": "FinalityEngine",
        "FinalityInterfaceTests": "FinalityInterface", "FinalityRunnerTests": "FinalityRunner", "FinalityCursesTests": "FinalityCurses",
        "FinalityCLITests": "finality",
    ]

    @Test("test folders mirror source folders: each folder of a test target names a folder (or a file) of its module's sources")
    func testFoldersMirrorSourceFolders() throws {
        let fm = FileManager.default
        let targets = try fm.contentsOfDirectory(atPath: PackagePaths.tests.path).filter { $0.hasSuffix("Tests") }
        #expect(Set(targets).isSuperset(of: Self.mirrored.keys), "test targets not found at \(PackagePaths.tests.path)")
        for target in targets.sorted() {
            let dir = PackagePaths.tests.appendingPathComponent(target)
            let entries = try #require(fm.enumerator(atPath: dir.path)).compactMap { $0 as? String }
            let folders = entries.filter { path in
                var isDir: ObjCBool = false
                return fm.fileExists(atPath: dir.appendingPathComponent(path).path, isDirectory: &isDir) && isDir.boolValue
                    && !path.split(separator: "/").contains("Snapshots")
            }
            guard let module = Self.mirrored[target] else {
                #expect(folders.isEmpty, "\(target) tests the package as a whole: no folders, found \(folders)")
                continue
            }
            let sources = PackagePaths.sources.appendingPathComponent(module)
            for folder in folders {
                let asFolder = sources.appendingPathComponent(folder).path
                let asFile = asFolder + ".swift"
                var isDir: ObjCBool = false
                let mirrors = (fm.fileExists(atPath: asFolder, isDirectory: &isDir) && isDir.boolValue) || fm.fileExists(atPath: asFile)
                #expect(mirrors, "Tests/\(target)/\(folder)/ has no Sources/\(module)/\(folder)/ or \(folder).swift beside it")
            }
            // A module whose sources all sit in folders (the engine) has no loose tests.
            let looseSources = try fm.contentsOfDirectory(atPath: sources.path).filter { $0.hasSuffix(".swift") }
            let looseTests = try fm.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".swift") }
            if looseSources.isEmpty {
                #expect(looseTests.isEmpty, "Sources/\(module) keeps every file in a folder: move \(looseTests) into the folder of what each tests")
            }
        }
    }

    /// Not a helper: the BigInt model the BLS tests hold the fast code to.
    static let notSuites: Set<String> = ["BLS12381Tests/Reference.swift"]

    @Test("one place for helpers: every file of a test target holds a suite or a test; shared helpers live in Tests/Support")
    func helpersLiveInSupport() throws {
        let fm = FileManager.default
        let targets = try fm.contentsOfDirectory(atPath: PackagePaths.tests.path).filter { $0.hasSuffix("Tests") }
        var files = 0
        for target in targets {
            let dir = PackagePaths.tests.appendingPathComponent(target)
            for path in try #require(fm.enumerator(atPath: dir.path)).compactMap({ $0 as? String }) where path.hasSuffix(".swift") {
                files += 1
                let name = target + "/" + path
                let text = try String(contentsOf: dir.appendingPathComponent(path), encoding: .utf8)
                let hasTests = text.contains("@Suite") || text.contains("@Test")
                #expect(hasTests || Self.notSuites.contains(name), "Tests/\(name) holds no suite: move its helpers to Tests/Support")
            }
        }
        #expect(files > 50)
    }
}

/// The import graph of the package's modules, read from the sources: every `import` line
/// of every Swift file under Sources/<Module>/, however it is written (`@_exported`,
/// `@preconcurrency`, `public`, `internal`, `import struct Foundation.Date`, indented
/// under `#if`), compared with what each module may import.
enum ImportGraph {
    enum Allowed {
        /// These modules and no other.
        case only(Set<String>)
        /// Any module but these.
        case anythingBut(Set<String>, why: String)
    }

    /// Linking any of these links ICU (43 MB) into the binary: scripts/build-release.sh
    /// refuses such a binary, and this says which file before a release build is tried.
    static let fullFoundation: Set<String> = ["Foundation", "FoundationNetworking", "FoundationXML", "FoundationInternationalization"]
    static let essentialsOnly = "use FoundationEssentials, and Glibc for the C library"

    /// What each module may import. A new target under Sources/ needs a row here.
    static let table: [String: Allowed] = [
        // Pure arithmetic: the standard library only.
        "BLS12381": .only([]),
        // System-library targets: a module map, no Swift.
        "CZlib": .only([]),
        "CNcursesw": .only([]),
        "CLibcrypto": .only([]),
        // Bytes in, bytes out.
        "FinalityFormat": .only(["BLS12381", "CZlib", "Dispatch", "FoundationEssentials", "Glibc", "Synchronization"]),
        // The engine: no interface, no terminal, no command line.
        "FinalityEngine": .only([
            "FinalityFormat", "BLS12381", "CLibcrypto", "SystemPackage", "Dispatch", "FoundationEssentials", "Glibc", "Synchronization",
        ]),
        "FinalitySamples": .only(["FinalityFormat", "FinalityEngine", "BLS12381", "SystemPackage", "FoundationEssentials", "Glibc"]),
        // The pure core: the format and the engine's value types; no Foundation, no Glibc.
        "FinalityInterface": .only(["FinalityFormat", "FinalityEngine"]),
        // The runner performs the core's effects: disks, processes, networks.
        "FinalityRunner": .only([
            "FinalityInterface", "FinalityEngine", "FinalityFormat", "SystemPackage", "Dispatch", "FoundationEssentials", "Glibc", "Synchronization",
        ]),
        // The one ncurses adapter knows the core and ncurses only.
        "FinalityCurses": .only(["FinalityInterface", "CNcursesw", "Glibc"]),
        // The shipped executable and the fixture writer: anything but full Foundation.
        "finality": .anythingBut(fullFoundation, why: essentialsOnly),
        "finality-fixtures": .anythingBut(fullFoundation, why: essentialsOnly),
        // The benchmark is not shipped (it prints figures).
        "finality-bench": .anythingBut([], why: ""),
    ]

    struct Import {
        var module: String
        /// `FinalityInterface/Screens/EntriesScreen.swift`
        var file: String
        var line: Int
        var text: String
        var imported: String
    }

    struct Violation: CustomStringConvertible {
        var found: Import
        var allowed: String
        var description: String { "\(found.file):\(found.line): \(found.text) (\(allowed))" }
    }

    /// The directories under `sources`: one module each.
    static func modules(in sources: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { name in
            var isDir: ObjCBool = false
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: sources.appendingPathComponent(name).path, isDirectory: &isDir)
                && isDir.boolValue
        }.sorted()
    }

    /// Every import of every Swift file of every module under `sources`.
    static func read(_ sources: URL) throws -> (imports: [Import], files: Int) {
        var all = [Import]()
        var files = 0
        for module in try modules(in: sources) {
            let dir = sources.appendingPathComponent(module)
            let names = try #require(FileManager.default.enumerator(atPath: dir.path)).compactMap { $0 as? String }
            for name in names.sorted() where name.hasSuffix(".swift") {
                files += 1
                let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
                all += imports(in: text).map { Import(module: module, file: module + "/" + name, line: $0.line, text: $0.text, imported: $0.module) }
            }
        }
        return (all, files)
    }

    static let attributes: Set<String> = ["public", "package", "internal", "fileprivate", "private"]
    static let kinds: Set<String> = ["struct", "class", "enum", "protocol", "typealias", "func", "var", "let"]

    /// The import lines of one file: (line number, the line, the module imported).
    /// Lines inside block comments and multi-line string literals are skipped.
    static func imports(in text: String) -> [(line: Int, text: String, module: String)] {
        var out = [(line: Int, text: String, module: String)]()
        var inString = false
        var inComment = false
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if inComment {
                if line.contains("*/") { inComment = false }
                continue
            }
            let quotes = line.components(separatedBy: "\"\"\"").count - 1
            if inString {
                if quotes % 2 == 1 { inString = false }
                continue
            }
            if quotes % 2 == 1 { inString = true }
            if line.hasPrefix("/*") && !line.contains("*/") {
                inComment = true
                continue
            }
            var words = line.split(separator: " ").map(String.init)
            while let first = words.first, first.hasPrefix("@") || attributes.contains(first) { words.removeFirst() }
            guard words.count >= 2, words[0] == "import" else { continue }
            let path = kinds.contains(words[1]) && words.count >= 3 ? words[2] : words[1]
            out.append((i + 1, line, String(path.split(separator: ".")[0])))
        }
        return out
    }

    static func violations(_ imports: [Import]) -> [Violation] {
        imports.compactMap { i in
            switch table[i.module] {
            case nil:
                return Violation(found: i, allowed: "\(i.module) has no row in ImportGraph.table")
            case .only(let allowed):
                if allowed.contains(i.imported) { return nil }
                let list = allowed.isEmpty ? "nothing" : allowed.sorted().joined(separator: ", ")
                return Violation(found: i, allowed: "\(i.module) may import \(list)")
            case .anythingBut(let forbidden, let why):
                if !forbidden.contains(i.imported) { return nil }
                return Violation(found: i, allowed: "\(i.module) may import anything but \(forbidden.sorted().joined(separator: ", ")): \(why)")
            }
        }
    }
}
