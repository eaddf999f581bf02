import FinalityFormat
import FinalityTestSupport
import Foundation
import SystemPackage
import Testing
@testable import FinalityEngine
@testable import FinalitySamples

/// Fault injection reaches the calls outside the write path that moved onto `Sys`: the
/// repair's empty stand-in, a node's API socket, the demo's folders, the blocks log.
@Suite("Fault injection beyond the write path", .serialized, .enabled(if: FaultInjection.compiledIn))
struct SysFaultTests {
    static func finalizersDir() throws -> String {
        let dir = try TemporaryPaths.directory("finality-stand-in") + "/finalizers"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func create(_ file: String, _ plan: FaultInjection.Plan) -> Result<FileIdentity, EngineError> {
        FaultInjection.$plan.withValue(plan) {
            do throws(EngineError) { return .success(try StandIn.create(file)) } catch { return .failure(error) }
        }
    }

    @Test("the stand-in: a failing fsync or fstat removes it and says so (createEmpty ignored both)", arguments: ["fsync", "fstat"])
    func standInFsyncOrFstatFails(_ call: String) throws {
        let file = try Self.finalizersDir() + "/safety.dat"
        let plan = try #require(FaultInjection.Plan(text: "\(call):EIO"))
        let result = Self.create(file, plan)
        #expect(plan.fired == ["\(call)#1 \(file): Input/output error"])
        guard case .failure(let error) = result else {
            Issue.record("\(call) failed with EIO, yet the stand-in was made")
            return
        }
        #expect(error == .io(path: file, operation: "create the empty stand-in", reason: "Input/output error; it was removed, nothing written"))
        #expect(error.status == .io)
        #expect(!FileManager.default.fileExists(atPath: file), "the stand-in was left behind")
    }

    @Test("every call of the stand-in, failed with EIO: an error and no file left; interrupted: retried, an empty file")
    func standInEveryCall() throws {
        let clean = FaultInjection.Plan([])
        _ = try Self.create(try Self.finalizersDir() + "/safety.dat", clean).get()
        let calls = clean.trace.map { String($0.split(separator: " ")[0]) }
        #expect(calls.contains("fsync") && calls.contains("fstat") && calls.contains("open"), "\(clean.trace)")
        var counts = [String: Int]()
        for (entry, name) in zip(clean.trace, calls) {
            let call = try #require(Sys.Call(rawValue: name))
            counts[name, default: 0] += 1
            for errno in [Errno.ioError, .interrupted] {
                let file = try Self.finalizersDir() + "/safety.dat"
                let plan = FaultInjection.Plan([FaultInjection.Fault(call: call, occurrence: counts[name]!, errno: errno)])
                let result = Self.create(file, plan)
                #expect(plan.fired.count == 1, "\(entry) \(errno)")
                let present = FileManager.default.fileExists(atPath: file)
                switch result {
                case .success:
                    // Only an interruption, or a close (the descriptor is released either
                    // way and the file is already synced), leaves a stand-in.
                    #expect(errno == .interrupted || call == .close, "\(entry) \(errno): no error")
                    #expect(present && (try? Sys.status(file, followLinks: false).size) == 0, "\(entry) \(errno)")
                case .failure(let error):
                    #expect(errno != .interrupted, "\(entry): EINTR not retried: \(error)")
                    #expect(error.description.contains("Input/output error"), "\(entry): \(error)")
                    #expect(!present, "\(entry): the stand-in was left behind")
                }
            }
        }
    }

    @Test("a node's API: a failing recv, connect or name lookup is the error it is; an interrupted call is retried")
    func httpClientCalls() throws {
        let server = TestHTTPServer(["/v1/chain/get_info": .respond(status: 200, body: "{}")])
        defer { server.stop() }
        let endpoint = try HTTPClient.Endpoint.parse(server.baseURL)
        func post(_ plan: FaultInjection.Plan) -> Result<HTTPClient.Response, HTTPClient.HTTPFailure> {
            FaultInjection.$plan.withValue(plan) {
                do throws(HTTPClient.HTTPFailure) {
                    return .success(try HTTPClient.post(endpoint, path: "/v1/chain/get_info", body: Array("{}".utf8), timeoutSeconds: 5))
                } catch {
                    return .failure(error)
                }
            }
        }
        let clean = FaultInjection.Plan([])
        #expect(try post(clean).get().status == 200)
        let calls = Set(clean.trace.map { String($0.split(separator: " ")[0]) })
        #expect(calls.isSuperset(of: ["getaddrinfo", "socket", "connect", "poll", "send", "recv", "close"]), "\(clean.trace)")

        let cases: [(String, HTTPClient.HTTPFailure)] = [
            ("recv:ECONNRESET", .io(phase: "reading the answer", reason: "Connection reset by peer")),
            ("send:EIO", .io(phase: "sending the request", reason: "Input/output error")),
            ("connect:ECONNREFUSED", .connect(reason: "127.0.0.1:\(server.port): Connection refused")),
            ("getaddrinfo:EIO", .resolve(host: "127.0.0.1", reason: "Input/output error")),
            ("poll:EIO", .io(phase: "poll", reason: "Input/output error")),
        ]
        for (fault, expected) in cases {
            let plan = try #require(FaultInjection.Plan(text: fault))
            let result = post(plan)
            #expect(plan.fired.count == 1, "\(fault)")
            guard case .failure(let error) = result else {
                Issue.record("\(fault): answered anyway")
                continue
            }
            #expect(error == expected, "\(fault)")
        }
        var counts = [String: Int]()
        for entry in clean.trace {
            let name = String(entry.split(separator: " ")[0])
            counts[name, default: 0] += 1
            let plan = FaultInjection.Plan([FaultInjection.Fault(call: try #require(Sys.Call(rawValue: name)), occurrence: counts[name]!, errno: .interrupted)])
            #expect((try? post(plan).get().status) == 200, "\(entry) interrupted")
        }
    }

    @Test("the demo: a failing mkdtemp or mkdir is an I/O error naming the folder")
    func demoFolders() throws {
        let parent = try TemporaryPaths.directory("finality-demo-parent")
        for fault in ["mkdtemp:EACCES", "mkdir#2:ENOSPC"] {
            let plan = try #require(FaultInjection.Plan(text: fault))
            let error: EngineError? = FaultInjection.$plan.withValue(plan) {
                do throws(EngineError) {
                    _ = try DemoDataDir.build(parent: parent)
                    return nil
                } catch {
                    return error
                }
            }
            #expect(plan.fired.count == 1, "\(fault)")
            #expect(error?.status == .io, "\(fault): \(error.map { "\($0)" } ?? "built")")
            #expect(error?.description.contains(fault.hasPrefix("mkdtemp") ? "\(parent): cannot create a demo folder in: Permission denied" : "/data/blocks: cannot create: No space left on device") == true, "\(fault): \(error.map { "\($0)" } ?? "")")
        }
    }

    @Test("the blocks log: a failing pread is the log's read error, at its offset")
    func blocksLogRead() throws {
        let parent = try TemporaryPaths.directory("finality-blocks-fault")
        let location = try DemoDataDir.build(parent: parent)
        let log = try #require(location.blocksDir) + "/blocks.log"
        let clean = try BlocksLog.readLast(path: log)
        let plan = try #require(FaultInjection.Plan(text: "pread:EIO"))
        let error: BlocksLogError? = FaultInjection.$plan.withValue(plan) {
            do throws(BlocksLogError) {
                _ = try BlocksLog.readLast(path: log)
                return nil
            } catch {
                return error
            }
        }
        #expect(plan.fired == ["pread#1 \(log): Input/output error"])
        #expect(error?.check == .unreadable, "\(error.map { "\($0)" } ?? "read anyway: \(clean)")")
        #expect(error?.message == "read failed: Input/output error")
    }
}
