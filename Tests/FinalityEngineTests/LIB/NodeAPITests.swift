import FinalityEngine
import FinalityFormat
import FinalitySamples
import FinalityTestSupport
import Foundation
import Testing

@Suite("LIB from a node's API, against a real HTTP server on 127.0.0.1")
struct NodeAPITests {
    func expectFailure(_ url: String, timeout: Double = 2, _ check: (EngineError) -> Void) {
        do {
            let r = try LIBSources.fromAPI(url, timeoutSeconds: timeout)
            Issue.record("expected a failure, got \(r.lib)")
        } catch {
            check(error)
        }
    }

    @Test("get_info gives LIB, its time and the chain id, with the exchange as provenance")
    func getInfo() throws {
        let server = TestHTTPServer(["/v1/chain/get_info": .respond(status: 200, body: SpringAnswers.getInfo())])
        defer { server.stop() }
        let r = try LIBSources.fromAPI(server.baseURL, timeoutSeconds: 2)
        #expect(r.lib.blockID == SpringAnswers.lib.id)
        #expect(r.lib.number == 371_451)
        #expect(r.lib.timestamp == SpringAnswers.lib.header.timestamp)
        #expect(r.chainID?.hex == SpringAnswers.chainID)
        #expect(r.source == .api(url: server.baseURL))
        #expect(r.details.contains { $0.hasPrefix("POST /v1/chain/get_info: HTTP 200 in") })
        #expect(r.details.contains("head block 371,453 (2 blocks past LIB)"))
        #expect(r.details.contains("server version v1.0.3"))
        #expect(r.warnings.isEmpty)
        let req = try #require(server.requests.first)
        #expect(req.method == "POST")
        #expect(req.path == "/v1/chain/get_info")
        #expect(req.body == "{}")
    }

    @Test("a base path and trailing slash are kept; chunked answers are read")
    func basePathAndChunked() throws {
        let server = TestHTTPServer(["/node1/v1/chain/get_info": .respond(status: 200, body: SpringAnswers.getInfo(), chunked: true)])
        defer { server.stop() }
        let r = try LIBSources.fromAPI(server.baseURL + "/node1/", timeoutSeconds: 2)
        #expect(r.lib.number == 371_451)
    }

    @Test("an id whose first 4 bytes disagree with last_irreversible_block_num is refused (exit 2)")
    func idNumberMismatch() {
        let server = TestHTTPServer(["/v1/chain/get_info": .respond(status: 200, body: SpringAnswers.getInfo(libNumber: "371452"))])
        defer { server.stop() }
        expectFailure(server.baseURL) { e in
            #expect(e.status == .usage)
            #expect(e.description.contains("last_irreversible_block_id: its first 4 bytes say block 371,451, but last_irreversible_block_num is 371452"))
        }
    }

    @Test("malformed JSON, missing or wrong fields are refused with the field named", arguments: [
        ("{\"chain_id\": ", "not JSON"),
        ("[1,2,3]", "not an object"),
        (SpringAnswers.getInfo(libID: "00abc"), "last_irreversible_block_id: expected 64 hex digits"),
        (SpringAnswers.getInfo(libNumber: "\"many\""), "last_irreversible_block_num: expected a block number"),
        (SpringAnswers.getInfo(libNumber: "-4"), "last_irreversible_block_num: expected a block number"),
        (SpringAnswers.getInfo(libNumber: "true"), "last_irreversible_block_num: expected a block number"),
        (SpringAnswers.getInfo(libNumber: "371451.5"), "last_irreversible_block_num: expected a block number"),
        (SpringAnswers.getInfo(chainID: "xyz"), "chain_id: expected 64 hex digits"),
        (SpringAnswers.getInfo(dropTime: true), "last_irreversible_block_time: missing"),
        (SpringAnswers.getInfo(libTime: "2024-08-12T13:04:26.250"), "not on a block slot boundary"),
        (SpringAnswers.getInfo(libTime: "2024-08-12T13:04:26.000+02:00"), "expected a UTC time"),
        (SpringAnswers.getInfo(libTime: "Aug 12 2024"), "expected a UTC time"),
    ])
    func malformed(body: String, message: String) {
        let server = TestHTTPServer(["/v1/chain/get_info": .respond(status: 200, body: body)])
        defer { server.stop() }
        expectFailure(server.baseURL) { e in
            #expect(e.status == .usage)
            #expect(e.description.contains(message), "\(e.description)")
            #expect(e.description.contains(server.baseURL + "/v1/chain/get_info"))
        }
    }

    @Test("HTTP 500 is an I/O error (exit 3) carrying the node's own message")
    func http500() {
        let body = #"{"code":500,"message":"Internal Service Error","error":{"code":3100002,"name":"unknown_block_exception","what":"Unknown block","details":[]}}"#
        let server = TestHTTPServer(["/v1/chain/get_info": .respond(status: 500, body: body)])
        defer { server.stop() }
        expectFailure(server.baseURL) { e in
            #expect(e.status == .io)
            #expect(e.description.contains("HTTP 500 Internal Server Error: Internal Service Error: Unknown block"))
        }
    }

    @Test("connection refused is an I/O error")
    func refused() {
        expectFailure("http://127.0.0.1:\(TestHTTPServer.closedPort())") { e in
            #expect(e.status == .io)
            #expect(e.description.contains("cannot connect"))
            #expect(e.description.lowercased().contains("refused"))
        }
    }

    @Test("a slow node, a silent one and one trickling bytes all hit the deadline, which covers the whole exchange", arguments: [
        TestHTTPServer.Behavior.delayed(seconds: 5, then: .respond(status: 200, body: SpringAnswers.getInfo())),
        .silent,
        .trickle(interval: 0.1),
    ])
    func timeouts(behavior: TestHTTPServer.Behavior) {
        let server = TestHTTPServer(["/v1/chain/get_info": behavior])
        defer { server.stop() }
        let start = Date()
        expectFailure(server.baseURL, timeout: 0.5) { e in
            #expect(e.status == .io)
            #expect(e.description.contains("no answer within 0.5 s"), "\(e.description)")
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed >= 0.45 && elapsed < 2, "took \(elapsed) s")
    }

    @Test("a node that closes the connection without answering is an I/O error")
    func closedWithoutAnswer() {
        let server = TestHTTPServer(["/v1/chain/get_info": .close])
        defer { server.stop() }
        expectFailure(server.baseURL) { e in
            #expect(e.status == .io)
            #expect(e.description.contains("closed the connection without answering"))
        }
    }

    @Test("https and other schemes are refused as usage, saying the client speaks plain http", arguments: [
        ("https://node.example.com", "plain http only"),
        ("ftp://node", "ftp:// is not supported"),
        ("node.example.com:8888", "must start with http://"),
        ("http://127.0.0.1:99999", "the port must be 1…65535"),
        ("http://", "no host"),
    ])
    func badURLs(url: String, message: String) {
        expectFailure(url) { e in
            #expect(e.status == .usage)
            #expect(e.description.contains(message), "\(e.description)")
        }
    }

    @Test("URLs parse into host, port and base path, IPv6 literals included")
    func endpointParsing() throws {
        let a = try HTTPClient.Endpoint.parse("http://[::1]:8888/api/")
        #expect(a == HTTPClient.Endpoint(host: "::1", port: 8888, basePath: "/api"))
        let b = try HTTPClient.Endpoint.parse("HTTP://localhost")
        #expect(b == HTTPClient.Endpoint(host: "localhost", port: 80, basePath: ""))
    }

    @Test("get_finalizer_info gives each key's last tracked vote, found by key and by raw text")
    func finalizerInfo() throws {
        let server = TestHTTPServer(["/v1/chain/get_finalizer_info": .respond(status: 200, body: SpringAnswers.finalizerInfo)])
        defer { server.stop() }
        let info = try LIBSources.finalizerInfo(server.baseURL, timeoutSeconds: 2)
        #expect(info.votes.count == 4)
        #expect(info.source == .api(url: server.baseURL))
        #expect(info.activePolicy?.generation == 1)
        #expect(info.activePolicy?.threshold == 3)
        #expect(info.activePolicy?.finalizers.count == 4)
        #expect(info.pendingPolicy == nil)
        let k0 = try #require(info.vote(for: SpringAnswers.keys[0]))
        #expect(k0.blockNumber == 371_453)
        #expect(k0.blockID == SpringAnswers.blocks[13].id)
        #expect(k0.timestamp == SpringAnswers.blocks[13].header.timestamp)
        #expect(k0.isStrong)
        #expect(k0.problems.isEmpty)
        #expect(k0.policyGeneration == 1)
        let k1 = try #require(info.vote(forText: SpringAnswers.keys[1].text))
        #expect(!k1.isStrong)
        #expect(k1.blockNumber == 371_452)
        // A vote whose id disagrees with its number is kept, with the problem said.
        let k2 = try #require(info.vote(for: SpringAnswers.keys[2]))
        #expect(k2.problems.contains("voted_for_block_id says block 371450, voted_for_block_num says 999"))
        let upstream = try #require(info.vote(forText: SpringAnswers.upstreamKeyText))
        #expect(upstream.publicKeyText == SpringAnswers.upstreamKeyText)
        #expect(info.vote(forText: "PUB_BLS_unknown") == nil)
    }

    @Test("an older node without get_finalizer_info answers 404: an I/O error naming the endpoint")
    func finalizerInfoMissing() {
        let server = TestHTTPServer([:])
        defer { server.stop() }
        do {
            _ = try LIBSources.finalizerInfo(server.baseURL, timeoutSeconds: 2)
            Issue.record("expected 404")
        } catch {
            #expect(error.status == .io)
            #expect(error.description.contains("/v1/chain/get_finalizer_info"))
            #expect(error.description.contains("HTTP 404"))
        }
    }

    @Test("a tracked vote missing a field makes the answer unusable, naming the vote and field")
    func finalizerInfoMalformed() {
        let body = #"{"active_finalizer_policy":null,"pending_finalizer_policy":null,"last_tracked_votes":[{"public_key":"PUB_BLS_x","is_vote_strong":true}]}"#
        let server = TestHTTPServer(["/v1/chain/get_finalizer_info": .respond(status: 200, body: body)])
        defer { server.stop() }
        do {
            _ = try LIBSources.finalizerInfo(server.baseURL, timeoutSeconds: 2)
            Issue.record("expected a failure")
        } catch {
            #expect(error.status == .usage)
            #expect(error.description.contains("last_tracked_votes[0].voted_for_block_num: missing"), "\(error.description)")
        }
    }
}
