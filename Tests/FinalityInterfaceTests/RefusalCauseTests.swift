import FinalityFormat
import FinalityTestSupport
import Foundation
import Glibc
import Testing

@testable import FinalityEngine

/// Issue 20, item 4: the write path's refusals name the real cause, looked at when they
/// happen (not guessed from the errno): file gone, a link planted, the immutable flag.
@Suite struct RefusalCauseTests {
    func tempDir() -> String {
        var template = Array("/tmp/finality-cause-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    @Test("a file removed before the write: it is gone, not a permission or a process scan")
    func gone() {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = Apply.openError(.noSuchFileOrDirectory, path: dir + "/safety.dat", what: "open for writing").description
        #expect(text.contains("\(dir)/safety.dat is gone: it was removed or renamed since it was read; nothing written"), "\(text)")
    }

    @Test("a link planted in the file's place: named, with where it points, not owner and mode")
    func linkPlanted() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/safety.dat"
        #expect(symlink("/etc/hostname", path) == 0)
        let text = Apply.openError(.tooManySymbolicLinkLevels, path: path, what: "open for writing").description
        #expect(text.contains("\(path) is now a symbolic link to /etc/hostname: a link was planted in the file's place"), "\(text)")
        #expect(!text.contains("ownership"))
    }

    @Test("the immutable flag is named as the cause")
    func immutable() throws {
        try RequiredTools.require(Capabilities.immutableFiles, Capabilities.immutableFilesNeed)
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/safety.dat"
        FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3]))
        #expect(Capabilities.chattr("+i", path) == 0)
        defer { _ = Capabilities.chattr("-i", path) }
        let text = Apply.openError(.notPermitted, path: path, what: "open for writing").description
        #expect(text.contains("the file has the immutable flag"), "\(text)")
        #expect(WriteObstacle.of(path) == "the file has the immutable flag (lsattr shows i; chattr -i removes it)")
    }
}
