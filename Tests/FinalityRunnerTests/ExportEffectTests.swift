import FinalityEngine
import FinalityFormat
import FinalityInterface
import FinalityRunner
import FinalitySamples
import FinalityTestSupport
import Foundation
import Testing

/// Issue 24, item 4: the interface's `x` runs the engine's one export, as `finality export`
/// does: the same default name, the same document, the same refusals (a node using the
/// file; no chain id), said on screen in the interface's words.
@Suite("x on Entries: the runner's export is finality export's", .serialized)
struct ExportEffectTests {
    static func demo() throws -> (location: Location, home: String) {
        let parent = try TemporaryPaths.directory("finality-export-effect")
        let location = try DemoDataDir.build(parent: parent)
        return (location, PathText.directory(location.dataDir!))
    }

    static func export(_ runner: EngineEffects, _ order: ExportOrder) -> Result<ExportDone, EngineError> {
        guard case .exported(let r) = runner.perform(.exportDocument(order)) else { return .failure(.usage("not an export message")) }
        return r
    }

    static func document(_ path: String) throws -> InterchangeDocument {
        try InterchangeDocument(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    @Test("the default name is finality export's (outside the data dir: HOME when the working directory is inside it)")
    func defaultName() throws {
        let d = try Self.demo()
        let runner = EngineEffects(toolVersion: BuiltBinary.version)
        for (cwd, expected) in [(d.location.dataDir!, "/home/op/"), (d.location.dataDir! + "/finalizers", "/home/op/"), ("/srv/tickets", "/srv/tickets/")] {
            guard case .exportProposed(let name) = runner.perform(.proposeExport(d.location, workingDirectory: cwd, home: "/home/op")) else {
                Issue.record("not a proposal")
                continue
            }
            #expect(name.hasPrefix(expected + "finality-export-") && name.hasSuffix(".json"), "cwd \(cwd): \(name)")
            #expect(!name.hasPrefix(d.location.dataDir! + "/"), "inside the data dir: \(name)")
        }
    }

    @Test("the document x writes is the one finality export writes (entries, chain, source file), and never replaces a file")
    func sameDocumentAsTheCommandLine() throws {
        let d = try Self.demo()
        let runner = EngineEffects(toolVersion: BuiltBinary.version)
        let target = d.home + "/through-x.json"
        let key = try SafetyFileReader.decode(try FileBytes.read(d.location.file)).entries[1].key.text
        let r = Self.export(runner, ExportOrder(path: d.location.file, keys: [key], sources: LIBRequest.defaults(for: d.location), target: target))
        let done = try r.get()
        #expect(done.keyCount == 1 && done.target == target)
        let cli = BuiltBinary.run(["export", d.location.dataDir!, "--key", key, "--out", d.home + "/through-cli.json"])
        #expect(cli.status == 0, "\(cli.stderr)")
        let a = try Self.document(target)
        let b = try Self.document(d.home + "/through-cli.json")
        #expect(a.entries == b.entries && a.chainID == b.chainID && a.chainIDSource == b.chainIDSource)
        #expect(a.exported.path == b.exported.path && a.exported.sha256 == b.exported.sha256 && a.exported.tool == b.exported.tool)
        #expect(a.entries.map(\.key.text) == [key])
        // Every entry.
        let all = try Self.export(runner, ExportOrder(path: d.location.file, keys: [], sources: LIBRequest.defaults(for: d.location), target: d.home + "/all.json")).get()
        #expect(all.keyCount == 6)
        // The same name again: refused, the first document kept.
        let before = try Data(contentsOf: URL(fileURLWithPath: target))
        guard case .failure(let e) = Self.export(runner, ExportOrder(path: d.location.file, keys: [], sources: [], target: target)) else {
            Issue.record("a document replaced a file")
            return
        }
        #expect(e.description.contains("exists"), "\(e)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == before)
    }

    @Test("refused while a node holds the data dir, and without a chain id: nothing written, the reason on screen without a command-line option")
    func refusals() throws {
        let d = try Self.demo()
        let runner = EngineEffects(toolVersion: BuiltBinary.version)
        var state = AppState(location: d.location, readOnly: false, size: .minimum, workingDirectory: d.home, home: d.home)
        func said(_ r: Result<ExportDone, EngineError>) -> String {
            _ = Core.update(&state, .exported(r))
            let g = Render.render(state)
            return (0..<g.size.rows).map { g.text(row: $0) }.joined(separator: "\n")
        }
        // A node holds state/shared_memory.bin (chainbase's fcntl lock).
        let ready = TemporaryPaths.name("finality-lock-ready")
        TemporaryPaths.register(ready)
        let holder = try #require(try Child.lockHolder(d.location.dataDir! + "/state/shared_memory.bin", ready: ready), "python3 is needed to hold an fcntl lock")
        #expect(holder.wait { FileManager.default.fileExists(atPath: ready) })
        let running = Self.export(runner, ExportOrder(path: d.location.file, keys: [], sources: LIBRequest.defaults(for: d.location), target: d.home + "/live.json"))
        holder.stop()
        guard case .failure(.nodeRunning) = running else {
            Issue.record("exported while a node held the data dir: \(running)")
            return
        }
        #expect(!FileManager.default.fileExists(atPath: d.home + "/live.json"))
        var text = said(running)
        #expect(text.contains("Nothing exported: a node is running"), "\(text)")
        // No blocks.log (the chain unknown) and no node API: what to do, in keys.
        try FileManager.default.removeItem(atPath: d.location.dataDir! + "/blocks/blocks.log")
        let unknown = Self.export(runner, ExportOrder(path: d.location.file, keys: [], sources: LIBRequest.defaults(for: d.location), target: d.home + "/nochain.json"))
        guard case .failure = unknown else {
            Issue.record("exported without a chain id: \(unknown)")
            return
        }
        text = said(unknown)
        #expect(text.filter { !$0.isWhitespace }.contains("giveanodeAPIofthischain(aontheLIBscreen),thenxagain"), "\(text)")
        #expect(!text.contains("--"), "a command-line option on the interface's screen: \(text)")
    }
}
