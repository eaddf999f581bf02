/// The one version string: `finality --version` prints it and every audit record and
/// case report carries it (`tool_version`), so a record names the exact build that wrote it.
///
/// `number` is the release (the .deb's version is read from the binary, so bump it here
/// only). `commit` is the git commit the binary was built from: `scripts/build-release.sh`
/// writes it into `ReleaseCommit.generated.swift` (gitignored) and compiles with
/// `-D FINALITY_RELEASE_COMMIT`; a plain `swift build` has no such file contents and says
/// `unknown`, so the string never claims a commit it cannot prove.
public enum ToolVersion {
    public static let number = "0.1.0"

    #if FINALITY_RELEASE_COMMIT
    public static let commit = releaseCommit
    #else
    public static let commit = "unknown"
    #endif

    /// `0.1.0 (commit 1a2b3c4d5e6f)`; `-dirty` after the hash when the tree had uncommitted changes.
    public static let string = "\(number) (commit \(commit))"
}
