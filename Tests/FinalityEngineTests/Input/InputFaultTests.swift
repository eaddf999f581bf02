import FinalityFormat
import FinalityTestSupport
import Foundation
import SystemPackage
import Testing
@testable import FinalityEngine

/// The load path (`Location.resolve`, `SafetyFileInput.readStart`) makes every call through
/// `Sys`, so fault injection reaches it: a failing read is an I/O error that names the
/// file (exit 3), and an interrupted call is retried.
@Suite("Fault injection on the load path", .serialized, .enabled(if: FaultInjection.compiledIn))
struct InputFaultTests {
    /// A safety file alone in a fresh directory (no data dir: nothing else is read).
    static func file() throws -> String {
        let dir = try TemporaryPaths.directory("finality-input-fault")
        let path = dir + "/safety.dat"
        try Data(SafetyFileWriter.encode(Fixture.savannaFile())).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Resolves and reads `path` under `plan`, as `verify` does.
    static func load(_ path: String, _ plan: FaultInjection.Plan) -> Result<SafetyFileInput.Start, EngineError> {
        FaultInjection.$plan.withValue(plan) {
            do throws(EngineError) {
                let location = try Location.resolve(path)
                return .success(try SafetyFileInput.readStart(location.file, digests: .crcAndSHA256))
            } catch {
                return .failure(error)
            }
        }
    }

    @Test("the calls of one load: stat, open, fstat, pread of the header, read of the bytes, close, each through Sys")
    func everyCallIsSeen() throws {
        let path = try Self.file()
        let plan = FaultInjection.Plan([])
        _ = try Self.load(path, plan).get()
        let calls = plan.trace.filter { $0.hasSuffix(" " + path) }.map { String($0.split(separator: " ")[0]) }
        for call in ["stat", "open", "fstat", "pread", "read", "close"] {
            #expect(calls.contains(call), "no \(call) of \(path) in \(plan.trace)")
        }
    }

    @Test("EIO on the read (pread of the header, read of the bytes): an I/O error naming the file, exit 3", arguments: ["pread", "read"])
    func readFails(_ call: String) throws {
        let path = try Self.file()
        let plan = try #require(FaultInjection.Plan(text: "\(call):EIO"))
        let result = Self.load(path, plan)
        #expect(plan.fired.count == 1, "\(call): the fault did not fire: \(plan.trace)")
        guard case .failure(let error) = result else {
            Issue.record("\(call) failed with EIO, yet the file loaded")
            return
        }
        #expect(error == .io(path: path, operation: "read", reason: "Input/output error"))
        #expect(error.description == "\(path): cannot read: Input/output error")
        #expect(error.status.rawValue == 3)
    }

    @Test("EIO on the stat of a data dir's finalizers/safety.dat: an I/O error naming it, never \"a directory without a safety file\"")
    func candidateStatFails() throws {
        let (dir, file) = try TestFiles.dataDir(Fixture.savannaFile())
        let plan = FaultInjection.Plan([FaultInjection.Fault(call: .stat, occurrence: 2, errno: .ioError)])
        let result = Self.load(dir, plan)
        #expect(plan.fired == ["stat#2 \(file): Input/output error"])
        guard case .failure(let error) = result else {
            Issue.record("the stat failed with EIO, yet the file loaded")
            return
        }
        #expect(error == .io(path: file, operation: "open", reason: "Input/output error"))
        #expect(error.status == .io)
    }

    @Test("each call of the load path, interrupted (EINTR): retried, the same bytes and digests")
    func everyCallInterrupted() throws {
        let path = try Self.file()
        let clean = FaultInjection.Plan([])
        let expected = try Self.load(path, clean).get()
        var counts = [String: Int]()
        for entry in clean.trace {
            let name = String(entry.split(separator: " ")[0])
            let call = try #require(Sys.Call(rawValue: name))
            counts[name, default: 0] += 1
            let plan = FaultInjection.Plan([FaultInjection.Fault(call: call, occurrence: counts[name]!, errno: .interrupted)])
            let got = Self.load(path, plan)
            #expect(plan.fired.count == 1, "\(entry)")
            let start = try got.get()
            #expect(start.bytes == expected.bytes && start.sha256 == expected.sha256 && start.crcBeforeLast4 == expected.crcBeforeLast4, "\(entry)")
        }
        #expect(counts.values.reduce(0, +) >= 6)
    }

    @Test("the real binary: `verify` with EIO injected on the read says which file and exits 3", arguments: ["pread:EIO", "read:EIO"])
    func binaryReadFails(_ fault: String) throws {
        try RequiredTools.require(needsTmux: false)
        let binary = try #require(BuiltBinary.finality)
        let path = try Self.file()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["verify", path]
        p.environment = ProcessInfo.processInfo.environment.merging(["FINALITY_FAULT": fault]) { $1 }
        p.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        _ = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 3, "\(fault): \(stderr)")
        #expect(stderr.contains("\(path): cannot read: Input/output error"), "\(fault): \(stderr)")
    }
}
