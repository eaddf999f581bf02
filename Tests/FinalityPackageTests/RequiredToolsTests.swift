import Foundation
import FinalityTestSupport
import Testing

/// A green CI run never means "skipped": a machine without tmux or without the built binary
/// is simulated here, and the suites that need them must fail under CI=true.
@Suite("What the tmux and real-binary suites need: skip on a developer's machine, fail under CI")
struct RequiredToolsTests {
    static let root = PackagePaths.root

    @Test("under CI=true a machine without tmux runs the tmux suites, and each test fails naming tmux")
    func ciWithoutTmux() {
        let machine = RequiredTools.Machine(isCI: true, binary: "/x/finality", tmux: nil)
        #expect(RequiredTools.shouldRun(needsTmux: true, on: machine))
        #expect(throws: RequiredTools.Missing.self) { try RequiredTools.require(needsTmux: true, on: machine) }
        do {
            try RequiredTools.require(needsTmux: true, on: machine)
        } catch {
            #expect("\(error)".contains("tmux"))
            #expect(!"\(error)".contains("binary"))
        }
        // Suites that need only the binary are not affected by a missing tmux.
        #expect(throws: Never.self) { try RequiredTools.require(needsTmux: false, on: machine) }
    }

    @Test("under CI=true a machine without the built binary fails every suite that runs it")
    func ciWithoutBinary() {
        let machine = RequiredTools.Machine(isCI: true, binary: nil, tmux: "/usr/bin/tmux")
        #expect(RequiredTools.shouldRun(needsTmux: false, on: machine))
        do {
            try RequiredTools.require(needsTmux: false, on: machine)
            Issue.record("a missing binary was not reported")
        } catch {
            #expect("\(error)".contains("finality binary"))
        }
    }

    @Test("outside CI a missing tool skips the suite (a developer without tmux runs the rest)")
    func developerWithoutTmux() {
        #expect(!RequiredTools.shouldRun(needsTmux: true, on: .init(isCI: false, binary: "/x/finality", tmux: nil)))
        #expect(RequiredTools.shouldRun(needsTmux: false, on: .init(isCI: false, binary: "/x/finality", tmux: nil)))
        #expect(!RequiredTools.shouldRun(needsTmux: false, on: .init(isCI: false, binary: nil, tmux: "/usr/bin/tmux")))
        #expect(RequiredTools.shouldRun(needsTmux: true, on: .init(isCI: false, binary: "/x/finality", tmux: "/usr/bin/tmux")))
    }

    @Test("a test that needs something missing (a tool, root, chattr +i): skipped with its reason outside CI, failed under CI=true")
    func outcomeOfARequirement() {
        #expect(RequiredTools.outcome(true, "root", isCI: true) == .run)
        #expect(RequiredTools.outcome(true, "root", isCI: false) == .run)
        #expect(RequiredTools.outcome(false, "root (to mount a tmpfs)", isCI: false) == .skip("skipped outside CI: needs root (to mount a tmpfs)"))
        #expect(RequiredTools.outcome(false, "root (to mount a tmpfs)", isCI: true) == .fail("missing under CI=true: root (to mount a tmpfs)"))
    }

    @Test("under CI=true require throws what is missing, so the test fails; present, it returns and the test goes on")
    func requireUnderCI() {
        #expect(throws: Never.self) { try RequiredTools.require(true, "python3", isCI: true) }
        #expect(throws: Never.self) { try RequiredTools.require(true, "python3", isCI: false) }
        do {
            try RequiredTools.require(false, "python3 (to hold the state lock as nodeos does)", isCI: true)
            Issue.record("a missing tool under CI=true did not fail the test")
        } catch {
            #expect("\(error)" == "missing under CI=true: python3 (to hold the state lock as nodeos does)")
        }
        // The binary suites' requirement goes through the same rule.
        do {
            try RequiredTools.require(needsTmux: true, on: .init(isCI: true, binary: nil, tmux: nil))
            Issue.record("nothing thrown")
        } catch {
            #expect("\(error)".hasPrefix("missing under CI=true: the built finality binary (swift build), tmux"), "\(error)")
        }
    }

    @Test("tmux is looked for only where it is installed: a candidate list without it finds none")
    func findsNothingWhereNothingIs() throws {
        let dir = TemporaryPaths.name("finality-required")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A file named tmux that is not executable is not tmux.
        FileManager.default.createFile(atPath: dir + "/tmux", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o644])
        #expect(RequiredTools.find([dir + "/tmux", dir + "/none"]) == nil)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/tmux")
        #expect(RequiredTools.find([dir + "/none", dir + "/tmux"]) == dir + "/tmux")
    }

    @Test(".ci/run sets CI=true before the README's test command, so the rules above apply in CI")
    func ciScriptSetsCI() throws {
        let script = try String(contentsOfFile: Self.root.path + "/.ci/run", encoding: .utf8)
        let lines = script.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let export = try #require(lines.firstIndex(of: "export CI=true"), "no `export CI=true` line in .ci/run")
        let test = try #require(lines.lastIndex(of: "swift test"))
        #expect(export < test)
    }
}
