import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing
@testable import FinalityEngine

/// Where a repair writes. Only a file that does not exist is "missing" (the repair creates
/// it); a symlink loop, a dangling link or a FIFO at the name keeps the message every
/// other command gives (`SafetyFileInput.whyUnreadable`).
@Suite("RepairTarget: missing only when nothing is there")
struct RepairTargetTests {
    /// `<tmp>/…/data/finalizers/` with no safety.dat, and `state/`.
    static func emptyDataDir() throws -> String {
        let data = try TemporaryPaths.directory("finality-repair-target") + "/data"
        try FileManager.default.createDirectory(atPath: data + "/finalizers", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: data + "/state", withIntermediateDirectories: true)
        return data
    }

    static func failure(_ path: String) -> EngineError? {
        do {
            let t = try RepairTarget.resolve(path)
            Issue.record("\(path) resolved to \(t.location.file), absent: \(t.absent)")
            return nil
        } catch {
            return error
        }
    }

    @Test("a missing safety file, named or inside its data dir, is missing: the repair creates it there")
    func missingFile() throws {
        let data = try Self.emptyDataDir()
        let named = try RepairTarget.resolve(data + "/finalizers/safety.dat")
        #expect(named.absent)
        #expect(named.location == Location(file: data + "/finalizers/safety.dat", dataDir: data))
        let viaDir = try RepairTarget.resolve(data)
        #expect(viaDir.absent)
        #expect(viaDir.location == Location(file: data + "/finalizers/safety.dat", dataDir: data))
        let present = try TestFiles.dataDir(Fixture.savannaFile())
        let existing = try RepairTarget.resolve(present.file)
        #expect(!existing.absent && existing.location.file == present.file)
    }

    @Test("a symlink loop at the file's name is a symlink loop, not a missing file")
    func symlinkLoop() throws {
        let data = try Self.emptyDataDir()
        let file = data + "/finalizers/safety.dat"
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: data + "/finalizers/other")
        try FileManager.default.createSymbolicLink(atPath: data + "/finalizers/other", withDestinationPath: file)
        let loop = EngineError.io(path: file, operation: "open", reason: "a symlink loop (too many levels of symbolic links)")
        #expect(Self.failure(file) == loop)
        #expect(Self.failure(data) == loop)
    }

    @Test("a dangling symlink at the file's name is a dangling symlink, not a missing file")
    func danglingLink() throws {
        let data = try Self.emptyDataDir()
        let file = data + "/finalizers/safety.dat"
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: data + "/nowhere")
        let dangling = EngineError.io(path: file, operation: "open", reason: "a dangling symlink (its target does not exist)")
        #expect(Self.failure(file) == dangling)
        #expect(Self.failure(data) == dangling)
    }

    @Test("a FIFO at the file's name is refused without opening it, not taken for a missing file")
    func fifo() throws {
        let data = try Self.emptyDataDir()
        let file = data + "/finalizers/safety.dat"
        #expect(mkfifo(file, 0o600) == 0)
        #expect(Self.failure(file) == .io(path: file, operation: "read", reason: "a FIFO (named pipe), not a regular file: refused without opening it"))
    }

    @Test("neither the file nor its directory: said so; a data dir without finalizers/: said so")
    func nothingThere() throws {
        let data = try Self.emptyDataDir()
        let nowhere = data + "/absent/safety.dat"
        #expect(Self.failure(nowhere) == .io(path: nowhere, operation: "open", reason: "neither the file nor its directory exists"))
        try FileManager.default.removeItem(atPath: data + "/finalizers")
        #expect(Self.failure(data)?.status == .usage)
    }
}

/// `Location.resolve` without Foundation's URL: the same absolute paths as
/// `URL(fileURLWithPath:).standardizedFileURL.path` gave.
@Suite("Location: paths as before")
struct LocationPathTests {
    @Test("relative names, `.`, `..`, repeated and trailing slashes, and `..` behind a symlink give the path Foundation gave")
    func sameAsFoundation() throws {
        let (dir, file) = try TestFiles.dataDir(Fixture.savannaFile())
        let home = (dir as NSString).deletingLastPathComponent
        let elsewhere = try TemporaryPaths.directory("finality-location-link")
        // `link/..` is the link target's parent for the kernel: the path must say so too.
        try FileManager.default.createSymbolicLink(atPath: elsewhere + "/link", withDestinationPath: dir + "/finalizers")
        let cwd = FileManager.default.currentDirectoryPath
        let relative = String(repeating: "../", count: cwd.split(separator: "/").count) + String(dir.dropFirst())
        let inputs = [
            dir, dir + "/", dir + "//", dir + "/.", home + "/./data", home + "//data/", dir + "/finalizers/../",
            file, dir + "/finalizers/./safety.dat", dir + "/state/../finalizers/safety.dat",
            elsewhere + "/link/safety.dat", elsewhere + "/link/../finalizers/safety.dat", relative, relative + "/finalizers/safety.dat",
        ]
        for input in inputs {
            let old = URL(fileURLWithPath: input).standardizedFileURL.path
            #expect(PathText.standardized(input) == old, "\(input)")
            let location = try Location.resolve(input)
            #expect(location.file == file || location.file == old, "\(input): \(location.file)")
        }
        #expect(try Location.resolve(elsewhere + "/link/../finalizers/safety.dat").file == file)
        #expect(try Location.resolve(relative) == Location(file: file, dataDir: dir))
    }
}
