import FinalityFormat
import SystemPackage

/// Where things are: PATH is a safety file or a nodeos data dir.
public struct Location: Hashable, Sendable {
    /// The safety file itself.
    public var file: String
    /// The data dir (holding `finalizers/`, `blocks/`, `state/`), when it is known.
    public var dataDir: String?

    public init(file: String, dataDir: String?) {
        self.file = file
        self.dataDir = dataDir
    }

    public var blocksDir: String? { dataDir.map { $0 + "/blocks" } }
    public var stateDir: String? { dataDir.map { $0 + "/state" } }

    /// A data dir: `finalizers/safety.dat` inside (or `safety_db.dat` for HotStuff nodes,
    /// which wrote it relative to their working directory). A file: itself; its data dir
    /// is found when it sits in `<data-dir>/finalizers/`.
    public static func resolve(_ path: String) throws(EngineError) -> Location {
        // issue 7: FIFOs, devices, sockets, symlink loops and non-UTF-8 names are refused here, accurately (reader).
        let st = try SafetyFileInput.checkBeforeOpening(path)
        let absolute = PathText.standardized(path)
        if st.isDirectory {
            for candidate in ["finalizers/safety.dat", "safety_db.dat", "safety.dat"] {
                let p = absolute + "/" + candidate
                do {
                    _ = try Sys.status(p, followLinks: true)
                    return Location(file: p, dataDir: candidate.hasPrefix("finalizers/") || hasNodeLayout(absolute) ? absolute : nil)
                } catch {
                    // Not there (a dangling link and a loop count as not there): the next
                    // candidate. Any other failure (EIO, EACCES) is said as it is, never
                    // taken for "no safety file".
                    guard [.noSuchFileOrDirectory, .notDirectory, .tooManySymbolicLinkLevels].contains(error) else {
                        throw SafetyFileInput.whyUnreadable(p, errno: error.rawValue)
                    }
                }
            }
            throw .usage(
                "\(path) is a directory without a safety file: looked for finalizers/safety.dat, safety_db.dat and safety.dat")
        }
        let parent = PathText.directory(absolute)
        if PathText.name(parent) == "finalizers" {
            return Location(file: absolute, dataDir: PathText.directory(parent))
        }
        return Location(file: absolute, dataDir: hasNodeLayout(parent) ? parent : nil)
    }

    static func hasNodeLayout(_ dir: String) -> Bool {
        Sys.exists(dir + "/state") || Sys.exists(dir + "/blocks")
    }
}

/// A file read from disk, with the hash every plan is bound to.
public struct LoadedFile: Sendable {
    public var location: Location
    public var bytes: [UInt8]
    public var sha256: Bytes32

    public init(location: Location, bytes: [UInt8]) {
        self.location = location
        self.bytes = bytes
        self.sha256 = Digest.sha256(bytes)
    }

    /// With the SHA-256 of `bytes` already computed (`SafetyFileInput.readStart(withDigests:)`,
    /// beside the read, over the same buffer).
    init(location: Location, bytes: [UInt8], sha256: Bytes32) {
        self.location = location
        self.bytes = bytes
        self.sha256 = sha256
    }

    public static func read(_ location: Location) throws(EngineError) -> LoadedFile {
        LoadedFile(location: location, bytes: try FileBytes.read(location.file))
    }
}

public enum FileBytes {
    /// The whole safety file (errors keep their errno text).
    public static func read(_ path: String) throws(EngineError) -> [UInt8] {
        // issue 7: never blocks on a FIFO, never reads a device or more than the file's size (reader).
        return try SafetyFileInput.read(path)
    }
}
