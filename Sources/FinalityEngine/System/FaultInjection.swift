import FoundationEssentials
import Glibc
import SystemPackage

/// Makes any call through `Sys` fail with the errors the kernel can return (ENOSPC, EIO,
/// EDQUOT on write and fsync; EROFS, EXDEV, EACCES on rename; EIO on a read; ECONNRESET on
/// a node's socket; EINTR anywhere), to prove that each failure of the write path leaves
/// the old file or the new one, no partial backup, and an audit log that says nothing
/// false, and that every other failure is reported as what it is.
///
/// Compiled into test (debug) builds only: in a release build `fault` is a constant nil
/// and no environment variable is read, so a release binary carries no failpoints
/// (`scripts/check-release-failpoints.sh` builds one and shows it).
///
/// A plan is `CALL[#N]:ERRNO[,...]`: the Nth call (1-based; default 1) of that kind fails
/// with that errno, once; `*` as CALL counts every call. `FINALITY_FAULT` sets it for the
/// binary; in-process tests use `FaultInjection.$plan.withValue`. `FINALITY_FAULT_TRACE=PATH`
/// appends one line per call (`write /path`), so a test can enumerate them.
public enum FaultInjection {
    public struct Fault: Hashable, Sendable {
        public var call: Sys.Call?  // nil: any call
        public var occurrence: Int
        public var errno: Errno

        public init(call: Sys.Call?, occurrence: Int, errno: Errno) {
            self.call = call
            self.occurrence = occurrence
            self.errno = errno
        }
    }

    /// A plan and what it has seen: calls counted per kind, faults fired.
    public final class Plan: @unchecked Sendable {
        public let faults: [Fault]
        let lock = Lock()
        var counts = [String: Int]()
        var total = 0
        public private(set) var fired = [String]()
        public private(set) var trace = [String]()

        public init(_ faults: [Fault]) { self.faults = faults }

        /// Parses `write#2:ENOSPC,rename:EXDEV`.
        public convenience init?(text: String) {
            var faults = [Fault]()
            for item in text.split(separator: ",") {
                let parts = item.split(separator: ":")
                guard parts.count == 2, let e = FaultInjection.errno(named: String(parts[1])) else { return nil }
                let callPart = parts[0].split(separator: "#")
                let name = String(callPart[0])
                let call: Sys.Call? = name == "*" ? nil : Sys.Call(rawValue: name)
                if name != "*" && call == nil { return nil }
                let n = callPart.count > 1 ? Int(callPart[1]) : 1
                guard let n, n >= 1 else { return nil }
                faults.append(Fault(call: call, occurrence: n, errno: e))
            }
            self.init(faults)
        }

        func next(_ call: Sys.Call, _ path: String) -> Errno? {
            lock.lock()
            defer { lock.unlock() }
            counts[call.rawValue, default: 0] += 1
            total += 1
            trace.append("\(call.rawValue) \(path)")
            for f in faults {
                let n = f.call.map { counts[$0.rawValue] ?? 0 } ?? total
                if (f.call == nil || f.call == call) && n == f.occurrence {
                    fired.append("\(call.rawValue)#\(counts[call.rawValue]!) \(path): \(f.errno)")
                    return f.errno
                }
            }
            return nil
        }
    }

    public static let injectable: [String: Errno] = [
        "ENOSPC": .noSpace, "EIO": .ioError, "EDQUOT": .diskQuotaExceeded, "EROFS": .readOnlyFileSystem,
        "EXDEV": .improperLink, "EACCES": .permissionDenied, "EPERM": .notPermitted, "EINTR": .interrupted,
        "ENOENT": .noSuchFileOrDirectory, "ENOTSUP": .notSupported, "ELOOP": .tooManySymbolicLinkLevels,
        "ECONNREFUSED": .connectionRefused, "ECONNRESET": .connectionReset,
    ]

    public static func errno(named name: String) -> Errno? { injectable[name] }

    #if DEBUG
    /// The plan in force for this task (tests), else the one from `FINALITY_FAULT`.
    @TaskLocal public static var plan: Plan?

    static let environmentPlan: Plan? = {
        guard let text = getenv("FINALITY_FAULT").map({ String(cString: $0) }) else { return nil }
        return Plan(text: text)
    }()

    static let tracePath: String? = getenv("FINALITY_FAULT_TRACE").map { String(cString: $0) }

    /// Set while the process scan reads /proc and other nodes' config files: those calls
    /// depend on which processes run at the moment, so they are neither counted nor failed
    /// (the scan's own failures are tested with a fake /proc).
    @TaskLocal static var suspended = false

    /// Runs `body` with the fault plan out of the way.
    public static func outsideWritePath<T>(_ body: () -> T) -> T { $suspended.withValue(true, operation: body) }

    /// The error to fail this call with, if the plan says so.
    @inline(__always)
    static func fault(_ call: Sys.Call, _ path: String) -> Errno? {
        if suspended { return nil }
        if let tracePath, plan == nil {
            if let f = fopen(tracePath, "a") {
                fputs("\(call.rawValue) \(path)\n", f)
                fclose(f)
            }
        }
        guard let p = plan ?? environmentPlan else { return nil }
        let e = p.next(call, path)
        if e != nil, let f = getenv("FINALITY_FAULT_FIRED").flatMap({ fopen($0, "a") }) {
            fputs("\(call.rawValue) \(path)\n", f)
            fclose(f)
        }
        return e
    }

    public static let compiledIn = true
    #else
    @inline(__always)
    static func fault(_ call: Sys.Call, _ path: String) -> Errno? { nil }

    @inline(__always)
    public static func outsideWritePath<T>(_ body: () -> T) -> T { body() }

    public static let compiledIn = false
    #endif
}
