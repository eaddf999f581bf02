import Foundation
import FinalityFormat
import Testing
import FinalityTestSupport
@testable import FinalityEngine

@Suite("Interlocks: is a node running on this file?", .serialized)
struct InterlockTests {
    @Test("no node: every check is clear and says what it looked at")
    func clear() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        #expect(FileManager.default.createFile(atPath: dir + "/state/shared_memory.bin", contents: Data(count: 64)))
        let report = Interlocks.run(try Location.resolve(path))
        #expect(!report.nodeRunning && !report.busy)
        #expect(report.checks[0].found.contains("not locked"))
        #expect(report.checks[1].checked.contains(path))
    }

    @Test("a process holding the POSIX lock on state/shared_memory.bin is a running node, with its pid")
    func stateLock() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let shm = dir + "/state/shared_memory.bin"
        #expect(FileManager.default.createFile(atPath: shm, contents: Data(count: 64)))
        let ready = dir + "/locked"
        let holder = try #require(try Child.lockHolder(shm, ready: ready), "python3 is needed to hold an fcntl lock")
        defer { holder.stop() }
        #expect(holder.wait { FileManager.default.fileExists(atPath: ready) })
        let check = Interlocks.probeStateLock(dataDir: dir)
        #expect(check.outcome == .nodeRunning)
        #expect(check.pids == [holder.pid])
        #expect(check.found.contains("pid \(holder.pid)"))
        let old = Fixture.read(path)
        let plan = try Planner.reset(bytes: old, path: path, key: Fixture.key(1).text, inputs: Fixture.inputs(5190))
        #expect {
            try Apply.run(plan, location: try Location.resolve(dir), options: ApplyOptions(context: Fixture.context()))
        } throws: { e in (e as? EngineError)?.status == .nodeRunning }
        #expect(Fixture.read(path) == old)
        #expect(!FileManager.default.fileExists(atPath: dir + "/finalizers/backups"))
    }

    @Test("a process named nodeos holding the safety file open is a running node")
    func nodeosHoldsFile() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let nodeos = try Child.fakeNodeos(copying: "/bin/sleep")
        // bash opens the file on fd 3, then becomes "nodeos" (a copy of sleep) keeping it.
        let node = try Child("/bin/bash", ["-c", "exec 3<\"$0\"; exec \"$1\" 120", path, nodeos])
        defer { node.stop() }
        #expect(node.wait { node.comm() == "nodeos" && node.hasOpen(path) })
        let check = Interlocks.scanProcesses(file: path, dataDir: dir).check
        #expect(check.outcome == .nodeRunning)
        #expect(check.pids.contains(node.pid))
        #expect(check.found.contains("nodeos pid \(node.pid) has it open (\(path))"))
        let old = Fixture.read(path)
        let plan = try Planner.reset(bytes: old, path: path, key: Fixture.key(1).text, inputs: Fixture.inputs(5190))
        #expect {
            try Apply.run(plan, location: try Location.resolve(dir), options: ApplyOptions(context: Fixture.context()))
        } throws: { e in (e as? EngineError)?.status == .nodeRunning }
        #expect(Fixture.read(path) == old)
    }

    @Test("a nodeos working in the data dir, or started with --data-dir pointing at it, is a running node")
    func nodeosUsesDataDir() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let sleeper = try Child.fakeNodeos(copying: "/bin/sleep")
        let inDir = try Child(sleeper, ["120"], cwd: dir)
        defer { inDir.stop() }
        #expect(inDir.wait { inDir.comm() == "nodeos" })
        var check = Interlocks.scanProcesses(file: path, dataDir: dir).check
        #expect(check.outcome == .nodeRunning)
        #expect(check.found.contains("works in the data dir"))
        inDir.stop()

        // A copy of bash named nodeos, so that its command line can carry --data-dir.
        let shell = try Child.fakeNodeos(copying: "/bin/bash")
        let withFlag = try Child(shell, ["-c", "while :; do sleep 0.2; done", "nodeos", "--data-dir", dir], cwd: "/")
        defer { withFlag.stop() }
        // exec sets the name before the new argument area: /proc/PID/cmdline can still be
        // empty while comm already says nodeos. Wait for both.
        #expect(withFlag.wait { withFlag.comm() == "nodeos" && withFlag.commandLine().contains("--data-dir") })
        check = Interlocks.scanProcesses(file: path, dataDir: dir).check
        #expect(check.outcome == .nodeRunning)
        #expect(check.found.contains("runs on the data dir (\(dir))"))
    }

    @Test("a HotStuff node working in the directory of safety_db.dat (it wrote the file relative to its cwd) is a running node")
    func hotStuffNodeCwd() throws {
        let dir = TemporaryPaths.name("hotstuff-node")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/safety_db.dat"
        #expect(FileManager.default.createFile(atPath: path, contents: Data([0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01, 0])))
        let node = try Child(try Child.fakeNodeos(copying: "/bin/sleep"), ["120"], cwd: dir)
        defer { node.stop() }
        #expect(node.wait { node.comm() == "nodeos" })
        let check = Interlocks.scanProcesses(file: path, dataDir: try Location.resolve(path).dataDir).check
        #expect(check.outcome == .nodeRunning)
        #expect(check.found.contains("works in the file's directory"))
    }

    @Test("a nodeos on another data dir is mentioned but does not block")
    func nodeosElsewhere() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let sleeper = try Child.fakeNodeos(copying: "/bin/sleep")
        let other = try Child(sleeper, ["120"], cwd: "/")
        defer { other.stop() }
        #expect(other.wait { other.comm() == "nodeos" })
        let check = Interlocks.scanProcesses(file: path, dataDir: dir).check
        #expect(check.outcome == .clear)
        // Listed among the nodes elsewhere (other suites' nodes may run at the same time).
        #expect(check.found.contains("elsewhere: ") && check.found.contains("nodeos pid \(other.pid) uses "), "\(check.found)")
    }

    @Test("any other process holding the safety file open makes a write refused (exit 1), not a node (exit 4)")
    func otherHolder() throws {
        let (dir, path) = try Fixture.dataDir(Fixture.savannaFile())
        let holder = try Child("/bin/bash", ["-c", "exec 3<\"$0\"; exec sleep 120", path])
        defer { holder.stop() }
        #expect(holder.wait { holder.comm() == "sleep" && holder.hasOpen(path) })
        let check = Interlocks.scanProcesses(file: path, dataDir: dir).check
        #expect(check.outcome == .busy)
        #expect(check.pids == [holder.pid])
        let plan = try Planner.reset(bytes: Fixture.read(path), path: path, key: Fixture.key(1).text, inputs: Fixture.inputs(5190))
        #expect {
            try Apply.run(plan, location: try Location.resolve(dir), options: ApplyOptions(context: Fixture.context()))
        } throws: { e in (e as? EngineError)?.status == .invalidOrRefused }
    }

    @Test("without a known data dir the state lock is not probed, and the report says so")
    func noDataDir() throws {
        let check = Interlocks.probeStateLock(dataDir: nil)
        #expect(check.outcome == .notChecked)
        #expect(check.found.contains("no lock file to probe"))
        #expect(!check.blocks)
    }
}
