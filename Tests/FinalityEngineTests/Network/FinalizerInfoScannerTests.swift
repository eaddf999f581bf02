@testable import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

/// The refresh reads get_finalizer_info with a fast scanner (FinalizerInfoScanner.swift) and
/// falls back to NodeAPI.parseFinalizerInfo, the reference, for anything but the plain shape:
/// both must give equal answers, and the fast path must really be taken for nodeos's shape.
@Suite("get_finalizer_info: the fast scanner reads what the reference parser reads")
struct FinalizerInfoScannerTests {
    typealias S = NetworkScenario
    static let url = "http://node:8888/v1/chain/get_finalizer_info"

    static func plain() -> String {
        var next = FakeAnswers.Policy.make(5, names: ["bp.a", "bp.b", "bp.c", "bp.d", "bp.e"], weights: [4, 3, 2, 1, 6], generation: 4)
        for i in 0..<4 { next.finalizers[i].key = S.four.finalizers[i].key }
        return FakeAnswers.finalizerInfo(
            active: S.four, pending: next,
            votes: S.votes(Array(S.keys(S.four)), block: 1000, head: 1000, headSlot: S.t0 + 2)
                + S.votes([next.finalizers[4].key], block: 990, head: 1000, headSlot: S.t0 + 2, strong: false))
    }

    @Test("nodeos's plain shape (two policies, 21 finalizers, 1,000 finalizers) is read by the scanner, equal to the reference")
    func plainShapes() throws {
        let thousand = FakeAnswers.Policy.make(1000, weights: (0..<1000).map { UInt64($0 % 7 + 1) })
        for body in [
            Self.plain(),
            FakeAnswers.finalizerInfo(active: S.twentyOne, votes: S.votes(Array(S.keys(S.twentyOne)), block: 1000, head: 1000, headSlot: S.t0)),
            FakeAnswers.finalizerInfo(active: thousand, votes: S.votes(thousand.finalizers.prefix(600).map(\.key), block: 5, head: 9, headSlot: S.t0)),
            // Pretty-printed, members in another order, members this tool does not read, numbers as strings, nulls.
            """
            {
              "last_tracked_votes": [],
              "extra": {"a": [1, 2.5, -3e4, "x\\"y", true, null, {}]},
              "pending_finalizer_policy": null,
              "active_finalizer_policy": {"finalizers": [{"public_key": "\(S.key("bp.a").text)", "weight": "18446744073709551615", "description": null}], "threshold": "7", "generation": null}
            }
            """,
        ] {
            let bytes = Array(body.utf8)
            let fast = try #require(FinalizerInfoScanner.scan(bytes, url: Self.url), "the scanner gave up on a plain answer")
            #expect(fast == (try NodeAPI.parseFinalizerInfo(bytes, url: Self.url)))
        }
    }

    @Test("anything else falls back to the reference: escapes, a vote failing a check, odd numbers, duplicate members, errors")
    func fallback() throws {
        let p = NetworkViewTests.hostilePolicy
        let cases: [String] = [
            FakeAnswers.finalizerInfo(active: p, votes: S.votes(p.finalizers.prefix(2).map(\.key), block: 10, head: 10, headSlot: S.t0)),
            SpringAnswers.finalizerInfo,  // a vote whose id says another block: kept, with its problem
            Self.plain().replacingOccurrences(of: "\"weight\":4", with: "\"weight\":04"),
            Self.plain().replacingOccurrences(of: "\"weight\":4", with: "\"weight\":4.0"),
            Self.plain().replacingOccurrences(of: "\"threshold\":7", with: "\"threshold\":7,\"threshold\":8"),
        ]
        for body in cases {
            let bytes = Array(body.utf8)
            #expect(FinalizerInfoScanner.scan(bytes, url: Self.url) == nil)
            let reference = Result { try NodeAPI.parseFinalizerInfo(bytes, url: Self.url) }
            let refresh = Result { try NetworkSampler.parseFinalizerInfo(bytes, url: Self.url) }
            switch (reference, refresh) {
            case (.success(let a), .success(let b)): #expect(a == b)
            case (.failure(let a), .failure(let b)): #expect("\(a)" == "\(b)")
            default: Issue.record("the refresh and the reference disagree on \(body.prefix(80))")
            }
        }
        // Errors name the field as the reference does.
        for bad in ["{}", "[]", "{\"last_tracked_votes\":[{\"public_key\":1}]}", "not json"] {
            #expect(FinalizerInfoScanner.scan(Array(bad.utf8), url: Self.url) == nil)
            #expect(throws: NodeAPIError.self) { try NetworkSampler.parseFinalizerInfo(Array(bad.utf8), url: Self.url) }
        }
    }
}
