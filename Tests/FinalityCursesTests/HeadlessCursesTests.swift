import FinalityCurses
import FinalityEngine
import FinalityFormat
import FinalityInterface
import Glibc
import Testing

/// Real ncurses without a terminal (tig's method): newterm with output to /dev/null and
/// input from a pipe; the screen is read back with mvwinnwstr. ncurses state is
/// process-global, so these run one at a time.
@Suite(.serialized) final class HeadlessCursesTests {
    let input: (read: Int32, write: Int32)
    let devNull: Int32

    init() {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        input = (fds[0], fds[1])
        devNull = Glibc.open("/dev/null", O_WRONLY)
        unsetenv("LINES")
        unsetenv("COLUMNS")
        unsetenv("ESCDELAY")
    }

    deinit {
        close(input.read)
        close(input.write)
        close(devNull)
    }

    func openTerminal(_ term: String = "vt100", locale: String = "C.UTF-8") throws -> CursesTerminal {
        setlocale(LC_ALL, locale)
        return try CursesTerminal(termType: term, input: input.read, output: devNull, handleSignals: false)
    }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { write(input.write, $0.baseAddress, $0.count) }
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    func events(_ terminal: CursesTerminal, count: Int) -> [TerminalEvent] {
        (0..<count).compactMap { _ in terminal.nextEvent(timeoutMilliseconds: 1000) }
    }

    @Test func lettersControlKeysEnterAndBackspaceDecode() throws {
        let t = try openTerminal()
        defer { t.close() }
        send("jq?/")
        send([14, 16, 12, 13, 10, 127, 8, 9])
        let got = events(t, count: 12)
        #expect(got == [
            .key(.character("j")), .key(.character("q")), .key(.character("?")), .key(.character("/")),
            .key(.control("n")), .key(.control("p")), .key(.control("l")), .key(.enter), .key(.enter),
            .key(.backspace), .key(.backspace), .key(.tab),
        ])
    }

    @Test func arrowAndFunctionKeysDecodeFromEscapeSequences() throws {
        let t = try openTerminal()
        defer { t.close() }
        // vt100 in keypad-transmit mode: ESC O A … ; F1 is ESC O P.
        send("\u{1b}OA\u{1b}OB\u{1b}OC\u{1b}OD\u{1b}OP")
        #expect(events(t, count: 5) == [.key(.up), .key(.down), .key(.right), .key(.left), .key(.function(1))])
    }

    @Test func aLoneEscapeArrivesAfterTheDelay() throws {
        let t = try openTerminal()
        defer { t.close() }
        send([27])
        #expect(events(t, count: 1) == [.key(.escape)])
        #expect(t.nextEvent(timeoutMilliseconds: 50) == nil)
    }

    /// vt100's terminfo entry lacks PgDn, PgUp, Home and End, which tmux and xterm send as
    /// CSI sequences: they are keys, never an ESC that goes back a step.
    @Test func sequencesVT100LacksAreKeysNotEscape() throws {
        let t = try openTerminal("vt100")
        defer { t.close() }
        send("\u{1b}[6~\u{1b}[5~\u{1b}[H\u{1b}[F\u{1b}[1~\u{1b}[4~\u{1b}[3~")
        #expect(events(t, count: 7) == [.key(.pageDown), .key(.pageUp), .key(.home), .key(.end), .key(.home), .key(.end), .key(.delete)])
    }

    /// A slow link delivers ESC alone, then the rest of the sequence in a later read.
    @Test func aSequenceSplitAcrossReadsIsOneKey() throws {
        let t = try openTerminal("vt100")
        defer { t.close() }
        send([27])
        let writer = input.write
        let rest = Array("[6~".utf8)
        var thread = pthread_t()
        let box = Unmanaged.passRetained(SplitWrite(fd: writer, bytes: rest, delayMicroseconds: 60_000))
        pthread_create(&thread, nil, { arg in
            let job = Unmanaged<SplitWrite>.fromOpaque(arg!).takeRetainedValue()
            usleep(job.delayMicroseconds)
            _ = job.bytes.withUnsafeBytes { write(job.fd, $0.baseAddress, $0.count) }
            return nil
        }, box.toOpaque())
        let got = events(t, count: 1)
        pthread_join(thread, nil)
        #expect(got == [.key(.pageDown)])
        #expect(t.nextEvent(timeoutMilliseconds: 50) == nil)
    }

    @Test func unknownSequencesAreSwallowedAndEscapeThenALetterIsBoth() throws {
        let t = try openTerminal("vt100")
        defer { t.close() }
        send("\u{1b}[99~j")
        #expect(events(t, count: 1) == [.key(.character("j"))])
        send("\u{1b}k")
        #expect(events(t, count: 2) == [.key(.escape), .key(.character("k"))])
    }

    @Test func utf8CharactersDecodeAsOneKey() throws {
        let t = try openTerminal()
        defer { t.close() }
        send("é")
        #expect(events(t, count: 1) == [.key(.character("é"))])
    }

    @Test func theGridIsCopiedToTheScreen() throws {
        let t = try openTerminal()
        defer { t.close() }
        #expect(t.size == Size(columns: 80, rows: 24))
        var g = Grid(t.size)
        g.put("finality  Entries", row: 0, column: 1, style: .title)
        g.put("─ Entry ✔ →", row: 5, column: 0, style: .border)
        g.put("bottom-right", row: 23, column: 68, style: .keyHint)
        t.draw(g)
        #expect(t.screenText(row: 0).hasPrefix(" finality  Entries"))
        #expect(t.screenText(row: 5).hasPrefix("─ Entry ✔ →"))
        #expect(t.screenText(row: 23).hasSuffix("bottom-right"))
        // A second, different frame replaces the first completely.
        var h = Grid(t.size)
        h.put("LIB", row: 0, column: 0)
        t.draw(h)
        #expect(t.screenText(row: 0).trimmingTrailingSpaces == "LIB")
        #expect(t.screenText(row: 5).trimmingTrailingSpaces == "")
    }

    @Test func lineDrawingFallsBackToASCIIOutsideUTF8() throws {
        let t = try openTerminal(locale: "C")
        defer {
            t.close()
            setlocale(LC_ALL, "C.UTF-8")
        }
        #expect(!t.unicode)
        var g = Grid(t.size)
        g.put("─│✔✘→▸…", row: 1, column: 0)
        t.draw(g)
        #expect(t.screenText(row: 1).hasPrefix("-|+x>>~"))
    }

    @Test func resizeBecomesAnEvent() throws {
        let t = try openTerminal()
        defer { t.close() }
        t.simulateResize(columns: 100, rows: 30)
        #expect(events(t, count: 1) == [.resize(Size(columns: 100, rows: 30))])
        #expect(t.size == Size(columns: 100, rows: 30))
    }

    @Test func colourOnlyWithoutNO_COLOR() throws {
        setenv("NO_COLOR", "1", 1)
        let mono = try openTerminal("xterm")
        #expect(!mono.colors)
        mono.close()
        unsetenv("NO_COLOR")
        let vt100 = try openTerminal("vt100")
        #expect(!vt100.colors)
        vt100.close()
        let xterm = try openTerminal("xterm")
        #expect(xterm.colors)
        xterm.close()
    }

    /// Without colour, reverse and bold carry the meaning; with colour, pairs do.
    @Test func stylesBecomeReverseAndBoldWithoutColour() throws {
        for (term, colour) in [("vt100", false), ("xterm", true)] {
            let t = try openTerminal(term)
            #expect(t.colors == colour)
            var g = Grid(t.size)
            g.put("title", row: 0, column: 0, style: .title)
            g.put("selected", row: 1, column: 0, style: .selected)
            g.put("danger", row: 2, column: 0, style: .danger)
            g.put("plain", row: 3, column: 0)
            t.draw(g)
            let title = t.cellLook(row: 0, column: 0)
            let selected = t.cellLook(row: 1, column: 0)
            let danger = t.cellLook(row: 2, column: 0)
            let plain = t.cellLook(row: 3, column: 0)
            #expect(selected.reverse)
            #expect(danger.bold)
            #expect(!plain.bold && !plain.reverse && plain.pair == 0)
            if colour {
                #expect(title.pair != 0 && danger.pair != 0)
            } else {
                #expect(title.reverse && title.bold)
                #expect(danger.pair == 0)
            }
            t.close()
        }
    }

    @Test func terminalsWithoutCursorAddressingAreRefused() {
        #expect(throws: CursesError.self) { try openTerminal("dumb") }
        #expect(throws: CursesError.self) { try openTerminal("no-such-terminal-type") }
    }

    /// The whole program headless: the core, the adapter and a canned effect runner.
    @Test func theProgramShowsTheFileAndQuitsOnQ() throws {
        let t = try openTerminal()
        defer { t.close() }
        let runner = CannedEffects()
        let program = Program(state: AppState(location: CannedEffects.location, readOnly: false, size: t.size), device: t, runner: runner)
        // ESC followed by a byte that starts no key sequence comes out as two keys.
        send("j?\u{1b}q")
        program.run()
        #expect(program.state.quitting)
        #expect(program.state.screen == .entries)
        #expect(program.state.entries.selected == 1)
        #expect(t.screenText(row: 0).contains("Entries"))
        #expect(t.screenText(row: 2).contains("2 entries"))
        #expect(runner.performed.first == .loadFile(CannedEffects.location))
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

final class CannedEffects: EffectRunner {
    static let location = Location(file: "/srv/node/data/finalizers/safety.dat", dataDir: nil)
    var performed: [Effect] = []

    func perform(_ effect: Effect) -> Message {
        performed.append(effect)
        switch effect {
        case .loadFile:
            let file = SafetyFile(
                format: .savannaV1,
                entries: (1...2).map { i in
                    SafetyEntry(
                        key: BLSPublicKey(bytes: (0..<96).map { UInt8(truncatingIfNeeded: $0 * 7 + i) }),
                        state: .savanna(SavannaSafety(lastVote: .empty, lock: .empty)))
                })
            let bytes = SafetyFileWriter.encode(file)
            let loaded = LoadedFile(location: Self.location, bytes: bytes)
            return .fileLoaded(
                .success(
                    FileSnapshot(
                        path: Self.location.file, byteCount: bytes.count, sha256: loaded.sha256,
                        verification: SafetyFileReader.verify(bytes, options: .init(checkKeys: false)), writable: true)))
        case .readLIB(let requests):
            return .libRead(requests.map { LIBAnswer(request: $0, result: .failure(.usage("not in this test"))) })
        default:
            return .reportWritten(.failure(.usage("not in this test")))
        }
    }
}

/// A write from another thread, later (a network split of one key's bytes).
final class SplitWrite: @unchecked Sendable {
    let fd: Int32
    let bytes: [UInt8]
    let delayMicroseconds: UInt32
    init(fd: Int32, bytes: [UInt8], delayMicroseconds: UInt32) {
        self.fd = fd
        self.bytes = bytes
        self.delayMicroseconds = delayMicroseconds
    }
}
