import SystemPackage

/// Where a repair writes: like `Location.resolve`, but the file may be missing.
///
/// Only a file that does not exist is missing: nothing at the name, not even a link
/// (`lstat` says ENOENT). Whatever else stops `Location.resolve` (a symlink loop, a
/// dangling link, a FIFO, a name that is not UTF-8, a permission) is reported with its
/// own message, as by every other command: a repair that took a symlink loop for a missing
/// file would try to create the file over the link and be refused with a misleading
/// "appeared since the review".
public enum RepairTarget {
    public struct Target: Sendable {
        public var location: Location
        public var absent: Bool
    }

    public static func resolve(_ path: String) throws(EngineError) -> Target {
        let failure: EngineError
        do { return Target(location: try Location.resolve(path), absent: false) } catch { failure = error }
        guard SafetyFileInput.rawArgument(decodingTo: path) == nil else { throw failure }
        let absolute = PathText.standardized(path)
        if let st = try? Sys.status(absolute, followLinks: true), st.isDirectory {
            // A data dir whose finalizers/safety.dat is missing.
            let dir = absolute + "/finalizers"
            guard Sys.exists(dir) else {
                throw .usage("\(path) has no finalizers/ directory: give the safety file's path (it may be missing) or the data dir")
            }
            let file = dir + "/safety.dat"
            guard nothingAt(file) else { throw SafetyFileInput.whyUnreadable(file) }
            return Target(location: Location(file: file, dataDir: absolute), absent: true)
        }
        guard nothingAt(absolute) else { throw failure }
        let parent = PathText.directory(absolute)
        guard let st = try? Sys.status(parent, followLinks: true), st.isDirectory else {
            throw .io(path: path, operation: "open", reason: "neither the file nor its directory exists")
        }
        let grand = PathText.directory(parent)
        let dataDir = PathText.name(parent) == "finalizers" ? grand : nil
        return Target(location: Location(file: absolute, dataDir: dataDir), absent: true)
    }

    /// Nothing at all at `path`: not a file, not a directory, not even a dangling link.
    static func nothingAt(_ path: String) -> Bool {
        do {
            _ = try Sys.status(path, followLinks: false)
            return false
        } catch {
            return error == .noSuchFileOrDirectory
        }
    }
}
