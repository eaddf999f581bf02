import SystemPackage

/// Path text helpers (no NSString): the directory part and the last component.
public enum PathText {
    public static func directory(_ path: String) -> String {
        let p = FilePath(path)
        let d = p.removingLastComponent()
        return d.isEmpty ? "." : d.string
    }

    public static func name(_ path: String) -> String { FilePath(path).lastComponent?.string ?? path }

    /// `path` if absolute, else `base/path` (as nodeos does with its working directory).
    public static func absolute(_ path: String, base: String) -> String {
        if path.hasPrefix("/") { return path }
        return FilePath(base).appending(path).string
    }

    /// `path` made absolute against the working directory, without `.` components, repeated
    /// or trailing slashes, as Foundation's `URL(fileURLWithPath:).standardizedFileURL`
    /// gave it: a path with a `..` component has its symlinks resolved first when it
    /// exists (`a/link/..` is where the kernel goes, the link's target's parent), then the
    /// `..` are removed from the text.
    public static func standardized(_ path: String) -> String {
        let base = (try? Sys.currentDirectory()) ?? "."
        var p = FilePath(absolute(path, base: base))
        if p.components.contains(where: { $0.kind == .parentDirectory }), let real = try? Sys.realPath(p.string) {
            p = FilePath(real)
        }
        return p.lexicallyNormalized().string
    }
}
