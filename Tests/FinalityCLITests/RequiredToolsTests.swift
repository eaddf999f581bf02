import Foundation
import FinalityTestSupport
import Testing

/// A green CI run never means "skipped": a machine without tmux or without the built binary
/// is simulated here, and the suites that need them must fail under CI=true.
@Suite("What the tmux and real-binary suites need: skip on a developer's machine, fail under CI")
struct RequiredToolsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

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
