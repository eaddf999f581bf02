import FinalityFormat
import FoundationEssentials
import Glibc
import SystemPackage

/// `finality export` (and any future front end's export): the document of chosen entries
/// of a file nodeos loads, from a file no node is using, with the chain it belongs to.
public enum InterchangeExport {
    public struct Request: Hashable, Sendable {
        public var path: String
        /// Key texts or unique parts of them; empty: every entry.
        public var keys: [String]
        /// LIB sources asked for the chain id; empty: the data dir's own blocks.log.
        public var sources: [LIBRequest]
        /// The chain id typed by the operator, when no source has one (or to check them).
        public var chainID: Bytes32?
        /// A look at a live file: the document is marked and every import refuses it.
        public var whileRunning: Bool
        public var procRoot: String

        public init(path: String, keys: [String] = [], sources: [LIBRequest] = [], chainID: Bytes32? = nil, whileRunning: Bool = false, procRoot: String = "/proc") {
            self.path = path
            self.keys = keys
            self.sources = sources
            self.chainID = chainID
            self.whileRunning = whileRunning
            self.procRoot = procRoot
        }
    }

    public struct Result: Sendable {
        public var document: InterchangeDocument
        public var location: Location
        /// The interlock lines, as a write shows them.
        public var interlocks: InterlockReport
        /// Sources that could not be read (each with its error), said beside the document.
        public var notes: [String]
    }

    /// Reads the file and builds its document. Refuses: a node using the file (unless
    /// `whileRunning`), a file nodeos refuses (repair first), a HotStuff file, no chain id,
    /// sources that disagree on the chain id.
    public static func document(_ request: Request, host: String, tool: String, now: Date = Date()) throws(EngineError) -> Result {
        let location = try Location.resolve(request.path)
        // EIP-3076's advice, enforced: a document exported while nodeos votes is outdated by
        // its next vote. The same interlocks as a write, read for a running node.
        let interlocks = Interlocks.run(location, procRoot: request.procRoot)
        if interlocks.nodeRunning && !request.whileRunning {
            throw .nodeRunning("a node is using \(location.file): a document exported now is outdated by its next vote; stop the node first (or --while-running for a look that no import accepts)")
        }
        // A live file can be read while nodeos rewrites it: retry a torn read, as watch does.
        var attempts = request.whileRunning ? 5 : 1
        var loaded: LoadedFile
        var file: SafetyFile
        while true {
            loaded = try LoadedFile.read(location)
            do {
                file = try SafetyFileReader.decode(loaded.bytes)
                break
            } catch {
                attempts -= 1
                guard attempts > 0 else {
                    throw .refused("\(location.file): nodeos refuses this file (\(error.description)): nothing is exported from it; repair it first (finality repair)")
                }
            }
        }
        var notes: [String] = []
        let requests = request.sources.isEmpty ? LIBRequest.defaults(for: location) : request.sources
        let gathered = LIBReport.gather(requests)
        for f in gathered.failures { notes.append("\(f.request.option): \(f.error)") }
        let chain = try InterchangeDocument.chain(
            of: gathered.readings, typed: request.chainID.map { ($0, "operator (--chain-id)") }, refusing: "nothing is exported")
        guard let chain else {
            throw .usage("the document must say which chain its votes were cast on: give --blocks-dir DIR or --api URL, or --chain-id HEX (this data dir has no blocks.log with a chain id)")
        }
        var keys: [BLSPublicKey] = []
        for k in request.keys {
            let index = try KeyMatch.find(k, in: file)
            keys.append(file.entries[index].key)
        }
        let exported = InterchangeDocument.Exported(
            time: UTCTime.iso8601(now), host: host, path: location.file, sha256: loaded.sha256,
            fileFormat: file.format.name, tool: tool, whileRunning: request.whileRunning)
        do {
            let doc = try InterchangeDocument.export(file, keys: keys, chainID: chain.id, chainIDSource: chain.source, exported: exported)
            return Result(document: doc, location: location, interlocks: interlocks, notes: notes)
        } catch {
            throw .refused("\(location.file): \(error.description)")
        }
    }

    /// Where a document goes by default: the working directory, or HOME when the working
    /// directory is inside the node's data dir (a document is for another node, never a
    /// file beside this node's own), named after the host and the time.
    public static func defaultName(for location: Location, workingDirectory: String?, home: String?, host: String, now: Date) -> String {
        let dir = OutputPlace.directory(for: location, workingDirectory: workingDirectory, home: home)
        let stamp = UTCTime.compact(now)
        let safeHost = String(host.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
        return (dir.hasSuffix("/") ? dir : dir + "/") + "finality-export-\(safeHost)-\(stamp).json"
    }

    /// Writes the document at `path`, never replacing a file there: the bytes go to a
    /// temporary name in the same directory, are made durable, and get their name by
    /// link(2), which fails when the name exists; the temporary name is then removed.
    public static func write(_ document: InterchangeDocument, to path: String) throws(EngineError) {
        let dir = PathText.directory(path)
        let temporary = path + ".tmp-\(getpid())"
        do throws(Errno) {
            try Sys.createFile(temporary, document.bytes, durable: true)
        } catch {
            throw .io(path: temporary, operation: "write", reason: error.description)
        }
        defer { try? Sys.unlink(temporary) }
        do throws(Errno) {
            try Sys.link(temporary, path)
        } catch {
            if error == .fileExists { throw .refused("\(path) exists: a document never replaces a file; give another --out") }
            throw .io(path: path, operation: "link", reason: error.description)
        }
        do throws(Errno) { try Sys.fsyncDirectory(dir) } catch { throw .io(path: dir, operation: "fsync", reason: error.description) }
    }
}

/// Where the tool puts a file for a person (a case report, an export): the working
/// directory, or HOME when the working directory is inside the node's data dir (or,
/// without one, the safety file's directory).
public enum OutputPlace {
    public static func directory(for location: Location, workingDirectory: String?, home: String?) -> String {
        let node = location.dataDir ?? PathText.directory(location.file)
        func inside(_ path: String) -> Bool {
            let base = node.hasSuffix("/") ? node : node + "/"
            return path == node || path.hasPrefix(base)
        }
        if let cwd = workingDirectory, !inside(cwd) { return cwd }
        if let home, !home.isEmpty { return home }
        return workingDirectory ?? "."
    }
}
