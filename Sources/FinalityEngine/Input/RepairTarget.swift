import FoundationEssentials

/// Where a repair writes: like `Location.resolve`, but the file may be missing.
public enum RepairTarget {
    public struct Target: Sendable {
        public var location: Location
        public var absent: Bool
    }

    public static func resolve(_ path: String) throws(EngineError) -> Target {
        if let l = try? Location.resolve(path) { return Target(location: l, absent: false) }
        var isDir = false
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if FileManager.default.fileExists(atPath: absolute, isDirectory: &isDir), isDir {
            // A data dir whose finalizers/safety.dat is missing.
            let dir = absolute + "/finalizers"
            guard FileManager.default.fileExists(atPath: dir) else {
                throw .usage("\(path) has no finalizers/ directory: give the safety file's path (it may be missing) or the data dir")
            }
            return Target(location: Location(file: dir + "/safety.dat", dataDir: absolute), absent: true)
        }
        let parent = PathText.directory(absolute)
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDir), isDir else {
            throw .io(path: path, operation: "open", reason: "neither the file nor its directory exists")
        }
        let grand = PathText.directory(parent)
        let dataDir = PathText.name(parent) == "finalizers" ? grand : nil
        return Target(location: Location(file: absolute, dataDir: dataDir), absent: true)
    }
}
