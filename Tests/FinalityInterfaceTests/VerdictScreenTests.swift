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
}
