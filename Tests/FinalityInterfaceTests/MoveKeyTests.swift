import FinalityEngine
import FinalityFormat
import FinalityInterface
import FinalityTestSupport
import Testing

/// Issue 24, item 4: on Entries, `x` exports the selected entry or every entry to a new
/// document (the engine's default name outside the data dir, shown whole, editable), and
/// `i` imports a document through the wizard with the request `finality import` makes.
@Suite("Moving a key: x exports, i imports through the wizard")
struct MoveKeyTests {
    static let longHome = "/home/operator/" + String(repeating: "a-long-directory-for-documents/", count: 5) + "standby"

    /// Entries after `x`, with the runner's default name answered.
    static func exportPrompt(size: Size = .minimum, name: String = longHome + "/finality-export-node-a-20261207T033000Z.json") -> (AppState, [Effect]) {
        var s = ScreenFixture.state(size: size)
        s.workingDirectory = "/srv/node/data"
        s.home = longHome
        let asked = press(&s, c("x"))
        _ = Core.update(&s, .exportProposed(name))
        return (s, asked)
    }

    static func rows(_ g: Grid) -> [String] { (0..<g.size.rows).map { g.text(row: $0) } }

    /// The screen's rows joined with spaces (text wrapped over rows reads as one line).
    static func flat(_ g: Grid) -> String {
        rows(g).map { r in
            var t = Substring(r)
            while t.last == " " { t = t.dropLast() }
            return String(t)
        }.joined(separator: " ")
    }

    @Test("x asks the runner for finality export's default name, from the working directory and HOME (the engine places it outside the data dir)")
    func exportAsksForTheDefaultName() {
        let (s, asked) = Self.exportPrompt()
        #expect(asked == [.proposeExport(ScreenFixture.location, workingDirectory: "/srv/node/data", home: Self.longHome)], "\(asked)")
        #expect(s.prompt?.purpose == .exportPath(allEntries: false))
        #expect(s.prompt?.text == Self.longHome + "/finality-export-node-a-20261207T033000Z.json")
    }

    @Test("the export prompt shows the whole path on rows of its own at 80x24 and 120x40, and what is exported", arguments: [Size.minimum, Size(columns: 120, rows: 40)])
    func exportPromptShowsThePathWhole(_ size: Size) throws {
        var (s, _) = Self.exportPrompt(size: size)
        let path = try #require(s.prompt?.text)
        #expect(path.count > 160)
        var g = Render.render(s)
        #expect(ReportPlaceTests.joinedRows(g, from: path) == path, "\(g.text)")
        for cut in g.cuts where !cut.marked { Issue.record("cut without a mark on row \(cut.row): \(cut.text)") }
        let key = String(ScreenFixture.key(1).text.dropFirst(8).prefix(8))
        #expect(Self.flat(g).contains("Export the selected entry, \(key) (Tab: all 4 entries) to this new file"), "\(g.text)")
        // Tab: every entry.
        press(&s, .tab)
        #expect(s.prompt?.purpose == .exportPath(allEntries: true))
        g = Render.render(s)
        #expect(Self.flat(g).contains("Export all 4 entries (Tab: the selected entry, \(key)) to this new file"), "\(g.text)")
        #expect(ReportPlaceTests.joinedRows(g, from: path) == path, "\(g.text)")
    }

    @Test("Enter exports through the engine: the selected key, or every entry after Tab, with the screen's LIB sources, to the path as edited")
    func exportOrder() throws {
        var (s, _) = Self.exportPrompt()
        s.lib.apiURL = "http://127.0.0.1:8888"
        s.lib.askAPI = true
        var e = press(&s, .enter)
        let sources = Core.defaultLIBRequests(s)
        #expect(sources.contains(.blocksDir("/srv/node/data/blocks")) && sources.contains { if case .api = $0 { true } else { false } }, "\(sources)")
        #expect(e == [.exportDocument(ExportOrder(path: ScreenFixture.location.file, keys: [ScreenFixture.key(1).text], sources: sources, target: s.home! + "/finality-export-node-a-20261207T033000Z.json"))], "\(e)")
        // Every entry, and an edited (relative) name: made absolute against the working directory.
        (s, _) = Self.exportPrompt()
        press(&s, .tab, .control("u"))
        type(&s, "moved.json")
        e = press(&s, .enter)
        #expect(e == [.exportDocument(ExportOrder(path: ScreenFixture.location.file, keys: [], sources: Core.defaultLIBRequests(s), target: "/srv/node/data/moved.json"))], "\(e)")
        // ESC: nothing exported.
        (s, _) = Self.exportPrompt()
        #expect(press(&s, .escape).isEmpty && s.prompt == nil)
    }

    @Test("the result says the path written (whole) and the number of keys; a refusal says its reason in the interface's words")
    func exportResult() throws {
        var (s, _) = Self.exportPrompt()
        press(&s, .tab, .enter)
        let target = Self.longHome + "/finality-export-node-a-20261207T033000Z.json"
        _ = Core.update(&s, .exported(.success(ExportDone(target: target, keyCount: 4, chainID: String(repeating: "ab", count: 32), chainIDSource: "blocks.log /srv/node/data/blocks/blocks.log"))))
        var g = Render.render(s)
        #expect(g.text.contains("exported 4 keys to the document named above"), "\(g.text)")
        #expect(Self.flat(g).contains("Exported 4 keys, chain abababababab… (from blocks.log /srv/node/data/blocks/blocks.log)."), "\(g.text)")
        #expect(Self.flat(g).contains("Before the key votes there it must stop voting here"), "\(g.text)")
        #expect(ReportPlaceTests.joinedRows(g, from: target) == target, "\(g.text)")
        // A node uses the file: the engine's reason, on screen.
        (s, _) = Self.exportPrompt()
        press(&s, .enter)
        _ = Core.update(&s, .exported(.failure(.nodeRunning("a node is using /srv/node/data/finalizers/safety.dat: a document exported now is outdated by its next vote; stop the node first (or --while-running for a look that no import accepts)"))))
        g = Render.render(s)
        #expect(Self.flat(g).contains("Nothing exported: a node is running: a node is using /srv/node/data/finalizers/safety.dat: a document exported now is outdated by its next vote; stop the node first"), "\(g.text)")
        for cut in g.cuts where !cut.marked { Issue.record("cut without a mark on row \(cut.row): \(cut.text)") }
        // No chain id: what to do, in keys (no command-line option).
        (s, _) = Self.exportPrompt()
        press(&s, .enter)
        _ = Core.update(&s, .exported(.failure(.usage("the document must say which chain its votes were cast on: give --blocks-dir DIR or --api URL, or --chain-id HEX (this data dir has no blocks.log with a chain id)"))))
        let status = try #require(s.status)
        let said = Self.flat(Render.render(s))
        #expect(status.kind == .error)
        #expect(said.contains("give a node API of this chain (a on the LIB screen), then x again"), "\(said)")
        #expect(!said.contains("--"), "a command-line option in the interface: \(said)")
    }

    @Test("export is offered read-only too (it writes no safety file); the engine refuses a file a node uses and says why")
    func exportReadOnly() {
        var s = ScreenFixture.state(nodeRunning: "nodeos pid 4242")
        #expect(s.isReadOnly)
        #expect(press(&s, c("x")).contains { if case .proposeExport = $0 { true } else { false } })
        // Import changes the file: absent.
        #expect(press(&s, .escape, c("i")).isEmpty && s.prompt == nil)
    }

    @Test("Help lists x and i; Enter alone opens every field of an entry")
    func help() {
        let x = Bindings.table.first { $0.action == .exportDocument }
        let i = Bindings.table.first { $0.action == .importDocument }
        #expect(x?.keys == [c("x")] && x?.context == .screen(.entries) && x?.mutates == false)
        #expect(i?.keys == [c("i")] && i?.context == .screen(.entries) && i?.mutates == true)
        var s = ScreenFixture.state(size: Size(columns: 120, rows: 400))
        press(&s, c("?"))
        let text = Render.render(s).text
        #expect(text.contains("Export the selected entry, or every entry (Tab), to a document for another node"), "\(text)")
        #expect(text.contains("Import a document from another node (wizard)"), "\(text)")
    }

    @Test("i asks for the document's path, then the wizard reviews the request finality import makes: every key, the screen's LIB readings, the file as seen")
    func importThroughTheWizard() throws {
        var s = ScreenFixture.state()
        press(&s, c("i"))
        #expect(s.prompt?.purpose == .importPath)
        #expect(s.prompt?.text == "/home/operator/", "the place exports go by default: \(s.prompt?.text ?? "")")
        #expect(Render.render(s).text.contains("Import the document at this path"))
        // A directory is not a document.
        #expect(press(&s, .enter).isEmpty && s.wizard == nil)
        press(&s, c("i"))
        type(&s, "moved.json")
        let effects = press(&s, .enter)
        guard case .computePlan(let request)? = effects.first, effects.count == 1 else {
            Issue.record("no plan requested: \(effects)")
            return
        }
        #expect(request.kind == .importDocument(path: "/home/operator/moved.json", keys: []))
        #expect(request.path == ScreenFixture.location.file)
        #expect(request.lib == .readings([ScreenFixture.lib]))
        #expect(request.expectedSHA256 == s.file?.sha256)
        #expect(s.screen == .wizard && s.wizard?.action == .importDocument && s.wizard?.step == .review)
        var text = Render.render(s).text
        #expect(text.contains("Wizard: Import, step 3 of 5"), "\(text)")
        #expect(text.contains("1 Document") && text.contains("(no LIB)"), "\(text)")

        // The engine's review (the merge's sources, the one-key-one-voter note) is shown; Enter confirms.
        let preview = PlanPreview(
            id: 7, request: request, rows: [DiffRow(section: "PUB_BLS_x", field: "entry", before: "(none)", after: "added")], warnings: [],
            notes: ["One key, one voter: before this node votes with an imported key, the source node (node-a, /srv/a/safety.dat) must no longer vote with it"],
            checks: [CheckRow(name: "processes", outcome: .clear, detail: "no nodeos")],
            confirmation: Confirmation(expected: "0123456789ab", hint: "type the first 12 hex digits of the new file's SHA-256"),
            afterSHA256: "0123456789ab" + String(repeating: "0", count: 52))
        _ = Core.update(&s, .planComputed(.success(preview)))
        text = Render.render(s).text
        #expect(text.contains("One key, one voter"), "\(text)")
        press(&s, .enter)
        #expect(s.wizard?.step == .confirm)
        text = Render.render(s).text
        #expect(text.contains("Import the document into /srv/node/data/finalizers/safety.dat"), "\(text)")
        type(&s, "0123456789ab")
        #expect(press(&s, .enter) == [.apply(planID: 7, request: request)])
        // ESC from the review goes back to step 1, which names the document; Enter reviews it again.
        var back = ScreenFixture.state()
        press(&back, c("i"), .control("u"))
        type(&back, "/tmp/doc.json")
        press(&back, .enter, .escape)
        #expect(back.wizard?.step == .chooseEntry)
        #expect(Render.render(back).text.contains("/tmp/doc.json"))
        #expect(press(&back, .enter).contains { if case .computePlan = $0 { true } else { false } })
    }
}
