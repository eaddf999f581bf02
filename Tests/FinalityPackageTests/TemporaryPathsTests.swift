import FinalityTestSupport
import Foundation
import Testing

/// The tests' temp-path helper removes only what it named, directly under the temp dir.
@Suite("TemporaryPaths: tests remove what they make in the temp dir, and nothing else")
struct TemporaryPathsTests {
    @Test("a named directory is fresh, under the temp dir, and removed by remove; paths elsewhere are never touched")
    func namesAndRemovesOnlyItsOwn() throws {
        let dir = try TemporaryPaths.directory("finality-paths")
        #expect(dir.hasPrefix(TemporaryPaths.root + "/finality-paths-"))
        #expect(FileManager.default.fileExists(atPath: dir))
        #expect(TemporaryPaths.name("finality-paths") != TemporaryPaths.name("finality-paths"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/inside"))
        // Not directly under the temp dir: refused, so a typo cannot remove a parent.
        TemporaryPaths.remove(dir + "/inside")
        #expect(FileManager.default.fileExists(atPath: dir + "/inside"))
        for outside in ["/etc", TemporaryPaths.root, TemporaryPaths.root + "/", TemporaryPaths.root + "/..", "relative/path", "/"] {
            TemporaryPaths.remove(outside)
        }
        #expect(FileManager.default.fileExists(atPath: "/etc"))
        #expect(FileManager.default.fileExists(atPath: TemporaryPaths.root))
        #expect(TemporaryPaths.topLevel(of: dir + "/a/b") == dir)
        #expect(TemporaryPaths.topLevel(of: "/somewhere/else") == nil)
        TemporaryPaths.remove(dir)
        #expect(!FileManager.default.fileExists(atPath: dir))
    }
}
