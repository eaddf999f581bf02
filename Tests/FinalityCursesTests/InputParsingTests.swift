import FinalityCurses
import FinalityEngine
import FinalityInterface
import Foundation
import Glibc
import Testing

/// Issue 20, item 2: input is parsed, not guessed. The decoder alone (pure), then the real
/// ncurses adapter headless (bytes through a pipe), then the whole program.
@Suite struct InputDecoderTests {
    func decode(_ chunks: [[UInt8]], flush: Bool = true) -> [TerminalEvent] {
        var d = InputDecoder()
        var out = [TerminalEvent]()
        for c in chunks {
            d.feed(c)
            while let e = d.next() { out.append(e) }
        }
        if flush { d.flush() }
        while let e = d.next() { out.append(e) }
        return out
    }

    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test("an X10 mouse report (ESC [ M and three bytes) is dropped whole: its bytes are never keys")
    func x10MouseIsDropped() {
        // A click at column 1, row 1: button 0 (32), x 33, y 33; then `r` typed.
        #expect(decode([bytes("\u{1b}[M !!r")]) == [.key(.character("r"))])
        // Coordinates past 95 are bytes above 0x7F; in mode 1005 each is a UTF-8 character.
        #expect(decode([[0x1B, 0x5B, 0x4D, 0x20, 0xFF, 0xFE, 0x6A]]) == [.key(.character("j"))])
        #expect(decode([[0x1B, 0x5B, 0x4D, 0x20, 0xC4, 0x80, 0xC4, 0x81, 0x6A]]) == [.key(.character("j"))])
    }

    @Test("SGR and urxvt mouse reports and a CSI with any number of parameter bytes are dropped whole")
    func longSequencesAreDropped() {
        #expect(decode([bytes("\u{1b}[<0;120;45M\u{1b}[<0;120;45mk")]) == [.key(.character("k"))])
        #expect(decode([bytes("\u{1b}[32;10;5Mk")]) == [.key(.character("k"))])
        // More than 16 parameter bytes (the old reader's limit): the `d` is the final byte.
        #expect(decode([bytes("\u{1b}[1;2;3;4;5;6;7;8;9;d")]) == [])
        #expect(decode([bytes("\u{1b}[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20;6~")]) == [])
        // Intermediate bytes before the final byte (ECMA-48 5.4).
        #expect(decode([bytes("\u{1b}[1 qj")]) == [.key(.character("j"))])
    }

    @Test("sequences split across reads are one key; a fragment that never ends is dropped, a lone ESC is ESC")
    func splitSequences() {
        #expect(decode([bytes("\u{1b}"), bytes("["), bytes("6"), bytes("~")]) == [.key(.pageDown)])
        #expect(decode([bytes("\u{1b}[M"), bytes(" "), bytes("!!q")]) == [.key(.character("q"))])
        #expect(decode([bytes("\u{1b}[1;2;3")]) == [])
        #expect(decode([bytes("\u{1b}")]) == [.key(.escape)])
        var d = InputDecoder()
        d.feed(bytes("\u{1b}[1;5"))
        #expect(d.next() == nil)
        #expect(d.sequenceStarted)
    }

    @Test("the keys the interface binds still decode (SS3 arrows, CSI page keys, the Linux console's F1)")
    func boundKeys() {
        #expect(decode([bytes("\u{1b}OA\u{1b}[B\u{1b}[6~\u{1b}[[A\u{1b}[Z")]) == [.key(.up), .key(.down), .key(.pageDown), .key(.function(1)), .key(.backTab)])
        #expect(decode([bytes("é\r")]) == [.key(.character("é")), .key(.enter)])
    }

    @Test("a bracketed paste is one event, newlines and escapes inside it are text, never keys")
    func pasteIsOneEvent() {
        #expect(decode([bytes("\u{1b}[200~ab\rc\nd\u{1b}[201~q")]) == [.paste("ab\rc\nd"), .key(.character("q"))])
        // The end marker split across reads.
        #expect(decode([bytes("\u{1b}[200~xy\u{1b}[2"), bytes("01~j")]) == [.paste("xy"), .key(.character("j"))])
        // An ESC inside the paste that is not the end marker stays text.
        #expect(decode([bytes("\u{1b}[200~a\u{1b}[Mb\u{1b}[201~")]) == [.paste("a\u{1b}[Mb")])
    }

    @Test("a 10 MB paste is absorbed in well under a second; its first 4,096 bytes are kept; the next key is a key")
    func tenMegabytePaste() {
        var d = InputDecoder()
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 10 << 20)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            d.feed(bytes("\u{1b}[200~"))
            var i = 0
            while i < body.count {
                body[i..<min(body.count, i + 65_536)].withUnsafeBytes { d.feed($0) }
                i += 65_536
            }
            d.feed(bytes("\u{1b}[201~q"))
        }
        #expect(d.next() == .paste(String(repeating: "x", count: InputDecoder.pasteKeep)))
        #expect(d.next() == .key(.character("q")))
        #expect(elapsed < .seconds(1), "10 MB took \(elapsed)")
        print("decoder: a 10 MB paste absorbed in \(elapsed)")
    }
}

/// The same through the real adapter: bytes written to the pipe ncurses reads.
extension HeadlessCursesTests {
    /// Writes `bytes` whole to `fd` on a thread of its own (a pipe holds less than they
    /// are); then, `pause` microseconds later, `after`. Join the thread returned.
    static func writer(_ fd: Int32, _ bytes: [UInt8], pause: UInt32 = 0, after: [UInt8] = []) -> pthread_t {
        final class Job: @unchecked Sendable {
            let fd: Int32, bytes: [UInt8], pause: UInt32, after: [UInt8]
            init(_ fd: Int32, _ bytes: [UInt8], _ pause: UInt32, _ after: [UInt8]) { (self.fd, self.bytes, self.pause, self.after) = (fd, bytes, pause, after) }
        }
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Job(fd, bytes, pause, after))
        pthread_create(&thread, nil, { arg in
            let job = Unmanaged<Job>.fromOpaque(arg!).takeRetainedValue()
            func writeAll(_ bytes: [UInt8]) {
                var off = 0
                bytes.withUnsafeBytes { raw in
                    while off < raw.count {
                        let n = write(job.fd, raw.baseAddress! + off, raw.count - off)
                        if n > 0 { off += n } else if errno != EINTR { break }
                    }
                }
            }
            writeAll(job.bytes)
            if !job.after.isEmpty {
                usleep(job.pause)
                writeAll(job.after)
            }
            return nil
        }, box.toOpaque())
        return thread
    }

    @Test func aMouseClickIsNoKeyAndALongSequenceIsDroppedWhole() throws {
        let t = try openTerminal("vt100")
        defer { t.close() }
        // The two: an X10 click (its bytes once paged and opened the Reset wizard)
        // and a CSI of more than 16 parameter bytes (once the Delete wizard).
        send("\u{1b}[M rr\u{1b}[1;2;3;4;5;6;7;8;9;dj")
        #expect(events(t, count: 1) == [.key(.character("j"))])
        #expect(t.nextEvent(timeoutMilliseconds: 300) == nil)
    }

    @Test func aPasteArrivesAsOneEventAndTenMegabytesTakeUnderASecond() throws {
        let t = try openTerminal("vt100")
        defer { t.close() }
        send("\u{1b}[200~line one\rline two\u{1b}[201~")
        #expect(events(t, count: 1) == [.paste("line one\rline two")])

        var payload = Array("\u{1b}[200~".utf8)
        payload += [UInt8](repeating: UInt8(ascii: "a"), count: 10 << 20)
        payload += Array("\u{1b}[201~q".utf8)
        let start = ContinuousClock.now
        let thread = Self.writer(input.write, payload)
        let got = events(t, count: 2)
        let elapsed = ContinuousClock.now - start
        pthread_join(thread, nil)
        #expect(got == [.paste(String(repeating: "a", count: InputDecoder.pasteKeep)), .key(.character("q"))])
        #expect(elapsed < .seconds(1), "10 MB through the terminal took \(elapsed)")
        print("headless terminal: a 10 MB paste absorbed in \(elapsed)")
    }

    /// The whole program: `/`, a 10 MB paste into the filter, then ESC and `q` act at once.
    @Test func theProgramAbsorbsATenMegabytePasteAndQuitsRightAfter() throws {
        let t = try openTerminal()
        defer { t.close() }
        let program = Program(state: AppState(location: CannedEffects.location, readOnly: false, size: t.size), device: t, runner: CannedEffects())
        var payload = Array("/\u{1b}[200~".utf8)
        payload += [UInt8](repeating: UInt8(ascii: "b"), count: 10 << 20)
        payload += Array("\r\u{1b}[201~".utf8)
        let start = ContinuousClock.now
        // ESC alone, then q: the filter closes, then the program quits.
        let thread = Self.writer(input.write, payload + [0x1B], pause: 400_000, after: Array("q".utf8))
        program.run()
        let elapsed = ContinuousClock.now - start
        pthread_join(thread, nil)
        #expect(program.state.quitting)
        // The paste's newline submitted nothing: the prompt stayed open until ESC.
        #expect(program.state.prompt == nil)
        #expect(elapsed < .seconds(2), "paste, ESC and q took \(elapsed)")
        print("program: a 10 MB paste into / then ESC and q in \(elapsed) (0.4 s of it the test's pause)")
    }

    /// Keys typed fast (a paste from a terminal without bracketed paste): one frame per
    /// read, not per key. The figure is printed for the README.
    @Test func keysPerSecondThroughTheFilter() throws {
        let t = try openTerminal()
        defer { t.close() }
        let program = Program(state: AppState(location: CannedEffects.location, readOnly: false, size: t.size), device: t, runner: CannedEffects())
        let n = 20_000
        let payload = Array("/".utf8) + [UInt8](repeating: UInt8(ascii: "c"), count: n) + [0x1B]
        let start = ContinuousClock.now
        let thread = Self.writer(input.write, payload, pause: 300_000, after: Array("q".utf8))
        program.run()
        let elapsed = ContinuousClock.now - start - .milliseconds(300)
        pthread_join(thread, nil)
        #expect(program.state.quitting)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("program: \(n) keys through / in \(elapsed): \(Int(Double(n) / seconds)) keys/s")
        #expect(Double(n) / seconds > 5_000)
    }
}
