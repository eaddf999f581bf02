import Foundation

/// Where the package's own files are, found from this file (Tests/Support/PackagePaths.swift),
/// so a test reads them wherever it sits in its target's folders.
public enum PackagePaths {
    /// The package root: the directory holding Package.swift.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    public static let sources = root.appendingPathComponent("Sources")
    public static let tests = root.appendingPathComponent("Tests")

    /// Files the project's own writer made (Fixtures/README.md says what each shows).
    public static let fixtures = root.appendingPathComponent("Fixtures")

    /// nodeos's own sample files, read from `../shared/upstream/` (never copied here).
    public static let upstream = root.deletingLastPathComponent().appendingPathComponent("shared/upstream")

    /// The bytes of `Fixtures/<name>`.
    public static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(name)))
    }
}
