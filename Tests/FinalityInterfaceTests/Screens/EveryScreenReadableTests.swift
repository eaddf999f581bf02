import FinalityEngine
import FinalityFormat
import FinalityInterface
import Testing
import FinalityTestSupport

/// Issue 22, item 1: everything on a screen can be read. Every screen at 80x24 with long
/// content (many keys, long paths, long warnings): no text is cut behind a "… N more
/// lines" row, and paging with Space from `g` reaches the last line of every scrolling
/// view (each page a full page less one line).
@Suite struct EveryScreenReadableTests {
    static let tail = "TAILWORD-END-OF-TEXT"
    static let longDetails = (1...14).map { "detail line \($0) of what the source said about its LIB" } + ["the last detail: " + tail]

    static func damaged() -> AppState {
        ScreenFixture.state(size: .minimum, nodeKeys: ScreenFixture.nodeKeys, bytes: ScreenFixture.truncatedBytes)
    }

    /// A reset of entry 1 through the wizard, up to its typed confirmation and Enter
    /// (the result screen waits for `applied`).
    static func resetConfirmed() -> AppState {
        var s = ScreenFixture.state()
        press(&s, c("j"), c("r"), .enter, .enter)
        _ = Core.update(&s, .planComputed(.success(ScreenFixture.resetPlan(s))))
        press(&s, .enter)
        type(&s, s.wizard!.expectedConfirmation)
        press(&s, .enter)
        return s
    }

    /// LIB answers whose details are long (a blocks.log with a story to tell).
    static func withLongDetails(_ s: inout AppState) {
        var reading = ScreenFixture.lib
        reading.details = longDetails
        _ = Core.update(&s, .libRead([LIBAnswer(request: .blocksDir("/srv/node/data/blocks"), result: .success(reading))]))
    }

    static let scenes: [(name: String, make: @Sendable () -> AppState, mustRead: [String])] = [
        ("help", {
            var s = ScreenFixture.state()
            press(&s, c("?"))
            return s
        }, ["step 4 is confirmed."]),
        ("lib-details", {
            var s = ScreenFixture.state()
            withLongDetails(&s)
            press(&s, c("l"))
            return s
        }, [tail]),
        ("repair-step-1", {
            var s = damaged()
            press(&s, c("R"))
            return s
        }, ["what is lost."]),
        ("repair-step-2-details", {
            var s = damaged()
            withLongDetails(&s)
            press(&s, c("R"), .enter)
            return s
        }, [tail]),
        ("repair-review", {
            var s = damaged()
            press(&s, c("R"), .enter, .enter)
            _ = Core.update(&s, .planComputed(.success(ScreenFixture.repairPlan(s))))
            return s
        }, ["Interlocks:", "processes using the file or data dir"]),
        ("reset-review", {
            var s = ScreenFixture.state()
            press(&s, c("j"), c("r"), .enter, .enter)
            var plan = ScreenFixture.resetPlan(s)
            plan.warnings += (1...12).map { "warning \($0): a long warning that the operator must read before going on" } + [tail]
            _ = Core.update(&s, .planComputed(.success(plan)))
            return s
        }, [tail, "processes using the file or data dir"]),
        ("reset-result", {
            var s = resetConfirmed()
            let outcome = ApplyOutcome(
                backupPath: "/srv/node/data/finalizers/backups/safety.dat.20261121T115802Z.5f1e0a9c3b2d.bak",
                auditRecord: "/srv/node/data/finalizers/safety.dat.audit.jsonl", newSHA256: String(repeating: "9d2c4b1a", count: 8),
                nextSteps: (1...6).map { NextStep("step \($0): a long next step the operator should read and follow after the change") } + [NextStep(tail)],
                checks: (1...6).map { CheckRow(name: "interlock \($0)", outcome: .clear, detail: "clear") })
            _ = Core.update(&s, .applied(.success(outcome)))
            return s
        }, [tail, "interlock 6: clear"]),
        ("history-many-records", {
            var s = ScreenFixture.state()
            press(&s, c("h"))
            var listing = ScreenFixture.backups
            listing.records = (1...14).map { i in
                AuditRecordInfo(time: "2026-11-20 09:15:\(10 + i)", who: "alice", action: "reset", key: "PUB_BLS_Tg-_KVWMmsNCf…", summary: "line \(i): record number \(i)")
            }
            _ = Core.update(&s, .historyLoaded(.success(listing)))
            return s
        }, ["line 1: record number 1", "line 14: record number 14"]),
        ("history-long-backup-note", {
            // A damaged backup's verdict is long: its note (SHA-256, then what nodeos makes
            // of it) was cut to two rows with "…".
            var s = ScreenFixture.state()
            press(&s, c("h"))
            var listing = ScreenFixture.backups
            listing.backups[0].note = "sha256 " + listing.backups[0].sha256 + "; nodeos will REFUSE this file: "
                + (1...8).map { "finding \($0): offset 0x1F2 (498), entry 2, the file ends inside the entry" }.joined(separator: "; ") + "; " + tail
            _ = Core.update(&s, .historyLoaded(.success(listing)))
            return s
        }, [tail, "line 2: SHA-256 5f1e0a9c3b2d"]),
        ("reset-result-long-directory", {
            // A data dir deeper than a row is wide: the undo's cd line was cut at the edge.
            var s = resetConfirmed()
            let dir = "/srv/" + (1...6).map { "node-\($0)-with-a-long-directory-name" }.joined(separator: "/") + "/finalizers/backups"
            let outcome = ApplyOutcome(
                backupPath: dir + "/safety.dat.20261121T115802Z.5f1e0a9c3b2d.bak",
                auditRecord: "/srv/node/data/finalizers/safety.dat.audit.jsonl", newSHA256: String(repeating: "9d2c4b1a", count: 8),
                nextSteps: [NextStep("To undo, run:", command: "finality restore ../.. --from safety.dat.20261121T115802Z.5f1e0a9c3b2d.bak", directory: dir)],
                checks: [])
            _ = Core.update(&s, .applied(.success(outcome)))
            return s
        }, ["cd \"$d\"", "finality restore ../.. --from safety.dat.20261121T115802Z.5f1e0a9c3b2d.bak", "d=\"$d\"/finalizers/backups"]),
        ("entries-zoomed", {
            var s = ScreenFixture.state(nodeKeys: ScreenFixture.nodeKeys)
            press(&s, c("j"), .enter)
            return s
        }, []),
        ("diff", {
            var s = ScreenFixture.state()
            var after = ScreenFixture.savannaFile()
            for i in after.entries.indices { after.entries[i].state = .savanna(SavannaSafety(lastVote: .empty, lock: .empty)) }
            let diff = FileDiff.compare(old: ScreenFixture.savannaFile(), new: after)
            _ = Core.update(&s, .compared(.success(DiffView(title: "Comparison", leftName: "a", rightName: "b", rows: DiffRows.from(diff), notes: [tail]))))
            return s
        }, [tail]),
    ]

    /// Every frame from `g`, then Space until the screen stops changing.
    static func pages(_ state: AppState) -> [Grid] {
        var s = state
        press(&s, c("g"))
        var frames = [Render.render(s)]
        for _ in 0..<100 {
            press(&s, c(" "))
            let g = Render.render(s)
            if g == frames.last { break }
            frames.append(g)
        }
        return frames
    }

    @Test("every screen at 80x24 with long content: nothing behind a 'more lines' mark, and Space from g reaches the end")
    func everyScreenReadableToItsEnd() {
        for scene in Self.scenes {
            let frames = Self.pages(scene.make())
            let seen = frames.map(\.text).joined(separator: "\n")
            for (i, f) in frames.enumerated() where f.text.contains("more line") {
                Issue.record("\(scene.name), page \(i + 1): text cut behind a 'more lines' mark that no key scrolls:\n\(f.text)")
            }
            for text in scene.mustRead where !seen.contains(text) {
                Issue.record("\(scene.name): \"\(text)\" is never shown, whatever page:\n\(frames.last!.text)")
            }
            // An overflowing view's last page says it shows the last line.
            if let last = frames.last?.text, let r = last.range(of: #"lines [0-9,]+-([0-9,]+) of ([0-9,]+)"#, options: .regularExpression) {
                let parts = last[r].split(whereSeparator: { $0 == " " || $0 == "-" })
                #expect(parts[2] == parts[4], "\(scene.name): the last page is not the end: \(last[r])")
            }
        }
    }

    @Test("Space pages by a full page less one line: the last line of a page is the first of the next")
    func spacePagesByAPageLessOne() {
        var s = ScreenFixture.state()
        press(&s, c("?"))
        let first = Render.render(s).text
        guard let r = first.range(of: #"lines 1-([0-9]+) of"#, options: .regularExpression) else {
            Issue.record("Help does not overflow at 80x24 or says no position:\n\(first)")
            return
        }
        let shown = Int(first[r].dropFirst("lines 1-".count).prefix { $0.isNumber })!
        press(&s, c(" "))
        #expect(Render.render(s).text.contains("lines \(shown)-"), "\(Render.render(s).text)")
        // The last body row of page 1 is the first body row of page 2.
        let page1 = Render.render({ var t = s; press(&t, c("g")); return t }())
        let page2 = Render.render(s)
        #expect(page1.text(row: shown) == page2.text(row: 1))
        press(&s, c("G"))
        let end = Render.render(s).text
        let whole = first.range(of: #"lines 1-[0-9]+ of [0-9,]+"#, options: .regularExpression).map { first[$0] } ?? ""
        let total = whole.split(separator: " ").last.map(String.init) ?? "?"
        #expect(end.contains("-\(total) of \(total) "), "G shows the last line: \(end)")
        press(&s, c("g"))
        #expect(Render.render(s).text == first)
    }

    @Test("Entries: Space pages the list by a page less one line (its last row shown becomes its first), and back")
    func entriesPageByAPageLessOne() throws {
        var file = ScreenFixture.savannaFile()
        let first = file.entries[0]
        file.entries = (1...40).map { i in
            var e = first
            e.key = ScreenFixture.key(UInt8(100 + i))
            return e
        }
        var s = ScreenFixture.state(file: file)
        func shown(_ s: AppState) -> [Int] {
            // The list's rows: "   N " at the start of a row, N the entry's number.
            Render.render(s).text.split(separator: "\n").compactMap { row -> Int? in
                let t = row.prefix(5).drop { $0 == " " }
                guard row.count > 5, row.first == " ", row.dropFirst(4).first == " " || row.dropFirst(4).first?.isNumber == true else { return nil }
                return Int(t.prefix { $0.isNumber })
            }
        }
        let page1 = shown(s)
        #expect(page1.count >= 3, "\(Render.render(s).text)")
        press(&s, c(" "))
        let page2 = shown(s)
        #expect(page2.first == page1.last, "page 1 \(page1), page 2 \(page2):\n\(Render.render(s).text)")
        #expect(page2.count == page1.count)
        press(&s, c(" "))
        #expect(shown(s).first == page2.last)
        // j within the page does not scroll; PgUp goes back a page less one.
        press(&s, c("j"))
        #expect(shown(s).first == page2.last)
        press(&s, .pageUp)
        #expect(shown(s) == page2, "\(Render.render(s).text)")
    }

    @Test("every screen's key bar fits 80 columns whole: no key is left to the bar's '…?' mark")
    func keyBarsFit() {
        var scenes: [(String, AppState)] = []
        var s = ScreenFixture.state()
        scenes.append(("entries", s))
        scenes.append(("entries-refused", Self.damaged()))
        for (name, key) in [("lib", "l"), ("diff", "v"), ("history", "h"), ("help", "?")] {
            var t = ScreenFixture.state()
            press(&t, c(Character(key)))
            scenes.append((name, t))
        }
        s.lib.askAPI = true
        press(&s, c("j"), c("W"))
        scenes.append(("watch", s))
        press(&s, c("n"))
        scenes.append(("network", s))
        for (name, state) in scenes {
            let bar = Render.render(state).text(row: state.size.rows - 1)
            #expect(!bar.contains("\(Grid.cutMark)?"), "\(name): \(bar)")
        }
    }

    /// Scenes whose engine text names options: the interface must name its keys instead.
    static let optionScenes: [(name: String, make: @Sendable () -> AppState)] = [
        ("repair-step-1-no-keys", {
            var s = ScreenFixture.state(size: .minimum, nodeKeys: ScreenFixture.noNodeKeys, bytes: ScreenFixture.truncatedBytes)
            press(&s, c("R"))
            return s
        }),
        ("reset-review-engine-hints", {
            var s = ScreenFixture.state()
            press(&s, c("j"), c("r"), .enter, .enter)
            var plan = ScreenFixture.resetPlan(s)
            plan.warnings.append("no evidence of its last vote but LIB: if it voted after LIB, a double vote becomes possible; give --api URL of nodes that track its votes")
            plan.checks.append(CheckRow(name: "processes", outcome: .notChecked, detail: "/proc is not readable: --override processes \"why\" to go on"))
            _ = Core.update(&s, .planComputed(.success(plan)))
            return s
        }),
        ("lib-error-hint", {
            var s = ScreenFixture.state()
            _ = Core.update(
                &s,
                .libRead([
                    LIBAnswer(
                        request: .blocksDir("/srv/node/data/blocks"),
                        result: .failure(.usage("no blocks.log (a node with block-log-retain-blocks = 0 keeps no log: use --api or --lib-id)")))
                ]))
            press(&s, c("l"))
            return s
        }),
        ("read-only-help", {
            var s = ScreenFixture.state(readOnly: true)
            press(&s, c("?"))
            return s
        }),
    ]

    @Test("no screen names a command-line option (--api URL, --config-dir, --override …): the interface names its keys")
    func noCommandLineOptionOnAnyScreen() {
        let all = Self.scenes.map { ($0.name, $0.make) } + Self.optionScenes.map { ($0.name, $0.make) }
        for (name, make) in all {
            for f in Self.pages(make()) {
                // A command to copy is the command line's own (after a cd line): it keeps its options.
                for row in f.text.split(separator: "\n") where row.contains("--") && !row.hasPrefix("finality ") {
                    Issue.record("\(name): a command-line option on the interface: \(row)")
                }
            }
        }
        // The interface's words for them.
        var s = Self.optionScenes[1].make()
        var seen = Self.pages(s).map(\.text).joined(separator: "\n")
        #expect(seen.contains("a node API (a on the LIB screen)"), "\(seen)")
        s = Self.optionScenes[0].make()
        seen = Self.pages(s).map(\.text).joined(separator: "\n")
        #expect(seen.contains("config-dir option"), "\(seen)")
    }
}
