import FoundationEssentials
import Glibc
import SystemPackage

/// One running nodeos, and the directories it uses, as far as /proc lets us see.
public struct NodeosProcess: Hashable, Sendable {
    public var pid: Int32
    /// Effective user id (from /proc/PID/status).
    public var uid: UInt32?
    /// Its command line (argv[0] first), every signature-provider value cut to its public
    /// part (`NodeosOptions.redacted`): no private key is kept.
    public var arguments: [String]
    /// Its working directory at the time of the scan (relative options were taken
    /// against the one it had at start-up; a nodeos does not change it).
    public var cwd: String?
    /// HOME of the process (its environment, else its user's passwd entry), when its
    /// default data or config dir needed it.
    public var home: String?
    /// Its options: the command line, then its config file(s) stored after it as nodeos
    /// stores them (`NodeosOptions.store`). The one reading of this nodeos: the interlocks
    /// and the key lookup both use it.
    public var options: NodeosOptions
    /// Absolute paths in the process's own view of the file system.
    public var dataDirs: [String] = []
    public var configDirs: [String] = []
    /// Its config file(s): `config` (default `config.ini`) in the config dir.
    public var configFiles: [String] = []
    /// The config files that could not be read, and why (the others were read into `options`).
    public var configFileErrors: [String: String] = [:]
    public var finalizersDirs: [String] = []
    public var stateDirs: [String] = []
    public var blocksDirs: [String] = []
    /// Files it has open (identities), when /proc/PID/fd could be read.
    public var openFiles: [FileIdentity: String] = [:]
    /// Runs in another mount namespace: its paths are read through /proc/PID/root.
    public var otherMountNamespace = false
    public var otherPIDNamespace = false
    /// What could not be read, each saying which entry and why.
    public var unseen: [String] = []
    /// The prefix its paths are read through (`/proc/PID/root` or empty).
    var root = ""
    /// `/proc/PID`.
    var procBase = ""

    /// A path of its view, as this process can open it.
    func here(_ path: String) -> String { root + path }
}

/// Finds every running nodeos (comm, exe or argv[0] named `nodeos…`) and works out its
/// data dir, config file, finalizers dir and state dir, and its open files.
public enum NodeosScan {
    static func isNodeos(comm: String?, exe: String?, argv0: String?) -> Bool {
        [comm, exe.map(PathText.name), argv0.map(PathText.name)].contains { $0?.hasPrefix("nodeos") == true }
    }

    static func text(_ path: String) -> String? {
        guard let b = try? Sys.readFile(path) else { return nil }
        return String(decoding: b, as: UTF8.self)
    }

    static func nulSeparated(_ bytes: [UInt8]) -> [String] {
        var parts = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    /// The process ids in `procRoot`, or the error that stopped the listing.
    public static func pids(procRoot: String) throws(Errno) -> [Int32] {
        try Sys.directoryEntries(procRoot).compactMap { Int32($0) }.sorted()
    }

    /// `/proc/PID/status` says the process has exited and waits to be reaped (State: Z).
    static func isZombie(_ status: String?) -> Bool {
        status?.split(separator: "\n").contains { $0.hasPrefix("State:") && $0.contains("Z") } ?? false
    }

    /// Reads one process; nil when it is not a nodeos (or is gone).
    public static func read(pid: Int32, procRoot: String = "/proc") -> NodeosProcess? {
        let base = "\(procRoot)/\(pid)"
        let comm = text(base + "/comm")?.trimmed(.newlines)
        var cmdError: Errno?
        var cmdBytes = [UInt8]()
        do { cmdBytes = try Sys.readFile(base + "/cmdline") } catch {
            // Gone between the listing and now: nothing to check.
            if error == .noSuchFileOrDirectory || error == .noSuchProcess { return nil }
            cmdError = error
        }
        let argv = nulSeparated(cmdBytes)
        let exe = try? Sys.readLink(base + "/exe")
        guard isNodeos(comm: comm, exe: exe?.replacingLiteral(" (deleted)", with: ""), argv0: argv.first) else { return nil }
        let commandLine = NodeosOptions.readCommandLine(Array(argv.dropFirst()))
        var p = NodeosProcess(
            pid: pid, arguments: Array(argv.prefix(1)) + NodeosOptions.redacted(Array(argv.dropFirst()), secret: commandLine.secret),
            options: commandLine.options)
        p.procBase = base
        if let cmdError { p.unseen.append("\(base)/cmdline: \(cmdError) (its options are unknown)") }
        if let status = text(base + "/status") {
            let lines = status.split(separator: "\n")
            // A zombie has exited: it holds no file and no lock (and its cmdline is empty).
            if isZombie(status) { return nil }
            if let line = lines.first(where: { $0.hasPrefix("Uid:") }) {
                let ids = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().compactMap { UInt32($0) }
                if ids.count >= 2 { p.uid = ids[1] }
            }
        }
        if cmdBytes.isEmpty && cmdError == nil { p.unseen.append("\(base)/cmdline is empty (a process starting up or exiting): its options are unknown") }
        for u in p.options.unsettled { p.unseen.append("its option \(u) could not be settled") }

        // Namespaces: another mount namespace (a container) sees other paths.
        do {
            let mine = try Sys.readLink(procRoot + "/self/ns/mnt")
            let its = try Sys.readLink(base + "/ns/mnt")
            if mine != its {
                p.otherMountNamespace = true
                p.root = base + "/root"
            }
            if let a = try? Sys.readLink(procRoot + "/self/ns/pid"), let b = try? Sys.readLink(base + "/ns/pid"), a != b {
                p.otherPIDNamespace = true
            }
        } catch {
            p.unseen.append("\(base)/ns/mnt: \(error) (cannot tell whether it sees the same files as we do)")
        }

        do {
            p.cwd = try Sys.readLink(base + "/cwd")
        } catch {
            let relative = (p.options.dataDir + p.options.configDir).contains { !$0.hasPrefix("/") }
                || p.options.dataDir.isEmpty || p.options.configDir.isEmpty
            if relative { p.unseen.append("\(base)/cwd: \(error) (its relative or default directories cannot be placed)") }
        }

        // The default dirs: ~/.local/share/eosio/nodeos/{data,config}, ~ its HOME.
        var home: String?
        if p.options.dataDir.isEmpty || p.options.configDir.isEmpty {
            if let env = try? Sys.readFile(base + "/environ") {
                home = nulSeparated(env).first { $0.hasPrefix("HOME=") }.map { String($0.dropFirst(5)) }
            } else if let uid = p.uid, let pw = getpwuid(uid), let dir = pw.pointee.pw_dir {
                home = String(cString: dir)
                p.unseen.append("\(base)/environ unreadable: took HOME from the passwd entry of uid \(uid) (\(home!))")
            } else {
                p.unseen.append("\(base)/environ unreadable and no passwd entry: its default data dir is unknown")
            }
        }
        let cwd = p.cwd ?? "/"
        func place(_ values: [String], defaultRelativeToHome: String) -> [String] {
            if values.isEmpty { return home.map { [PathText.absolute(defaultRelativeToHome, base: $0)] } ?? [] }
            return values.map { PathText.absolute($0, base: cwd) }
        }
        p.home = home
        p.dataDirs = place(p.options.dataDir, defaultRelativeToHome: ".local/share/eosio/nodeos/data")
        p.configDirs = place(p.options.configDir, defaultRelativeToHome: ".local/share/eosio/nodeos/config")
        let names = p.options.configFile.isEmpty ? ["config.ini"] : p.options.configFile
        p.configFiles = p.configDirs.flatMap { d in names.map { PathText.absolute($0, base: d) } }

        // The config file is stored after the command line: it adds finalizers-dir,
        // state-dir and blocks-dir where the command line has none, and its
        // signature-provider values to the command line's. (It is read as it is now; nodeos
        // read it at start-up.)
        for file in p.configFiles {
            do {
                let bytes = try Sys.readFile(p.here(file))
                p.options.store(NodeosOptions.configFile(bytes, path: file))
            } catch {
                p.configFileErrors[file] = error == .noSuchFileOrDirectory ? "no such file" : "\(error)"
                if error != .noSuchFileOrDirectory {
                    p.unseen.append("its config file \(file): \(error)")
                }
            }
        }
        func underDataDir(_ values: [String], default name: String) -> [String] {
            let names = values.isEmpty ? [name] : values
            return p.dataDirs.flatMap { d in names.map { PathText.absolute($0, base: d) } }
        }
        p.finalizersDirs = underDataDir(p.options.finalizersDir, default: "finalizers")
        p.stateDirs = underDataDir(p.options.stateDir, default: "state")
        p.blocksDirs = underDataDir(p.options.blocksDir, default: "blocks")

        do {
            for fd in try Sys.directoryEntries(base + "/fd") {
                if let id = Sys.identity(base + "/fd/" + fd) {
                    p.openFiles[id] = (try? Sys.readLink(base + "/fd/" + fd)) ?? "fd \(fd)"
                }
            }
        } catch {
            p.unseen.append("\(base)/fd: \(error) (its open files cannot be listed)")
        }
        // Exited while we read it: its /proc entries vanished one by one, or it is a zombie
        // now (its namespaces, cwd and fds are gone before its /proc entry is): not running.
        if !p.unseen.isEmpty, (try? Sys.status(base, followLinks: false)) == nil || isZombie(text(base + "/status")) { return nil }
        return p
    }

    /// Why `p` would use the safety file `file` (in data dir `dataDir`): empty if it would not.
    public static func reasons(_ p: NodeosProcess, file: String, fileID: FileIdentity, dataDir: String?) -> [String] {
        var out = [String]()
        if let open = p.openFiles[fileID] { out.append("has it open (\(open))") }
        for d in p.finalizersDirs {
            if Sys.identity(p.here(d + "/safety.dat")) == fileID {
                out.append("uses it as \(d)/safety.dat (its finalizers dir)")
            }
        }
        let fileDir = PathText.directory(file)
        let fileDirID = Sys.identity(fileDir)
        let dataDirID = dataDir.flatMap { Sys.identity($0) }
        let stateID = dataDir.flatMap { Sys.identity($0 + "/state") }
        for d in p.dataDirs where dataDirID != nil && Sys.identity(p.here(d)) == dataDirID {
            out.append("runs on the data dir (\(d))")
        }
        for s in p.stateDirs where stateID != nil && Sys.identity(p.here(s)) == stateID {
            out.append("uses the data dir's state dir (\(s))")
        }
        if let cwd = p.cwd {
            let cwdID = Sys.identity(p.procBase + "/cwd") ?? Sys.identity(p.here(cwd))
            if let dataDirID, cwdID == dataDirID { out.append("works in the data dir") }
            if let fileDirID, cwdID == fileDirID, dataDirID != fileDirID {
                out.append("works in the file's directory (HotStuff nodes write safety_db.dat there)")
            }
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }
}
