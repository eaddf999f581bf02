import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

/// Node API answers are decoded into types: integers exactly as written (never through a
/// floating-point value), booleans never taken for numbers, each failure naming its field.
@Suite("Node API answers decoded into types")
struct NodeAnswerTests {
    let url = "http://node/v1/chain/get_finalizer_info"

    func finalizerInfo(weight: String = "1", threshold: String = "3", strong: String = "true", number: String? = nil) -> [UInt8] {
        let block = SpringAnswers.blocks[13]
        return Array("""
            {"active_finalizer_policy":{"generation":7,"threshold":\(threshold),"finalizers":[\
            {"description":"bp0","weight":\(weight),"public_key":"\(SpringAnswers.keys[0].text)"}]},\
            "pending_finalizer_policy":null,"last_tracked_votes":[\
            {"description":"bp0","public_key":"\(SpringAnswers.keys[0].text)","is_vote_strong":\(strong),\
            "finalizer_policy_generation":7,"voted_for_block_id":"\(block.id.hex)",\
            "voted_for_block_num":\(number ?? String(block.blockNumber)),\
            "voted_for_block_timestamp":"\(block.header.timestamp.iso8601.dropLast())"}]}
            """.utf8)
    }

    func failure(_ body: [UInt8]) -> String? {
        do {
            _ = try NodeAPI.parseFinalizerInfo(body, url: url)
            return nil
        } catch {
            return error.description
        }
    }

    @Test("64-bit weights and thresholds are exact, as numbers above 2^53 and as fc's digit strings")
    func exactIntegers() throws {
        // 2^64 - 1 and 2^53 + 1 both change value through a Double.
        let info = try NodeAPI.parseFinalizerInfo(
            finalizerInfo(weight: "18446744073709551615", threshold: "\"9007199254740993\""), url: url)
        #expect(info.activePolicy?.finalizers.first?.weight == UInt64.max)
        #expect(info.activePolicy?.threshold == 9_007_199_254_740_993)
        #expect(info.activePolicy?.generation == 7)
    }

    @Test("a block number past 2^32 - 1, negative, fractional, a boolean or signed text is refused with the field named", arguments: [
        ("4294967296", "found 4294967296"),
        ("-1", "found -1"),
        ("371453.5", "found the number 371453.5"),
        ("true", "found true"),
        ("\"+371453\"", "found \"+371453\""),
        ("\"\"", "found \"\""),
        ("null", "found null"),
    ])
    func badBlockNumbers(number: String, found: String) throws {
        let message = try #require(failure(finalizerInfo(number: number)))
        #expect(message.contains("last_tracked_votes[0].voted_for_block_num: expected a block number (0…4294967295), \(found)"), "\(message)")
    }

    @Test("a block number written as a digit string is read exactly (fc's large-integer form)")
    func digitString() throws {
        let block = SpringAnswers.blocks[13]
        let info = try NodeAPI.parseFinalizerInfo(finalizerInfo(number: "\"\(block.blockNumber)\""), url: url)
        #expect(info.votes.first?.blockNumber == block.blockNumber)
        #expect(info.votes.first?.problems == [])
    }

    @Test("is_vote_strong must be true or false: 1 and \"true\" are refused", arguments: ["1", "\"true\"", "null"])
    func strongIsABoolean(value: String) throws {
        let message = try #require(failure(finalizerInfo(strong: value)))
        #expect(message.contains("last_tracked_votes[0].is_vote_strong: expected true or false"), "\(message)")
    }

    @Test("a weight that is not an unsigned 64-bit number names the finalizer")
    func badWeight() throws {
        let message = try #require(failure(finalizerInfo(weight: "18446744073709551616")))
        #expect(message.contains("active_finalizer_policy.finalizers[0].weight: expected an unsigned number"), "\(message)")
    }

    @Test("last_tracked_votes missing, or not a list, is refused", arguments: [
        (#"{"active_finalizer_policy":null}"#, "last_tracked_votes: missing (is this a Spring node?)"),
        (#"{"last_tracked_votes":{}}"#, "last_tracked_votes: expected a list"),
        (#"{"last_tracked_votes":[7]}"#, "last_tracked_votes[0]: expected an object"),
    ])
    func votesShape(body: String, message: String) throws {
        let m = try #require(failure(Array(body.utf8)))
        #expect(m.contains(message), "\(m)")
    }

    @Test("get_info gives the head block's number, id and time; a head id that disagrees with its number is refused")
    func head() throws {
        let info = try NodeAPI.parseInfo(Array(SpringAnswers.getInfo().utf8), url: "u")
        #expect(info.headBlockNumber == SpringAnswers.head.blockNumber)
        #expect(info.headBlockID == SpringAnswers.head.id)
        #expect(info.headBlockTime == SpringAnswers.head.header.timestamp)
        let bad = SpringAnswers.getInfo().replacingOccurrences(
            of: "\"head_block_num\":\(SpringAnswers.head.blockNumber)", with: "\"head_block_num\":5")
        #expect(throws: NodeAPIError.self) { try NodeAPI.parseInfo(Array(bad.utf8), url: "u") }
    }
}

/// The HTTP client's chunked decoding: each byte looked at once, each line ending checked.
@Suite("Chunked answers")
struct ChunkedBodyTests {
    static func chunked(_ body: String, size: Int) -> [UInt8] {
        let bytes = Array(body.utf8)
        var out = [UInt8]()
        var i = 0
        while i < bytes.count {
            let n = min(size, bytes.count - i)
            out += Array((String(n, radix: 16) + "\r\n").utf8) + bytes[i..<i + n] + [13, 10]
            i += n
        }
        return out + Array("0\r\n\r\n".utf8)
    }

    @Test("fed whole or one byte at a time, the body is the same and every byte is taken exactly once")
    func incremental() throws {
        let text = String(repeating: "0123456789abcdef", count: 4096)  // 64 KiB
        let wire = Self.chunked(text, size: 1)  // 65,536 one-byte chunks
        var whole = HTTPClient.ChunkedBody()
        try whole.feed(wire)
        #expect(whole.isComplete)
        #expect(whole.body == Array(text.utf8))
        #expect(whole.consumed == wire.count)
        var piecewise = HTTPClient.ChunkedBody()
        var fed = 0
        for (n, b) in wire.enumerated() {
            #expect(!piecewise.isComplete || n == wire.count)
            try piecewise.feed([b])
            fed += 1
        }
        #expect(piecewise.isComplete)
        #expect(piecewise.body == whole.body)
        #expect(piecewise.consumed == fed)
    }

    @Test("chunk extensions and trailers are read; upper-case hex sizes too")
    func extensionsAndTrailers() throws {
        var c = HTTPClient.ChunkedBody()
        try c.feed(Array("A;name=value\r\n0123456789\r\n1\r\n!\r\n0\r\nX-Trailer: 1\r\n\r\n".utf8))
        #expect(c.isComplete)
        #expect(String(decoding: c.body, as: UTF8.self) == "0123456789!")
    }

    @Test("a wrong line ending or size is refused, naming the chunk", arguments: [
        ("5\r\nhello\r\n5\r\nworldXX0\r\n\r\n", "chunk 1 (body byte 18): expected CRLF after the chunk's data, found \"X\""),
        ("5\r\nhelloworld\r\n", "chunk 0 (body byte 8): expected CRLF after the chunk's data, found \"w\""),
        ("5\r\nhello\n", "chunk 0 (body byte 8): expected CRLF after the chunk's data, found byte 0xA"),
        ("5\nhello\r\n", "chunk 0 (body byte 1): a line ends in LF without CR"),
        ("0\r\n\n", "chunk 0 (body byte 3): a line ends in LF without CR"),
        ("zz\r\n", "chunk 0: size \"zz\" is not hexadecimal"),
        ("-5\r\n", "chunk 0: size \"-5\" is not hexadecimal"),
        ("\r\n", "chunk 0: empty size line"),
        ("5\r\nhello\r\n 3\r\n", "chunk 1: size \" 3\" is not hexadecimal"),
    ])
    func refused(wire: String, message: String) {
        var c = HTTPClient.ChunkedBody()
        do {
            try c.feed(Array(wire.utf8))
            Issue.record("accepted \(wire.debugDescription)")
        } catch {
            #expect(error.description == "not an HTTP response: " + message)
        }
    }

    @Test("a chunk size beyond the answer limit is refused before any allocation")
    func huge() {
        var c = HTTPClient.ChunkedBody()
        #expect(throws: HTTPClient.HTTPFailure.tooLarge(limit: 32 << 20)) { try c.feed(Array("ffffffffffffffffffffff\r\n".utf8)) }
    }

    func respond(_ raw: String) throws(EngineError) -> NodeInfo {
        let server = TestHTTPServer(["/v1/chain/get_info": .raw(Array(raw.utf8))])
        defer { server.stop() }
        return try NodeAPI.info(server.baseURL, timeoutSeconds: 2)
    }

    @Test("a real answer in one-byte chunks over a socket decodes")
    func overTheWire() throws {
        let body = SpringAnswers.getInfo()
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        let info = try respond(head + String(decoding: Self.chunked(body, size: 1), as: UTF8.self))
        #expect(info.lib.number == SpringAnswers.lib.blockNumber)
    }

    @Test("over a socket, a chunk without its CRLF is an I/O error that names the check")
    func badEndingOverTheWire() {
        let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        do {
            _ = try respond(head + "2\r\n{}..0\r\n\r\n")
            Issue.record("accepted")
        } catch {
            #expect(error.status == .io)
            #expect(error.description.contains("expected CRLF after the chunk's data"), "\(error.description)")
        }
    }

    @Test("a Content-Length that is not digits, or a transfer coding other than chunked, is refused", arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n{}",
        "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n{}",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n{}",
    ])
    func badFraming(raw: String) {
        do {
            _ = try respond(raw)
            Issue.record("accepted")
        } catch {
            #expect(error.status == .io)
            #expect(error.description.contains("not an HTTP response"), "\(error.description)")
        }
    }

    @Test("a body cut by the close before its last chunk is refused; one cut in the trailer is whole")
    func closeMidBody() throws {
        let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        let body = SpringAnswers.getInfo()
        let wire = Self.chunked(body, size: 64)
        // Cut in bytes: "\r\n" is one Character in a Swift String.
        #expect(throws: EngineError.self) { try respond(head + String(decoding: wire.dropLast(40), as: UTF8.self)) }
        let info = try respond(head + String(decoding: wire.dropLast(2), as: UTF8.self))
        #expect(info.lib.number == SpringAnswers.lib.blockNumber)
    }
}
