import FinalityEngine
import FinalityFormat
import FinalityInterface
import Testing
import FinalityTestSupport

/// Issue 21: the operator's first question ("which key will not vote, and why?") answered
/// on the Entries screen at 80x24, without opening a detail pane.
@Suite struct VerdictScreenTests {
    @Test("Entries at 80x24: a verdict column read first, the banner counts the keys that will not vote")
    func verdictColumnAndBanner() {
        let s = ScreenFixture.state(size: .minimum, nodeKeys: ScreenFixture.nodeKeys)
        let g = Render.render(s)
        let text = g.text
        // The header puts the verdict right after the entry number.
        let header = text.split(separator: "\n").first { $0.contains("Last vote") }.map(String.init) ?? ""
        #expect(header.hasPrefix("   # Verdict"), "\(header)")
        // Entry 2 never voted and has no lock: the row says so in its first column.
        let row2 = text.split(separator: "\n").first { $0.hasPrefix("   2 ") }.map(String.init) ?? ""
        #expect(row2.hasPrefix("   2 no vote: no lock"), "\(row2)")
        // Entry 3's key is not configured.
        let row3 = text.split(separator: "\n").first { $0.hasPrefix("   3 ") }.map(String.init) ?? ""
        #expect(row3.hasPrefix("   3 inactive"), "\(row3)")
        // The banner: one key will not vote, which.
        #expect(text.contains("1 key will not vote: #2"), "\(text)")
    }

    @Test("the detail pane says the verdict first, then the review's sentence for today")
    func detailPane() {
        var s = ScreenFixture.state(size: .minimum, nodeKeys: ScreenFixture.nodeKeys)
        press(&s, c("j"), c("j"))
        let text = Render.render(s).text
        #expect(text.contains("verdict: no vote: no lock"), "\(text)")
        #expect(text.contains("today: no vote on any block (no lock)"), "\(text)")
    }

    @Test("Help has a legend line for every verdict and every flag (the engine's one table)")
    func helpLegend() {
        var s = ScreenFixture.state(size: Size(columns: 120, rows: 40))
        press(&s, c("?"))
        // Every line of Help, scrolled through.
        var all = ""
        for _ in 0..<40 {
            all += Render.render(s).text + "\n"
            press(&s, .pageDown)
        }
        for v in KeyVerdict.legend { #expect(all.contains("  \(v.short): "), "no legend line for \(v.short)") }
        for f in FlagLegend.lines { #expect(all.contains("  \(f.short): "), "no legend line for \(f.code)") }
    }

    @Test("/ and n search a review: the review scrolls to the matching line, the status says which match")
    func searchTheReview() {
        var s = ScreenFixture.state(size: .minimum)
        press(&s, c("j"), c("r"), .enter, .enter)
        _ = Core.update(&s, .planComputed(.success(ScreenFixture.resetPlan(s))))
        // Below the fold at 80x24: the interlocks that are clear are listed after the diff.
        #expect(!Render.render(s).text.contains("Interlocks:"))
        press(&s, c("/"))
        type(&s, "interlocks:")
        press(&s, .enter)
        let found = Render.render(s).text
        #expect(found.contains("Interlocks:"), "\(found)")
        #expect(found.contains("match 1 of 1"), "\(found)")
        // n wraps around to the same single match; a text the review lacks is said so.
        press(&s, c("n"))
        #expect(Render.render(s).text.contains("Interlocks:"))
        press(&s, c("/"))
        press(&s, .control("u"))
        type(&s, "no such words")
        press(&s, .enter)
        #expect(Render.render(s).text.contains("the review does not contain"), "\(Render.render(s).text)")
    }

    @Test("a plan that makes a double vote possible: step 4 says so right above the prompt and the key alone does not confirm")
    func riskAboveThePrompt() {
        var s = ScreenFixture.state(size: .minimum)
        press(&s, c("j"), c("r"), .enter, .enter)
        var plan = ScreenFixture.resetPlan(s)
        let key8 = plan.confirmation.expected
        plan.confirmation = Confirmation.namingRisk(plan.confirmation, risk: "DOUBLE VOTE POSSIBLE: the evidence of a newer vote is discarded")
        _ = Core.update(&s, .planComputed(.success(plan)))
        press(&s, .enter)
        let lines = Render.render(s).text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let prompt = lines.firstIndex { $0.hasPrefix(">") } ?? 0
        let risk = lines.firstIndex { $0.hasPrefix("DOUBLE VOTE POSSIBLE") } ?? 999
        #expect(risk < prompt && prompt - risk <= 3, "\(lines.joined(separator: "\n"))")
        #expect(lines.joined(separator: " ").contains("double vote \(key8)"))
        type(&s, key8)
        press(&s, .enter)
        #expect(s.wizard?.confirmError != nil, "the key alone confirmed a double vote")
        #expect(s.wizard?.step == .confirm)
    }
}
