import FinalityEngine
import FinalityFormat
import FinalityInterface
import Testing
import FinalityTestSupport

/// Nothing cut silently (issue 10, item 9): every screen at 80x24 and 120x40, fed long
/// paths, errors, URLs and backup names. A text that does not fit must end with "…" (or
/// a "N more lines" row), never stop mid-word without a mark.
@Suite struct NothingCutSilentlyTests {
    static let longDir = "/srv/eos/" + String(repeating: "a-very-long-directory-name-", count: 5) + "end/data"
    static let location = Location(file: longDir + "/finalizers/safety.dat", dataDir: longDir)
    static let longURL = "http://finalizer-node-" + String(repeating: "0123456789", count: 8) + ".example.net:8888"
    static let longBackup = longDir + "/finalizers/backups/safety.dat.20261121T115802Z." + String(repeating: "5f1e0a9c3b2d", count: 4) + ".bak"
    static let longError = "cannot open: " + String(repeating: "the disk said something long and unusual ", count: 6) + "TAILWORD"

    /// Tokens (no spaces) that must never be cut without a mark.
    static let tokens = [location.file, longURL, longBackup, "TAILWORD"]

    static func loaded(_ size: Size) -> AppState {
        var s = AppState(location: location, readOnly: false, size: size)
        _ = Core.start(&s)
        var snapshot = ScreenFixture.snapshot(ScreenFixture.savannaFile())
        snapshot.path = location.file
        _ = Core.update(&s, .fileLoaded(.success(snapshot)))
        _ = Core.update(
            &s,
            .libRead([
                LIBAnswer(request: .blocksDir(longDir + "/blocks"), result: .success(ScreenFixture.lib)),
                LIBAnswer(request: .api(longURL, timeoutSeconds: 2), result: .failure(.io(path: longURL, operation: "connect", reason: longError))),
            ]))
        return s
    }

    static let history = HistoryListing(
        backups: [BackupRow(path: longBackup, modified: "2026-11-21 11:58:02", byteCount: 976, sha256: String(repeating: "5f1e0a9c", count: 8), note: "sha256 " + String(repeating: "5f1e0a9c", count: 8) + "; " + longError)],
        records: [AuditRecordInfo(time: "2026-11-21 11:58:03", who: "operator-with-a-long-name (ssh 10.0.0.5)", action: "reset", key: "PUB_BLS_Tg-_KVWMmsNCf…", summary: "line 1: " + longError)],
        auditPath: location.file + ".audit.jsonl", problems: [longError])

    static let scenes: [(String, @Sendable (Size) -> AppState)] = [
        ("entries", { loaded($0) }),
        ("entries-cannot-read", { size in
            var s = AppState(location: location, readOnly: false, size: size)
            _ = Core.update(&s, .fileLoaded(.failure(.io(path: location.file, operation: "open", reason: longError))))
            return s
        }),
        ("lib", { size in
            var s = loaded(size)
            press(&s, c("l"), c("j"))
            return s
        }),
        ("history", { size in
            var s = loaded(size)
            press(&s, c("h"))
            _ = Core.update(&s, .historyLoaded(.success(history)))
            return s
        }),
        ("help", { size in
            var s = loaded(size)
            press(&s, c("?"))
            return s
        }),
        ("status-long", { size in
            var s = loaded(size)
            _ = Core.update(&s, .reportWritten(.failure(.io(path: longBackup, operation: "create", reason: longError))))
            return s
        }),
        ("prompt-long", { size in
            var s = loaded(size)
            press(&s, c("w"))
            type(&s, "/x")
            return s
        }),
        ("diff-long-names", { size in
            var s = loaded(size)
            let diff = FileDiff.compare(old: ScreenFixture.savannaFile(), new: ScreenFixture.savannaFile())
            _ = Core.update(
                &s, .compared(.success(DiffView(title: "Comparison", leftName: longBackup, rightName: location.file, rows: DiffRows.from(diff), notes: [longError]))))
            return s
        }),
        ("wizard-result", { size in
            var s = loaded(size)
            press(&s, c("j"), c("r"), .enter, .enter)
            _ = Core.update(&s, .planComputed(.success(ScreenFixture.resetPlan(s))))
            press(&s, .enter)
            type(&s, s.wizard!.expectedConfirmation)
            press(&s, .enter)
            _ = Core.update(
                &s,
                .applied(
                    .success(
                        ApplyOutcome(
                            backupPath: longBackup, auditRecord: location.file + ".audit.jsonl", newSHA256: String(repeating: "9d2c4b1a", count: 8),
                            nextSteps: [
                                NextStep("Start nodeos: " + longError),
                                NextStep("To undo, restore the backup, or run:", command: "finality restore \(longDir) --from \(longBackup)"),
                                NextStep("Paste the case report into the support ticket:", command: "finality report \(longDir)"),
                            ],
                            checks: [
                                CheckRow(name: "lock on " + longDir + "/state/shared_memory.bin", outcome: .clear, detail: "not locked"),
                                CheckRow(name: "processes using the file", outcome: .clear, detail: "no nodeos process"),
                            ]))))
            return s
        }),
        ("wizard-refused", { size in
            var s = loaded(size)
            press(&s, c("j"), c("r"), .enter, .enter)
            _ = Core.update(&s, .planComputed(.failure(.refused(SafeText(longError + " " + longBackup)))))
            return s
        }),
    ]

    /// The screen's text with each row's margins trimmed and rows joined, so a token
    /// wrapped over rows reads whole again.
    static func joined(_ g: Grid) -> String {
        (0..<g.size.rows).map { r in
            var line = Substring(g.text(row: r))
            while line.first == " " { line = line.dropFirst() }
            while line.last == " " { line = line.dropLast() }
            return String(line)
        }.joined()
    }

    @Test("every screen with long inputs, at 80x24 and 120x40: every cut is marked", arguments: [Size(columns: 80, rows: 24), Size(columns: 120, rows: 40)])
    func everyCutIsMarked(_ size: Size) {
        for (name, make) in Self.scenes {
            let grid = Render.render(make(size))
            for cut in grid.cuts where !cut.marked {
                Issue.record("\(name) at \(size.columns)x\(size.rows): row \(cut.row) cut without a mark: \(cut.text)")
            }
            let text = Self.joined(grid)
            for token in Self.tokens {
                // Enough of the token to tell it from the others (paths share a start).
                let shared = Self.tokens.filter { $0 != token }.map { zip($0, token).prefix { $0 == $1 }.count }.max() ?? 0
                let head = String(token.prefix(max(14, shared + 1)))
                var rest = Substring(text)
                while let r = rest.range(of: head) {
                    let after = rest[r.lowerBound...]
                    // Whole, or a prefix of it followed by the mark.
                    let whole = after.hasPrefix(token)
                    let marked = (head.count..<token.count).contains { n in after.hasPrefix(token.prefix(n) + "…") }
                    if !whole && !marked {
                        Issue.record("\(name) at \(size.columns)x\(size.rows): \(head)… cut without a mark: \(after.prefix(token.count + 4))")
                    }
                    rest = rest[r.upperBound...]
                }
            }
        }
    }

    @Test("a command to copy starts a line of its own at column 0 and its rows join back to it exactly", arguments: [Size(columns: 80, rows: 24), Size(columns: 120, rows: 40), Size(columns: 240, rows: 40)])
    func commandOnItsOwnLine(_ size: Size) {
        var s = Self.scenes.first { $0.0 == "wizard-result" }!.1(size)
        let command = "finality restore \(Self.longDir) --from \(Self.longBackup)"
        // Scroll until the command's rows are all on screen, then join them.
        for _ in 0..<40 {
            let g = Render.render(s)
            let rows = (0..<g.size.rows).map { g.text(row: $0) }
            if let start = rows.firstIndex(where: { $0.hasPrefix("finality restore ") }) {
                var joined = ""
                for r in rows[start...] {
                    let t = Self.trimmed(r)
                    guard r.hasPrefix(t.prefix(1)), !t.isEmpty, joined.count < command.count else { break }
                    joined += t
                }
                if joined == command { return }
            }
            press(&s, c("j"))
        }
        Issue.record("at \(size.columns)x\(size.rows) the undo command never showed whole on rows of its own")
    }

    static func trimmed(_ s: String) -> String {
        var t = Substring(s)
        while t.first == " " { t = t.dropFirst() }
        while t.last == " " { t = t.dropLast() }
        return String(t)
    }

    @Test("the result step scrolls: its last line is reachable at 80x24")
    func resultScrolls() {
        var s = Self.scenes.first { $0.0 == "wizard-result" }!.1(.minimum)
        let first = Render.render(s).text
        #expect(first.contains("j/k Space g G"))
        press(&s, c("G"))
        let last = Render.render(s).text
        #expect(last != first)
        #expect(last.contains("Interlocks while applying") || last.contains("Paste") || last.contains(String(Self.longBackup.suffix(20))))
    }
}
