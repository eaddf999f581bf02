import Foundation
import FinalityFormat
import Testing
import FinalityTestSupport
@testable import FinalityEngine

/// A data dir and a separate safety file directory, for the process tests.
private func layout() throws -> (base: String, dataDir: String, file: String) {
    let (dir, file) = try Fixture.dataDir(Fixture.savannaFile())
    return (PathText.directory(dir), dir, file)
}

private func blocked(_ file: String, dataDir: String?, pid: Int32) -> InterlockCheck {
    Interlocks.scanProcesses(file: file, dataDir: dataDir).check
}

@Suite("Running nodeos processes and the directories they use", .serialized)
struct NodeosScanTests {
    @Test("a nodeos started with -dDIR, --data-d DIR, or a relative --data-dir= against its own cwd is a running node", arguments: [0, 1, 2])
    func spellings(_ which: Int) throws {
        let (base, dir, file) = try layout()
        let args: [String], cwd: String
        switch which {
        case 0: (args, cwd) = (["-d" + dir], "/")
        case 1: (args, cwd) = (["--data-d", dir], "/")
        default: (args, cwd) = (["--data-dir=data"], base)
        }
        let node = try Child.nodeos(args, cwd: cwd)
        defer { node.stop() }
        let check = blocked(file, dataDir: dir, pid: node.pid)
        #expect(check.outcome == .nodeRunning, "\(args): \(check.found)")
        #expect(check.pids.contains(node.pid))
        #expect(check.found.contains("nodeos pid \(node.pid)"))
        #expect(check.found.contains("uses it as") && check.found.contains("runs on the data dir"), "\(check.found)")
    }

    @Test("a safety file outside any data dir, used through --finalizers-dir, blocks; so does one named in config.ini")
    func finalizersDirElsewhere() throws {
        let (_, _, original) = try layout()
        let fin = TemporaryPaths.name("fin")
        try FileManager.default.createDirectory(atPath: fin, withIntermediateDirectories: true)
        let file = fin + "/safety.dat"
        try FileManager.default.copyItem(atPath: original, toPath: file)
        let other = TemporaryPaths.name("otherdata")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        #expect(try Location.resolve(file).dataDir == nil)

        let node = try Child.nodeos(["--data-dir", other, "--finalizers-dir", fin])
        var check = Interlocks.scanProcesses(file: file, dataDir: nil).check
        #expect(check.outcome == .nodeRunning, "\(check.found)")
        #expect(check.found.contains("uses it as \(fin)/safety.dat"))
        node.stop()

        // The same through config.ini in --config-dir, with -c naming the file.
        let config = TemporaryPaths.name("config")
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try Data("# a node\nfinalizers-dir = \(fin)\n".utf8).write(to: URL(fileURLWithPath: config + "/node.ini"))
        let viaConfig = try Child.nodeos(["--data-dir", other, "--config-dir", config, "-c", "node.ini"])
        defer { viaConfig.stop() }
        check = Interlocks.scanProcesses(file: file, dataDir: nil).check
        #expect(check.outcome == .nodeRunning, "\(check.found)")
        #expect(check.pids == [viaConfig.pid])
        // And Apply refuses with exit 4, nothing written.
        let old = Fixture.read(file)
        let plan = try Planner.reset(bytes: old, path: file, key: Fixture.key(1).text, inputs: Fixture.inputs(5190))
        #expect {
            try Apply.run(plan, location: try Location.resolve(file), options: ApplyOptions(context: Fixture.context()))
        } throws: { e in (e as? EngineError)?.status == .nodeRunning }
        #expect(Fixture.read(file) == old)
        #expect(!FileManager.default.fileExists(atPath: fin + "/backups"))
    }

    @Test("a relative finalizers-dir in config.ini is taken under the data dir")
    func relativeFinalizersDir() throws {
        let (_, dir, original) = try layout()
        try FileManager.default.createDirectory(atPath: dir + "/custom", withIntermediateDirectories: true)
        let file = dir + "/custom/safety.dat"
        try FileManager.default.moveItem(atPath: original, toPath: file)
        let config = dir + "/cfg"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try Data("finalizers-dir = custom\n".utf8).write(to: URL(fileURLWithPath: config + "/config.ini"))
        // Its data dir is not this one's parent as the tool would guess: only the config says.
        let node = try Child.nodeos(["--data-dir", dir, "--config-dir", "cfg"], cwd: dir)
        defer { node.stop() }
        let check = Interlocks.scanProcesses(file: file, dataDir: nil).check
        #expect(check.outcome == .nodeRunning, "\(check.found)")
        #expect(check.found.contains("uses it as \(dir)/custom/safety.dat"))
    }

    @Test("a node whose finalizers/safety.dat is a symlink to the real file blocks a write given the real path")
    func symlinkedSafetyFile() throws {
        let (_, _, real) = try layout()
        let nodeData = TemporaryPaths.name("linked")
        try FileManager.default.createDirectory(atPath: nodeData + "/finalizers", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: nodeData + "/finalizers/safety.dat", withDestinationPath: real)
        let node = try Child.nodeos(["--data-dir", nodeData])
        defer { node.stop() }
        let check = Interlocks.scanProcesses(file: real, dataDir: nil).check
        #expect(check.outcome == .nodeRunning, "\(check.found)")
        #expect(check.found.contains("uses it as \(nodeData)/finalizers/safety.dat"))
    }

    @Test("state/shared_memory.bin as a symlink is followed: the lock on its target is found")
    func symlinkedStateLock() throws {
        let (_, dir, _) = try layout()
        let elsewhere = TemporaryPaths.name("state")
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: elsewhere + "/shared_memory.bin", contents: Data(count: 64)))
        try FileManager.default.createSymbolicLink(atPath: dir + "/state/shared_memory.bin", withDestinationPath: elsewhere + "/shared_memory.bin")
        let ready = elsewhere + "/locked"
        let holder = try #require(try Child.lockHolder(elsewhere + "/shared_memory.bin", ready: ready))
        defer { holder.stop() }
        #expect(holder.wait { FileManager.default.fileExists(atPath: ready) })
        let check = Interlocks.probeStateLock(dataDir: dir)
        #expect(check.outcome == .nodeRunning, "\(check.found)")
        #expect(check.found.contains("a symlink to \(elsewhere)/shared_memory.bin, followed"))
        #expect(check.pids == [holder.pid])

        // A symlink to nothing here (the target lives in a container?) cannot be checked: it blocks.
        holder.stop()
        try FileManager.default.removeItem(atPath: dir + "/state/shared_memory.bin")
        try FileManager.default.createSymbolicLink(atPath: dir + "/state/shared_memory.bin", withDestinationPath: "/nonexistent/state/shared_memory.bin")
        let dangling = Interlocks.probeStateLock(dataDir: dir)
        #expect(dangling.outcome == .cannotCheck)
        #expect(dangling.blocks)
    }

    @Test("a nodeos on another data dir does not block, and is listed with the file it uses")
    func elsewhere() throws {
        let (_, dir, file) = try layout()
        let other = TemporaryPaths.name("another")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        let node = try Child.nodeos(["-d", other])
        defer { node.stop() }
        let check = Interlocks.scanProcesses(file: file, dataDir: dir).check
        #expect(check.outcome == .clear, "\(check.found) \(check.unseen)")
        #expect(check.found.contains("nodeos pid \(node.pid) uses \(other)/finalizers/safety.dat"))
        // Issue 22: the one-line summary (the wizard's review) names the process and the path too.
        #expect(check.summary.contains("nodeos pid \(node.pid) uses \(other)/finalizers/safety.dat"), "\(check.summary)")
    }
}

/// A fake /proc: one "nodeos" whose entries a test controls.
private func fakeProc(cmdline: [String], withFD: Bool) throws -> String {
    let root = TemporaryPaths.name("fakeproc")
    let p = root + "/4242"
    try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
    try Data("nodeos\n".utf8).write(to: URL(fileURLWithPath: p + "/comm"))
    try Data(cmdline.map { $0 + "\0" }.joined().utf8).write(to: URL(fileURLWithPath: p + "/cmdline"))
    try Data("Name:\tnodeos\nUid:\t0\t0\t0\t0\n".utf8).write(to: URL(fileURLWithPath: p + "/status"))
    if withFD { try FileManager.default.createDirectory(atPath: p + "/fd", withIntermediateDirectories: true) }
    return root
}

@Suite("Fail closed: a check that cannot be evaluated blocks unless overridden with a reason", .serialized)
struct FailClosedTests {
    @Test("a nodeos whose /proc entries cannot be read blocks the write (exit 1) and says what it could not see")
    func unreadableProcEntry() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let proc = try fakeProc(cmdline: ["/usr/bin/nodeos", "--data-dir", "/srv/other"], withFD: false)
        let report = Interlocks.run(try Location.resolve(dir), procRoot: proc)
        let scan = try #require(report.checks.first { $0.name == "processes" })
        #expect(scan.outcome == .cannotCheck)
        #expect(scan.unseen.contains { $0.contains("\(proc)/4242/fd") })
        #expect(scan.unseen.contains { $0.contains("\(proc)/4242/ns/mnt") })
        let old = Fixture.read(path)
        let plan = try Planner.reset(bytes: old, path: path, key: Fixture.key(1).text, inputs: Fixture.inputs(5190))
        #expect {
            try Apply.run(plan, location: try Location.resolve(dir), options: ApplyOptions(context: Fixture.context(), procRoot: proc))
        } throws: { e in
            (e as? EngineError)?.status == .invalidOrRefused && "\(e)".contains("--override processes")
        }
        #expect(Fixture.read(path) == old)
        #expect(!FileManager.default.fileExists(atPath: dir + "/finalizers/backups"))
    }

    @Test("overridden with a typed reason: the write goes through and the audit record carries the override")
    func overridden() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let proc = try fakeProc(cmdline: ["/usr/bin/nodeos", "--data-dir", "/srv/other"], withFD: false)
        let plan = try Planner.reset(bytes: Fixture.read(path), path: path, key: Fixture.key(1).text, inputs: Fixture.inputs(5190))
        let reason = "pid 4242 is the staging node on /srv/other, checked with ps"
        let result = try Apply.run(
            plan, location: try Location.resolve(dir),
            options: ApplyOptions(context: Fixture.context(), procRoot: proc, overrides: [try InterlockOverride(check: "processes", reason: reason)]))
        #expect(Fixture.read(path) == plan.afterBytes)
        #expect(result.interlocks.checks.first { $0.name == "processes" }?.outcome == .overridden)
        let record = try #require(result.auditRecord)
        #expect(record.overrides?.map(\.check) == ["processes"])
        #expect(record.overrides?.first?.reason == reason)
    }

    @Test("a check that found a node cannot be overridden, nor can one be overridden without a reason")
    func notOverridable() throws {
        #expect(throws: EngineError.self) { try InterlockOverride(check: "processes", reason: "   ") }
        #expect(throws: EngineError.self) { try InterlockOverride(check: "audit-log", reason: "I know what I am doing") }
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let node = try Child.nodeos(["--data-dir", dir])
        defer { node.stop() }
        let old = Fixture.read(path)
        let plan = try Planner.reset(bytes: old, path: path, key: Fixture.key(1).text, inputs: Fixture.inputs(5190))
        #expect {
            try Apply.run(
                plan, location: try Location.resolve(dir),
                options: ApplyOptions(context: Fixture.context(), overrides: [try InterlockOverride(check: "processes", reason: "the node is surely stopped")]))
        } throws: { e in (e as? EngineError)?.status == .nodeRunning }
        #expect(Fixture.read(path) == old)
    }

    @Test("an unlistable /proc blocks (cannot check), it does not pass")
    func noProc() throws {
        let (dir, _) = try Fixture.dataDir(Fixture.savannaFile())
        let report = Interlocks.run(try Location.resolve(dir), procRoot: "/nonexistent-proc")
        #expect(report.checks.first { $0.name == "processes" }?.outcome == .cannotCheck)
        #expect(report.refusal?.status == .invalidOrRefused)
    }
}

/// A nodeos that exits while the scan reads it is a zombie for a moment: its namespaces,
/// cwd and fds are gone before its /proc entry is. The scan's last look treats it as gone
/// (CI once refused a change over "nodeos pid N: /proc/N/ns/mnt: No such file or
/// directory", another test's fake nodeos that had just exited).
@Suite struct ExitedProcessTests {
    @Test("State: Z in /proc/PID/status is an exited process; any other state, or none, is not")
    func zombieState() {
        #expect(NodeosScan.isZombie("Name:\tnodeos\nUmask:\t0022\nState:\tZ (zombie)\nTgid:\t16420\n"))
        #expect(!NodeosScan.isZombie("Name:\tnodeos\nState:\tS (sleeping)\n"))
        #expect(!NodeosScan.isZombie(nil))
    }
}
