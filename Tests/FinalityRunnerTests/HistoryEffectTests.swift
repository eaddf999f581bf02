import FinalityEngine
import FinalityFormat
import FinalityInterface
import FinalityRunner
import FinalityTestSupport
import Foundation
import Testing

/// The History screen's listing (the runner's `history`) reconciles a change left without
/// its completion record as `finality history` does: the record's row says the outcome,
/// and an unknown one is a problem said first, with how to go on.
@Suite("The History screen's listing: a record without its completion, reconciled", .serialized)
struct HistoryEffectTests {
    static func listing(_ dir: String) throws -> HistoryListing {
        let effects = EngineEffects(toolVersion: "test")
        guard case .historyLoaded(let result) = effects.perform(.loadHistory(try Location.resolve(dir))) else {
            throw Failure("not a history message")
        }
        return try result.get()
    }

    struct Failure: Error {
        var text: String
        init(_ t: String) { text = t }
    }

    @Test("applied and completed: two rows; cut off the completion: the row says reconciled as APPLIED; the file replaced: UNKNOWN, a problem")
    func reconciledRows() throws {
        let (dir, path) = try Fixture.dataDir()
        let environment = ChangeEnvironment(toolVersion: "test")
        let review = try ChangeWorkflow.review(
            ChangeRequest(.reset(key: Fixture.key(1).text), path: dir, lib: .readings([Fixture.lib(5190)])), environment: environment)
        _ = try ChangeWorkflow.apply(review, context: Fixture.context(), environment: environment)
        var l = try Self.listing(dir)
        #expect(l.records.map(\.action) == ["reset", "applied"])
        #expect(l.records[1].summary.hasPrefix("line 2: completes line 1, seen: read back"), "\(l.records[1].summary)")
        #expect(l.problems.isEmpty, "\(l.problems)")

        let log = AuditLog.path(for: path)
        let first = String(decoding: Fixture.read(log), as: UTF8.self).split(separator: "\n")[0]
        try Data((first + "\n").utf8).write(to: URL(fileURLWithPath: log))
        l = try Self.listing(dir)
        #expect(l.records.count == 1)
        #expect(l.records[0].summary.hasSuffix("; no completion record: reconciled as APPLIED"), "\(l.records[0].summary)")
        #expect(l.problems.isEmpty, "\(l.problems)")

        var other = Fixture.savannaFile()
        other.entries.removeLast()
        try Data(SafetyFileWriter.encode(other)).write(to: URL(fileURLWithPath: path))
        l = try Self.listing(dir)
        #expect(l.records[0].summary.hasSuffix("; no completion record: its outcome is UNKNOWN"), "\(l.records[0].summary)")
        let problem = try #require(l.problems.first)
        #expect(problem.contains("line 1 (reset"), "\(problem)")
        #expect(problem.contains("--acknowledge-unknown"), "\(problem)")
    }
}
