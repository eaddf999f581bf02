import FinalityEngine
import FinalityFormat
import Testing
import FinalityTestSupport

@testable import FinalityInterface

/// The first screen comes before the file's SHA-256 (issue 7: at decode speed); the hash
/// arrives with the background poll. No plan is ever bound to a hash not yet known.
@Suite struct DeferredHashTests {
    static func stateWithoutHash(load: Int = 7) -> (AppState, Bytes32) {
        var s = ScreenFixture.state(size: Size(columns: 220, rows: 40))
        let sha = s.file!.sha256!
        s.file!.sha256 = nil
        s.file!.loadID = load
        return (s, sha)
    }

    @Test func theScreenSaysComputingUntilTheHashArrives() {
        var (s, sha) = Self.stateWithoutHash()
        #expect(Render.render(s).text.contains("sha256 computing…"))
        #expect(s.file!.backgroundPending)
        // The tick polls for this load.
        let effects = Core.update(&s, .tick)
        #expect(effects.contains { if case .pollSubgroupChecks(load: 7) = $0 { true } else { false } })
        // An answer for another load (a file read again since) is not this file's.
        _ = Core.update(&s, .subgroupChecksPolled(load: 6, sha256: ScreenFixture.digest(1), keyTexts: nil, warnings: nil))
        #expect(s.file!.sha256 == nil)
        _ = Core.update(&s, .subgroupChecksPolled(load: 7, sha256: sha, keyTexts: nil, warnings: nil))
        #expect(s.file!.sha256 == sha)
        #expect(Render.render(s).text.contains("sha256 \(sha.hex.prefix(12))…"))
        #expect(!Render.render(s).text.contains("computing"))
    }

    @Test func noPlanIsRequestedBeforeTheHashIsKnown() {
        var (s, sha) = Self.stateWithoutHash()
        press(&s, c("j"), c("r"))
        #expect(s.wizard?.step == .chooseEntry)
        var effects = press(&s, .enter)
        #expect(effects.count == 1)
        #expect(effects.contains { if case .awaitHash(load: 7) = $0 { true } else { false } }, "\(effects)")
        #expect(s.wizard?.step == .chooseEntry, "the wizard waits")
        #expect(s.busy?.contains("computing the file's SHA-256") == true)
        // An answer without the hash (another load, or not yet): still waiting.
        _ = Core.update(&s, .subgroupChecksPolled(load: 6, sha256: sha, keyTexts: nil, warnings: nil))
        #expect(s.wizard?.step == .chooseEntry)
        // The hash arrives: the Enter pressed before it takes effect, once.
        _ = Core.update(&s, .subgroupChecksPolled(load: 7, sha256: sha, keyTexts: nil, warnings: nil))
        #expect(s.wizard?.step == .chooseLIB)
        #expect(s.busy == nil)
        _ = Core.update(&s, .subgroupChecksPolled(load: 7, sha256: sha, keyTexts: nil, warnings: nil))
        #expect(s.wizard?.step == .chooseLIB)
        effects = press(&s, .enter)
        guard case .computePlan(let request)? = effects.first else {
            Issue.record("no plan requested: \(effects)")
            return
        }
        #expect(request.expectedSHA256 == sha, "the plan is bound to the hash that arrived")
    }

    @Test func aFileReadOnlyInPartSaysTheHashIsNotComputed() {
        var s = ScreenFixture.state(size: Size(columns: 220, rows: 40))
        s.file!.readWhole = false
        let text = Render.render(s).text
        #expect(text.contains("sha256 not computed"))
        #expect(!text.contains("sha256 \(s.file!.sha256!.hex.prefix(12))"))
    }
}
