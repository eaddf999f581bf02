import FinalityEngine
import FinalityFormat
import FinalityTestSupport
import Foundation
import Testing

/// The safety file re-read while another process rewrites it in place, as nodeos does
/// (no temp file, no lock): a read that catches half a save fails its CRC and is tried
/// again, never reported as damage on the first try.
@Suite("Watch: the file read while it is rewritten", .serialized)
struct WatchFileTests {
    static func bytes(vote n: UInt32) -> [UInt8] {
        let entry = SafetyEntry(
            key: WatchTests.key,
            state: .savanna(SavannaSafety(
                lastVote: BlockRef(blockID: FakeAnswers.id(n), timestamp: BlockTimestamp(slot: n)),
                lock: BlockRef(blockID: FakeAnswers.id(n - 1), timestamp: BlockTimestamp(slot: n - 1)))))
        return SafetyFileWriter.encode(SafetyFile(format: .savannaV1, entries: [entry]))
    }

    /// `sh` rewriting `path` in place, alternating two saves, each written as two `dd`
    /// calls (first half, then the rest) with a pause between saves. Stops when `stop` exists.
    final class Writer {
        let pid: pid_t
        let stop: String

        init(path: String, a: String, b: String, half: Int) {
            stop = path + ".stop"
            let save = { (src: String) in
                "dd if=\(src) of=\(path) bs=\(half) count=1 conv=notrunc status=none; dd if=\(src) of=\(path) bs=\(half) skip=1 seek=1 conv=notrunc status=none; sleep 0.02"
            }
            let script = "while [ ! -e \(stop) ]; do \(save(a)); \(save(b)); done"
            var p: pid_t = 0
            let args: [String] = ["/bin/sh", "-c", script]
            let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            precondition(posix_spawn(&p, "/bin/sh", nil, nil, argv, environ) == 0)
            pid = p
        }

        func finish() {
            FileManager.default.createFile(atPath: stop, contents: nil)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
    }

    @Test("reads during in-place rewrites by another process: torn reads happen, are retried, and never reported")
    func tornReadsRetried() throws {
        let a = Self.bytes(vote: 1000), b = Self.bytes(vote: 2000)
        #expect(a.count == b.count)
        let f = TempFile(a)
        defer { f.remove() }
        let dir = (f.path as NSString).deletingLastPathComponent
        FileManager.default.createFile(atPath: dir + "/a", contents: Data(a))
        FileManager.default.createFile(atPath: dir + "/b", contents: Data(b))
        let writer = Writer(path: f.path, a: dir + "/a", b: dir + "/b", half: a.count / 2)
        defer { writer.finish() }

        // Without retries, some single reads do see half a save (the CRC fails): the
        // torn states are real.
        var singleFailures = 0
        for _ in 0..<4000 where singleFailures < 3 {
            if case .unreadable(let why, 1) = WatchSampler.readFile(f.path, tries: 1) {
                #expect(why.contains("CRC"), "\(why)")
                singleFailures += 1
            }
            usleep(500)
        }
        #expect(singleFailures == 3, "no torn read seen in 4,000 single reads")

        // With the watch's retries, every refresh reads one whole save or the other.
        var retried = 0
        for _ in 0..<400 {
            switch WatchSampler.readFile(f.path) {
            case .read(let file, let tries):
                let vote = file.entries.first?.savanna?.lastVote.blockNumber
                #expect(vote == 1000 || vote == 2000)
                if tries > 1 { retried += 1 }
            case .unreadable(let why, let tries):
                Issue.record("reported unreadable after \(tries) tries: \(why)")
            case .missing(let why):
                Issue.record("missing: \(why)")
            }
            usleep(1000)
        }
        #expect(retried > 0, "no read needed a retry: the test did not exercise torn reads")
    }

    @Test("a file that stays damaged: the first failing refresh says it is changing, the next says it does not read cleanly")
    func damageOnlyWhenItPersists() throws {
        var bytes = Self.bytes(vote: 1000)
        let f = TempFile(bytes)
        defer { f.remove() }
        let node = FakeNode()
        defer { node.stop() }
        var state = WatchState(WatchConfig(file: f.path, apis: [node.url]))
        state.update(WatchSampler.sample(state.config, apiTimeout: 0.5, clock: { 1_000_000 }))
        #expect(state.keys.first?.entry?.savanna?.lastVote.blockNumber == 1000)
        bytes[bytes.count - 1] ^= 0xFF  // the CRC
        FileManager.default.createFile(atPath: f.path, contents: Data(bytes))
        state.update(WatchSampler.sample(state.config, apiTimeout: 0.5, clock: { 1_001_000 }))
        #expect(state.lines().contains("File changing under the read (5 tries): will read again"), "\(state.lines())")
        #expect(!state.lines().contains { $0.contains("does not read cleanly") })
        // The entry read before stays on screen.
        #expect(state.keys.first?.entry?.savanna?.lastVote.blockNumber == 1000)
        state.update(WatchSampler.sample(state.config, apiTimeout: 0.5, clock: { 1_002_000 }))
        let line = try #require(state.lines().first { $0.hasPrefix("File does not read cleanly (5 tries, for 1 s): ") })
        #expect(line.contains("CRC"), "\(line)")
    }
}
