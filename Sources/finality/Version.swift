import CLibcrypto
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
    /// "1a2b3c4d5e6f" (the checkout's HEAD, when it is no newer than the executable), with
    /// "-dirty" when a tracked file was changed before the build; "1a2b3c4d5e6f? (the
    /// checkout moved after this build)" otherwise; nil outside a checkout's `.build`.
    static func commitText(executable: String?) -> String? {
        guard let exe = executable, let root = exe.components(before: "/.build/") else { return nil }
        guard let (hash, refPath) = head(root: root) else { return nil }
        let short = String(hash.prefix(12))
        guard let built = try? Sys.status(exe, followLinks: true) else { return short }
        if let moved = try? Sys.status(refPath, followLinks: true).modified, moved > built.modified {
            return short + "?, checked out after this build"
        }
        return short + (changedBefore(built, root: root, gitDir: gitDir(root: root)) ? "-dirty" : "")
    }

    /// Whether a tracked file differed from git's index when the executable was built: its
    /// content (a blob's SHA-1, as git hashes it) is not the one the index names, and it was
    /// last changed no later than the executable. Read from `.git/index` (versions 2 and 3,
    /// git's `Documentation/gitformat-index.txt`), hashing only files whose size or time
    /// differ from the index's record, as `git status` does. A file changed after the
    /// build is not this build's; a change staged but not committed is not seen (that
    /// needs the commit's tree objects), and nor is a deleted file's absence claimed.
    static func changedBefore(_ built: FileStatus, root: String, gitDir: String) -> Bool {
        guard let index = try? Sys.readFile(gitDir + "/index"), index.count >= 12, Array(index[0..<4]) == Array("DIRC".utf8) else { return false }
        func u32(_ at: Int) -> Int { index[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        let version = u32(4), count = u32(8)
        guard version == 2 || version == 3 else { return false }
        var at = 12
        for _ in 0..<count {
            guard at + 62 <= index.count else { return false }
            let mtime = (seconds: Int64(u32(at + 8)), nanoseconds: Int64(u32(at + 12)))
            let mode = u32(at + 24), size = u32(at + 36)
            let blob = Array(index[(at + 40)..<(at + 60)])
            let flags = Int(index[at + 60]) << 8 | Int(index[at + 61])
            var name = at + 62
            if version == 3, flags & 0x4000 != 0 { name += 2 }
            guard let end = index[name...].firstIndex(of: 0) else { return false }
            let path = String(decoding: index[name..<end], as: UTF8.self)
            // 1 to 8 NULs pad the entry to a multiple of 8 bytes.
            at += (end - at + 8) / 8 * 8
            // A regular file (0o100644 or 0o100755); links and submodules are not read.
            guard mode & 0o170000 == 0o100000, let now = try? Sys.status(root + "/" + path, followLinks: false) else { continue }
            let sameStat = now.size == Int64(size) && now.modified == mtime.seconds && (mtime.nanoseconds == 0 || now.modifiedNanoseconds == mtime.nanoseconds)
            guard !sameStat, (now.modified, now.modifiedNanoseconds) <= (built.modified, built.modifiedNanoseconds) else { continue }
            guard let bytes = try? Sys.readFile(root + "/" + path) else { continue }
            if gitBlobSHA1(bytes) != blob { return true }
        }
        return false
    }

    /// git's object id of a file: SHA-1 of "blob <size>\0" and the bytes.
    static func gitBlobSHA1(_ bytes: [UInt8]) -> [UInt8] {
        let object = Array("blob \(bytes.count)".utf8) + [0] + bytes
        var out = [UInt8](repeating: 0, count: 20)
        var length: UInt32 = 0
        guard let c = EVP_MD_CTX_new() else { return out }
        defer { EVP_MD_CTX_free(c) }
        _ = EVP_DigestInit_ex(c, EVP_sha1(), nil)
        _ = object.withUnsafeBytes { EVP_DigestUpdate(c, $0.baseAddress, $0.count) }
        _ = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(c, $0.baseAddress, &length) }
        return out
    }

    static func text(_ path: String) -> String? {
        guard let bytes = try? Sys.readFile(path) else { return nil }
        return String(decoding: bytes, as: UTF8.self).trimmingBlanks
    }

    static func isHash(_ s: String) -> Bool { s.count == 40 && s.allSatisfy { $0.isHexDigit } }

    /// The HEAD commit and the file it was read from (a loose ref, packed-refs, HEAD).
    /// `.git` is a directory, or (a worktree) a file "gitdir: …" with a `commondir`.
    static func gitDir(root: String) -> String {
        let dotGit = root + "/.git"
        guard let pointer = text(dotGit), pointer.hasPrefix("gitdir: ") else { return dotGit }
        let target = String(pointer.dropFirst("gitdir: ".count))
        return target.hasPrefix("/") ? target : root + "/" + target
    }

    static func head(root: String) -> (String, String)? {
        let gitDir = gitDir(root: root)
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
