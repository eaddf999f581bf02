import FinalityEngine
import FinalityFormat
import FinalityInterface
import FinalityTestSupport
import Testing

/// Issue 19, item 4: the case report `w` proposes goes to the working directory, or to
/// HOME when the working directory is inside the node's data dir, never beside the safety
/// file; and a long path is shown whole, on rows of its own, in the prompt and once written.
@Suite("Where w writes the case report, and its name shown whole")
struct ReportPlaceTests {
    static func state(cwd: String?, home: String?, size: Size = .minimum) -> AppState {
        var s = ScreenFixture.state(size: size)
        s.workingDirectory = cwd
        s.home = home
        return s
    }

    static func proposed(_ s: AppState) -> String? {
        var s = s
        _ = press(&s, c("w"))
        return s.prompt?.text
    }

    @Test("the working directory; HOME when the working directory is the data dir or inside it; never the finalizers/ directory")
    func place() throws {
        let file = ScreenFixture.location.file  // /srv/node/data/finalizers/safety.dat
        let name = try #require(Self.proposed(Self.state(cwd: "/home/op/tickets", home: "/home/op")))
        #expect(name.hasPrefix("/home/op/tickets/finality-report-") && name.hasSuffix(".txt"), "\(name)")
        for inside in ["/srv/node/data", "/srv/node/data/finalizers", "/srv/node/data/blocks/retained"] {
            let p = try #require(Self.proposed(Self.state(cwd: inside, home: "/home/op")))
            #expect(p.hasPrefix("/home/op/finality-report-"), "cwd \(inside): \(p)")
            #expect(!p.hasPrefix(PathText.directory(file) + "/"), "beside the safety file: \(p)")
        }
        // A sibling whose name starts like the data dir is not inside it.
        #expect(Self.proposed(Self.state(cwd: "/srv/node/data-old", home: "/home/op"))?.hasPrefix("/srv/node/data-old/finality-report-") == true)
        // The root directory.
        #expect(Self.proposed(Self.state(cwd: "/", home: "/home/op"))?.hasPrefix("/finality-report-") == true)
    }

    /// The rows that start with `path`'s first characters at column 0, joined with the
    /// rows after them: the path whole when it is shown on rows of its own.
    static func joinedRows(_ g: Grid, from path: String) -> String? {
        let rows = (0..<g.size.rows).map { g.text(row: $0) }
        guard let start = rows.firstIndex(where: { $0.hasPrefix(String(path.prefix(20))) }) else { return nil }
        var joined = ""
        for r in rows[start...] {
            var t = Substring(r)
            while t.last == " " { t = t.dropLast() }
            guard joined.count < path.count, !t.isEmpty else { break }
            joined += t
        }
        return joined
    }

    @Test("a long path is shown whole on rows of its own in the prompt and once the report is written, at 80x24", arguments: [Size(columns: 80, rows: 24), Size(columns: 120, rows: 40)])
    func wholePath(_ size: Size) throws {
        let cwd = "/home/operator/" + String(repeating: "a-long-directory-name-for-tickets/", count: 6) + "case-4711"
        var s = Self.state(cwd: cwd, home: "/home/operator", size: size)
        _ = press(&s, c("w"))
        let path = try #require(s.prompt?.text)
        #expect(path.count > 200)
        #expect(Self.joinedRows(Render.render(s), from: path) == path, "\(Render.render(s).text)")
        // Enter asks the runner to write it; written, the status says so, the name whole above it.
        #expect(press(&s, .enter).contains { if case .writeReport(let p, _, _, _) = $0 { p == path } else { false } })
        _ = Core.update(&s, .reportWritten(.success(path)))
        let g = Render.render(s)
        #expect(g.text.contains("report written to the file named above"), "\(g.text)")
        #expect(Self.joinedRows(g, from: path) == path, "\(g.text)")
        for cut in g.cuts where !cut.marked { Issue.record("cut without a mark on row \(cut.row): \(cut.text)") }
        // The next key clears it.
        _ = press(&s, c("j"))
        #expect(Self.joinedRows(Render.render(s), from: path) == nil)
    }
}
