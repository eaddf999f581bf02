import FinalityTestSupport
import Foundation
import Testing

/// The tests' children start with stdin, stdout and stderr only: a file another test has
/// open at that moment never lives on in a child (a tmux server kept one open, and the
/// interlocks refused that other test's reset: "pid N (tmux: server) has …/safety.dat open").
@Suite struct SpawnTests {
    @Test("a descriptor open in the test process (no O_CLOEXEC) is not inherited by Spawn.run's or runToEnd's child")
    func childrenInheritNoDescriptor() throws {
        let dir = try TemporaryPaths.directory("finality-spawn")
        let held = dir + "/held-open.dat"
        FileManager.default.createFile(atPath: held, contents: Data([1, 2, 3]))
        let fd = open(held, O_RDONLY)  // as Foundation opens files: without O_CLOEXEC
        #expect(fd >= 3)
        defer { close(fd) }
        let listing = dir + "/fds.txt"
        let script = "ls -l /proc/$$/fd > \(listing) 2>&1"
        let r = Spawn.run("/bin/sh", ["-c", script], outputFile: dir + "/out.txt")
        #expect(r.status == 0, "\(r.output)")
        let spawned = try String(contentsOfFile: listing, encoding: .utf8)
        #expect(spawned.contains("/proc/") || spawned.contains("->"), "a listing: \(spawned)")
        #expect(!spawned.contains("held-open.dat"), "Spawn.run's child holds the test's file: \(spawned)")
        #expect(runToEnd("/bin/sh", ["-c", script]) == 0)
        let ran = try String(contentsOfFile: listing, encoding: .utf8)
        #expect(!ran.contains("held-open.dat"), "runToEnd's child holds the test's file: \(ran)")
        // Foundation's Process (Child, promtool) closes them itself.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        try p.run()
        p.waitUntilExit()
        let process = try String(contentsOfFile: listing, encoding: .utf8)
        #expect(!process.contains("held-open.dat"), "Process's child holds the test's file: \(process)")
    }
}
