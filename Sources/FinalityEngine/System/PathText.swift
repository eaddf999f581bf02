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
}
