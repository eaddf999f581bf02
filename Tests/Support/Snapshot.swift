import Foundation
import Testing
import FinalityInterface

/// Screen dumps as the oracle (as tig does): the grid's text and a style map, compared
/// exactly with files under Snapshots/. A missing or different snapshot fails; run with
/// SNAPSHOT_RECORD=1 to (re)write them, then review the diff in git. A recording run fails
/// too (it names each snapshot written): it checked nothing, so it never passes.
public enum Snapshot {
    /// Tests/FinalityInterfaceTests/Snapshots: beside the screen tests, excluded from their target.
    public static let directory = PackagePaths.tests.appendingPathComponent("FinalityInterfaceTests/Snapshots")

    public static let styleLetters: [Style: Character] = [
        .normal: ".", .title: "T", .header: "H", .selected: "S", .dim: "d", .good: "g", .warning: "w",
        .danger: "D", .keyHint: "K", .input: "I", .changed: "C", .border: "b",
    ]

    public static func styleMap(_ g: Grid) -> String {
        var lines = (0..<g.size.rows).map { r in String((0..<g.size.columns).map { styleLetters[g[r, $0].style]! }) }
        lines.append("cursor: " + (g.cursor.map { "\($0.row),\($0.column)" } ?? "hidden"))
        return lines.joined(separator: "\n") + "\n"
    }

    public static func check(_ grid: Grid, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let textURL = directory.appendingPathComponent(name + ".txt")
        let styleURL = directory.appendingPathComponent(name + ".style.txt")
        let text = grid.text + "\n"
        let styles = styleMap(grid)
        if ProcessInfo.processInfo.environment["SNAPSHOT_RECORD"] == "1" {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try? text.write(to: textURL, atomically: true, encoding: .utf8)
            try? styles.write(to: styleURL, atomically: true, encoding: .utf8)
            Issue.record("recorded snapshot \(name) (SNAPSHOT_RECORD=1): review it with git diff, then run without SNAPSHOT_RECORD", sourceLocation: sourceLocation)
            return
        }
        guard let expectedText = try? String(contentsOf: textURL, encoding: .utf8),
            let expectedStyles = try? String(contentsOf: styleURL, encoding: .utf8)
        else {
            Issue.record("missing snapshot \(name) (record with SNAPSHOT_RECORD=1):\n\(text)", sourceLocation: sourceLocation)
            return
        }
        if expectedText != text {
            Issue.record("screen \(name) differs from its snapshot:\n\(text)", sourceLocation: sourceLocation)
        }
        if expectedStyles != styles {
            Issue.record("styles of \(name) differ from the snapshot:\n\(styles)", sourceLocation: sourceLocation)
        }
    }
}
