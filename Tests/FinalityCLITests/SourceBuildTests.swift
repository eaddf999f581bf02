import FinalityEngine
import Foundation
import Testing
import FinalityTestSupport

/// Issue 22, item 5: from a source build. A binary in a checkout's `.build` names the
/// checkout's commit; a typo of a command is answered as one.
@Suite struct SourceBuildTests {
    /// A copy of the built binary inside a fake checkout: `<root>/.build/debug/finality`,
    /// `<root>/.git/HEAD` naming a branch whose ref is `hash` (loose or packed).
    static func checkout(hash: String, packed: Bool) throws -> (root: String, binary: String) {
        let root = try TemporaryPaths.directory("finality-checkout")
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/.build/debug", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/.git/refs/heads", withIntermediateDirectories: true)
        try "ref: refs/heads/main\n".write(toFile: root + "/.git/HEAD", atomically: true, encoding: .utf8)
        if packed {
            try "# pack-refs with: peeled fully-peeled sorted\n\(hash) refs/heads/main\n".write(toFile: root + "/.git/packed-refs", atomically: true, encoding: .utf8)
        } else {
            try "\(hash)\n".write(toFile: root + "/.git/refs/heads/main", atomically: true, encoding: .utf8)
        }
        let binary = root + "/.build/debug/finality"
        // After the ref: a build newer than the commit it was made from.
        sleep(1)
        try fm.copyItem(atPath: try #require(BuiltBinary.finality), toPath: binary)
        return (root, binary)
    }

    static func version(_ binary: String) -> String {
        // A copy just written can be "busy" for a moment: another test's child forked while
        // its write descriptor was open holds it until that child execs (ETXTBSY).
        var said = ""
        for _ in 0..<50 {
            let r = Spawn.run(binary, ["--version"], outputFile: NSTemporaryDirectory() + "finality-version-\(getpid()).out")
            said = r.output.trimmingCharacters(in: .whitespacesAndNewlines)
            guard said.contains("Text file busy") else { break }
            usleep(100_000)
        }
        return said
    }

    @Test("a build in a checkout names the checkout's commit (loose ref and packed-refs)", arguments: [false, true])
    func sourceBuildNamesItsCommit(packed: Bool) throws {
        let hash = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
        let (root, binary) = try Self.checkout(hash: hash, packed: packed)
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(Self.version(binary) == "\(ToolVersionText.number) (commit 1a2b3c4d5e6f)")
    }

    @Test("a checkout moved to another commit after the build says so instead of claiming it")
    func checkoutMovedAfterTheBuild() throws {
        let (root, binary) = try Self.checkout(hash: "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", packed: false)
        defer { try? FileManager.default.removeItem(atPath: root) }
        sleep(1)
        try "ffeeddccbbaa00112233445566778899aabbccdd\n".write(toFile: root + "/.git/refs/heads/main", atomically: true, encoding: .utf8)
        #expect(Self.version(binary) == "\(ToolVersionText.number) (commit ffeeddccbbaa?, checked out after this build)")
    }

    @Test("a build from a checkout whose tracked file was changed says -dirty; a file only touched, or changed after the build, does not")
    func dirtyCheckout() throws {
        let root = try TemporaryPaths.directory("finality-dirty")
        defer { try? FileManager.default.removeItem(atPath: root) }
        func git(_ args: String...) throws {
            let r = Spawn.run("/usr/bin/git", ["-C", root, "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"] + args, outputFile: root + "/../git-\(getpid()).out")
            #expect(r.status == 0, "git \(args): \(r.output)")
        }
        try git("init", "-q")
        try FileManager.default.createDirectory(atPath: root + "/Sources", withIntermediateDirectories: true)
        try "let a = 1\n".write(toFile: root + "/Sources/a.swift", atomically: false, encoding: .utf8)
        try "let b = 2\n".write(toFile: root + "/Sources/b.swift", atomically: false, encoding: .utf8)
        try git("add", "Sources")
        try git("commit", "-q", "-m", "one")
        let hash = try String(contentsOfFile: root + "/.git/refs/heads/" + (FileManager.default.contentsOfDirectory(atPath: root + "/.git/refs/heads").first ?? "master"), encoding: .utf8)
        let short = String(hash.prefix(12))
        try FileManager.default.createDirectory(atPath: root + "/.build/debug", withIntermediateDirectories: true)
        let binary = root + "/.build/debug/finality"
        func build() throws {
            usleep(20_000)
            try? FileManager.default.removeItem(atPath: binary)
            try FileManager.default.copyItem(atPath: try #require(BuiltBinary.finality), toPath: binary)
        }
        // Only touched (same content): clean.
        usleep(20_000)
        try "let a = 1\n".write(toFile: root + "/Sources/a.swift", atomically: false, encoding: .utf8)
        try build()
        #expect(Self.version(binary) == "\(ToolVersionText.number) (commit \(short))")
        // Changed, then built: dirty.
        try "let a = 42\n".write(toFile: root + "/Sources/a.swift", atomically: false, encoding: .utf8)
        try build()
        #expect(Self.version(binary) == "\(ToolVersionText.number) (commit \(short)-dirty)")
        // Committed and built: clean again; a change after the build is not this build's.
        try git("commit", "-q", "-am", "two")
        let hash2 = try String(contentsOfFile: root + "/.git/refs/heads/" + (FileManager.default.contentsOfDirectory(atPath: root + "/.git/refs/heads").first ?? "master"), encoding: .utf8)
        try build()
        usleep(20_000)
        try "let b = 3\n".write(toFile: root + "/Sources/b.swift", atomically: false, encoding: .utf8)
        #expect(Self.version(binary) == "\(ToolVersionText.number) (commit \(hash2.prefix(12)))")
    }

    @Test("a typo of a command: unknown command, did you mean, status 2 (not the hidden open's answer)")
    func typoOfACommand() throws {
        let (dir, _) = try Fixture.dataDir()
        let r = BuiltBinary.run(["lsit", dir])
        #expect(r.status == 2)
        #expect(r.stderr.contains("unknown command 'lsit'; did you mean 'list'?"), "\(r.stderr)")
        #expect(!r.stderr.contains("open"), "\(r.stderr)")
        let far = BuiltBinary.run(["frobnicate", dir])
        #expect(far.status == 2)
        #expect(far.stderr.contains("unknown command 'frobnicate'; the commands are: "), "\(far.stderr)")
        // A path still opens (a missing one is said as a path).
        let missing = BuiltBinary.run(["no-such-dir"])
        #expect(!missing.stderr.contains("unknown command"), "\(missing.stderr)")
    }

    @Test("paths typed relative (the data dir, --from) are absolute in the audit record")
    func auditPathsAreAbsolute() throws {
        let (dir, file) = try Fixture.dataDir()
        let parent = (dir as NSString).deletingLastPathComponent
        let name = (dir as NSString).lastPathComponent
        let first = BuiltBinary.run(["delete", dir, "--key", Fixture.key(1).text, "--yes"])
        #expect(first.status == 0, "\(first.stderr)")
        let backup = try #require(Fixture.backups(file).last)
        let relativeBackup = name + "/" + String(backup.dropFirst(dir.count + 1))
        let binary = try #require(BuiltBinary.finality)
        let r = Spawn.run("/bin/sh", ["-c", "cd '\(parent)' && '\(binary)' restore '\(name)' --from '\(relativeBackup)' --yes"], outputFile: parent + "/restore.out")
        #expect(r.status == 0, "\(r.output)")
        let log = try String(contentsOfFile: file + ".audit.jsonl", encoding: .utf8)
        let last = try #require(log.split(separator: "\n").dropLast().last)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(record["restore_from"] as? String == backup, "\(last)")
        #expect(!log.contains("\"\(name)/"), "a relative path in the audit log: \(log)")
    }
}

enum ToolVersionText {
    static let number = "0.1.0"
}
