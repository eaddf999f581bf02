import FinalityEngine

/// The one version string: `finality --version` prints it and every audit record and
/// case report carries it (`tool_version`), so a record names the exact build that wrote it.
///
/// `number` is the release (the .deb's version is read from the binary, so bump it here
/// only). `commit` is the git commit the binary was built from:
/// - a release: `scripts/build-release.sh` writes it into `ReleaseCommit.generated.swift`
///   (gitignored) and compiles with `-D FINALITY_RELEASE_COMMIT`;
/// - a source build (`swift build` in a checkout): read at run time from the checkout the
///   executable sits in (`<checkout>/.build/…/finality`: its `.git/HEAD` and the ref it
///   names). Chosen over a build-time plugin (a plugin costs every build a step and a
///   sandbox); a run-time read is cheap and is honest because it also checks that the
///   checkout's HEAD did not move after the binary was built (the ref file is older than
///   the executable), and says so when it did;
/// - otherwise `unknown`: the string never claims a commit it cannot prove.
public enum ToolVersion {
    public static let number = "0.1.0"

    #if FINALITY_RELEASE_COMMIT
    public static let commit = releaseCommit
    #else
    // Outside the fault plan: reading the checkout is not under test, and its calls must
    // not shift the counts a test's FINALITY_FAULT names.
    public static let commit = FaultInjection.outsideWritePath { SourceCheckout.commitText(executable: try? Sys.readLink("/proc/self/exe")) } ?? "unknown"
    #endif

    /// `0.1.0 (commit 1a2b3c4d5e6f)`; `-dirty` after the hash when the tree had uncommitted changes.
    public static let string = "\(number) (commit \(commit))"
}

/// The git checkout a source build's executable sits in, read without running git.
enum SourceCheckout {
    /// "1a2b3c4d5e6f" (the checkout's HEAD, when it is no newer than the executable), "1a2b3c4d5e6f?
    /// (the checkout moved after this build)" otherwise; nil outside a checkout's `.build`.
    static func commitText(executable: String?) -> String? {
        guard let exe = executable, let root = exe.components(before: "/.build/") else { return nil }
        guard let (hash, refPath) = head(root: root) else { return nil }
        let short = String(hash.prefix(12))
        if let built = try? Sys.status(exe, followLinks: true).modified, let moved = try? Sys.status(refPath, followLinks: true).modified, moved > built {
            return short + "?, checked out after this build"
        }
        return short
    }

    static func text(_ path: String) -> String? {
        guard let bytes = try? Sys.readFile(path) else { return nil }
        return String(decoding: bytes, as: UTF8.self).trimmingBlanks
    }

    static func isHash(_ s: String) -> Bool { s.count == 40 && s.allSatisfy { $0.isHexDigit } }

    /// The HEAD commit and the file it was read from (a loose ref, packed-refs, HEAD).
    static func head(root: String) -> (String, String)? {
        // `.git` is a directory, or (a worktree) a file "gitdir: …" with a `commondir`.
        var gitDir = root + "/.git"
        if let pointer = text(gitDir), pointer.hasPrefix("gitdir: ") {
            let target = String(pointer.dropFirst("gitdir: ".count))
            gitDir = target.hasPrefix("/") ? target : root + "/" + target
        }
        guard let head = text(gitDir + "/HEAD") else { return nil }
        if isHash(head) { return (head, gitDir + "/HEAD") }
        guard head.hasPrefix("ref: ") else { return nil }
        let ref = String(head.dropFirst("ref: ".count))
        var dirs = [gitDir]
        if let common = text(gitDir + "/commondir") { dirs.append(common.hasPrefix("/") ? common : gitDir + "/" + common) }
        for dir in dirs {
            if let hash = text(dir + "/" + ref), isHash(hash) { return (hash, dir + "/" + ref) }
        }
        for dir in dirs {
            guard let packed = text(dir + "/packed-refs") else { continue }
            for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
                let hash = String(line.prefix(40))
                if isHash(hash) { return (hash, dir + "/packed-refs") }
            }
        }
        return nil
    }
}

extension String {
    /// The text before the first `marker`, or nil without one.
    fileprivate func components(before marker: String) -> String? {
        let chars = Array(self), m = Array(marker)
        guard chars.count >= m.count else { return nil }
        for i in 0...(chars.count - m.count) where Array(chars[i..<(i + m.count)]) == m { return String(chars[..<i]) }
        return nil
    }

    fileprivate var trimmingBlanks: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        return String(drop(while: blank).reversed().drop(while: blank).reversed())
    }
}
