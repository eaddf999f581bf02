import FinalityEngine
import FinalityFormat
import FinalityInterface
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 23, item 5: one refresh of the network's view for a policy of `count` finalizers
/// (parse get_info and get_finalizer_info, statuses, totals, verdict, then the text, the
/// JSON, the Prometheus metrics and the Network screen at 80x24), in CPU time per refresh, beside Foundation's
/// JSONSerialization parsing the same bytes in the same run. Target: ≤ 20 ms of CPU per
/// refresh at 1,000 finalizers.
func networkBenchmark(count: Int = 1_000) {
    func cpu() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
    func hex(_ n: UInt32) -> String {
        let h = String(n, radix: 16)
        return String(repeating: "0", count: 8 - h.count) + h + String(repeating: "ab", count: 28)
    }
    func time(_ slot: UInt32) -> String { String(BlockTimestamp(slot: slot).iso8601.dropLast()) }
    let head: UInt32 = 400_000_000, headSlot: UInt32 = 1_700_000_000
    let keys = (0..<count).map { i -> BLSPublicKey in
        var b = (0..<96).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 0x5A) }
        (b[0], b[1]) = (UInt8(truncatingIfNeeded: i >> 8), UInt8(truncatingIfNeeded: i))
        return BLSPublicKey(bytes: b)
    }
    let weights = (0..<count).map { UInt64($0 % 7 + 1) }
    let total = weights.reduce(0, +)
    var body = "{\"active_finalizer_policy\":{\"generation\":12,\"threshold\":\(total * 2 / 3 + 1),\"finalizers\":["
    for i in 0..<count {
        body += (i > 0 ? "," : "") + "{\"description\":\"finalizer-\(i).example\",\"weight\":\(weights[i]),\"public_key\":\"\(keys[i].text)\"}"
    }
    body += "]},\"pending_finalizer_policy\":null,\"last_tracked_votes\":["
    for i in 0..<count {
        // A fifth are 40 blocks behind, a tenth vote weak.
        let b = i % 5 == 0 ? head - 40 : head
        body += (i > 0 ? "," : "")
            + "{\"description\":\"finalizer-\(i).example\",\"public_key\":\"\(keys[i].text)\",\"is_vote_strong\":\(i % 10 != 3),\"finalizer_policy_generation\":12,"
            + "\"voted_for_block_id\":\"\(hex(b))\",\"voted_for_block_num\":\(b),\"voted_for_block_timestamp\":\"\(time(headSlot - (head - b)))\"}"
    }
    body += "]}"
    let info = """
        {"server_version":"d133c641","chain_id":"\(String(repeating: "7e", count: 32))","head_block_num":\(head),\
        "last_irreversible_block_num":\(head - 2),"last_irreversible_block_id":"\(hex(head - 2))","head_block_id":"\(hex(head))",\
        "head_block_time":"\(time(headSlot))","server_version_string":"v1.1.2","last_irreversible_block_time":"\(time(headSlot - 2))"}
        """
    let infoBytes = Array(info.utf8), bodyBytes = Array(body.utf8), bodyData = Data(bodyBytes)

    var sink = 0
    func measure(_ label: String, _ body: () -> Int) -> Double {
        var runs = 0
        let start = cpu()
        repeat {
            sink &+= body()
            runs += 1
        } while cpu() - start < 1.0 || runs < 5
        return (cpu() - start) / Double(runs) * 1000
    }
    print("\nnetwork view, \(count) finalizers (get_finalizer_info \(bodyBytes.count / 1000) kB), CPU time per refresh:")
    let reference = measure("JSONSerialization") {
        ((try? JSONSerialization.jsonObject(with: bodyData)) as? [String: Any])?.count ?? 0
    }
    // The first refresh decodes every key text; later ones find them decoded (a watch).
    let firstStart = cpu()
    _ = try! NetworkSampler.parseFinalizerInfo(bodyBytes, url: "http://bench")
    let first = (cpu() - firstStart) * 1000
    var view: NetworkView?
    let model = measure("model") {
        let i = try! NodeAPI.parseInfo(infoBytes, url: "http://bench")
        let f = try! NetworkSampler.parseFinalizerInfo(bodyBytes, url: "http://bench")
        view = try! NetworkView.build(
            [NetworkAnswer(url: "http://bench", info: i, finalizers: f)], configuredKeys: [keys[3]],
            unixMilliseconds: BlockTimestamp(slot: headSlot).unixMilliseconds + 250)
        return view!.active!.totals.votingCount
    }
    let v = view!
    let parsed = try! NodeAPI.parseFinalizerInfo(bodyBytes, url: "http://bench")
    let parsedInfo = try! NodeAPI.parseInfo(infoBytes, url: "http://bench")
    let parseOnly = measure("parse") { (try! NetworkSampler.parseFinalizerInfo(bodyBytes, url: "http://bench")).votes.count }
    let decoderOnly = measure("decoder") { (try! NodeAPI.parseFinalizerInfo(bodyBytes, url: "http://bench")).votes.count }
    let buildOnly = measure("build") {
        (try! NetworkView.build(
            [NetworkAnswer(url: "http://bench", info: parsedInfo, finalizers: parsed)], configuredKeys: [keys[3]],
            unixMilliseconds: BlockTimestamp(slot: headSlot).unixMilliseconds + 250)).active!.totals.votingCount
    }
    let text = measure("text") { NetworkText.lines(v, sort: .status).count }
    let json = measure("json") { NetworkText.json(v).serialized().utf8.count }
    let metrics = measure("metrics") { NetworkMetrics.text(v).utf8.count }
    // The Network screen open at 80x24: a refresh absorbed (its table made) and the frame drawn.
    var open = AppState(location: Location(file: "/srv/node/data/finalizers/safety.dat", dataDir: "/srv/node/data"), readOnly: true, size: Size(columns: 80, rows: 24), apiURL: "http://bench")
    open.screen = .lib
    _ = Core.update(&open, .terminal(.key(.character("n"))))
    let screen = measure("screen") {
        var s = open
        _ = Core.update(&s, .networkPolled(NetworkPoll(latest: .success(v), refreshes: 1, takenAt: v.unixMilliseconds), now: v.unixMilliseconds))
        return Render.render(s).text.count
    }
    var shown = open
    _ = Core.update(&shown, .networkPolled(NetworkPoll(latest: .success(v), refreshes: 1, takenAt: v.unixMilliseconds), now: v.unixMilliseconds))
    let frame = measure("frame") { Render.render(shown).text.count }
    print(String(format: "  JSONSerialization of the same bytes (reference): %.2f ms", reference))
    print(String(format: "  parse both answers + statuses, totals, verdict:   %.2f ms (%.1f× the reference)", model, model / max(reference, 0.001)))
    print(String(format: "    of which get_finalizer_info read: %.2f ms (JSONDecoder, the reference parser: %.2f ms); statuses, totals, verdict: %.2f ms", parseOnly, decoderOnly, buildOnly))
    print(String(format: "    (the first refresh reads get_finalizer_info in %.2f ms: it decodes the 1,000 key texts the later ones find decoded)", first))
    print(String(format: "  text rendering (%d lines):                       %.2f ms", NetworkText.lines(v).count, text))
    print(String(format: "  JSON document:                                    %.2f ms", json))
    print(String(format: "  Prometheus metrics:                               %.2f ms", metrics))
    print(String(format: "  Network screen at 80x24, a refresh absorbed + drawn: %.2f ms (a frame without a refresh: %.3f ms)", screen, frame))
    let refresh = model + text
    print(String(format: "  one text refresh (parse … text): %.2f ms CPU (target <= 20 ms)%@; with JSON and metrics too: %.2f ms",
        refresh, refresh <= 20 ? "" : "  OVER", refresh + json + metrics))
    let onScreen = model + screen
    print(String(format: "  one screen refresh (parse … screen): %.2f ms CPU (target <= 20 ms)%@", onScreen, onScreen <= 20 ? "" : "  OVER"))
    print("  verdict: \(v.verdict.sentence.prefix(120))")
    if sink == 42 { print("") }
    fflush(nil)
}
