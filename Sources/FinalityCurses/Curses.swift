import CNcursesw
import FinalityInterface
import Glibc

/// Why the terminal could not be used; the executable prints it and exits 2.
public struct CursesError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// The one ncurses adapter: copies the core's grid to the screen and turns the terminal's
/// bytes into keys. Everything else lives in the pure core.
public final class CursesTerminal: TerminalDevice {
    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>?
    private let inputFD: Int32
    private let inputFile: UnsafeMutablePointer<FILE>
    private let outputFile: UnsafeMutablePointer<FILE>
    private let outputFD: Int32
    private var signalPipe: (read: Int32, write: Int32)?
    /// The terminal's bytes, decoded by rule (ECMA-48, bracketed paste): ncurses reads no
    /// input at all (its guesses made keys of a mouse report's bytes).
    private var decoder = InputDecoder()
    /// A resize noticed (SIGWINCH, or a test's `simulateResize`) and not yet reported.
    private var pendingResize = false
    /// How long a lone ESC waits for the rest of a sequence before it is the ESC key
    /// (`ESCDELAY` when set), and how long a started CSI or SS3 waits (a slow link).
    let escapeMilliseconds: Int32
    static let sequenceMilliseconds: Int32 = 1000
    /// Colour only with `has_colors()` and no `NO_COLOR`; otherwise bold and reverse.
    public let colors: Bool
    /// Unicode line drawing only when the locale's codeset is UTF-8.
    public let unicode: Bool
    private var cursorVisible: Int32 = -1
    private var closed = false
    /// The signal that ended the session (SIGINT, SIGTERM, SIGHUP, SIGQUIT), if any.
    public private(set) var signal: Int32?

    /// Opens the terminal. `termType` nil uses `$TERM`. The caller has set the locale
    /// (`setlocale(LC_ALL, "")`) and removed `LINES`/`COLUMNS`.
    public init(termType: String? = nil, input: Int32 = 0, output: Int32 = 1, handleSignals: Bool = true) throws(CursesError) {
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        unicode = codeset.uppercased().replacingUTF8Dash() == "UTF8"
        guard let inFile = finality_fdopen(dup(input), "r"), let outFile = finality_fdopen(dup(output), "w") else {
            throw CursesError(description: "cannot open the terminal's streams")
        }
        // The modes a crash gives back: the terminal's before ncurses changes them.
        if handleSignals { finality_crash_save_modes(input) }
        // newterm, not initscr: initscr exits by itself on a bad TERM.
        let s: OpaquePointer? = termType.map { t in t.withCString { newterm($0, outFile, inFile) } } ?? newterm(nil, outFile, inFile)
        guard let s else {
            fclose(inFile)
            fclose(outFile)
            throw CursesError(description: "TERM=\(termType ?? Self.environmentTERM) is not a terminal type this system knows")
        }
        guard finality_has_cursor_addressing() != 0 else {
            endwin()
            delscreen(s)
            fclose(inFile)
            fclose(outFile)
            throw CursesError(description: "this terminal cannot move the cursor (TERM=\(termType ?? Self.environmentTERM)); use finality list, show or verify instead")
        }
        screen = s
        inputFile = inFile
        outputFile = outFile
        inputFD = fileno(inFile)
        outputFD = fileno(outFile)
        window = finality_stdscr()
        cbreak()
        noecho()
        nonl()
        // Keypad transmit mode (smkx): arrows come as `ESC O A`, decoded by InputDecoder.
        keypad(window, true)
        // Every frame is drawn whole: the loop itself skips frames while keys wait.
        typeahead(-1)
        // ESC latency: the user's ESCDELAY when set.
        escapeMilliseconds = getenv("ESCDELAY").flatMap { Int32(String(cString: $0)) }.map { max(10, min($0, 2000)) } ?? 150
        // Bracketed paste on (xterm's mode 2004; off in close): a paste is one event.
        fputs(Self.pasteOn, outFile)
        fflush(outFile)
        colors = has_colors() && getenv("NO_COLOR") == nil
        if colors {
            start_color()
            use_default_colors()
            for (pair, fg, bg) in Self.pairs { init_pair(pair, fg, bg) }
        }
        if handleSignals {
            var fds: [Int32] = [0, 0]
            if pipe(&fds) == 0 {
                for fd in fds {
                    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                }
                signalPipe = (fds[0], fds[1])
                _ = finality_install_signals(fds[1])
            }
            installCrashHandler()
        }
    }

    deinit { close() }

    static let pasteOn = "\u{1b}[?2004h"
    static let pasteOff = "\u{1b}[?2004l"

    /// Where a crash's details go (the Swift runtime's backtrace): a file of its own, so
    /// the operator's screen gets one line naming it, not a backtrace over the display.
    public static func crashReportPath(pid: Int32 = getpid()) -> String {
        let dir = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return (dir.hasSuffix("/") ? dir : dir + "/") + "finality-crash-\(pid).txt"
    }

    /// The crash handler (shim.h) restores the modes saved before ncurses, turns bracketed
    /// paste off and leaves the full screen with the terminal's own strings (computed now:
    /// nothing may be looked up in a signal handler).
    private func installCrashHandler() {
        let restore =
            Self.pasteOff + String(cString: finality_capability("rmkx")) + String(cString: finality_capability("sgr0"))
            + String(cString: finality_capability("cnorm")) + String(cString: finality_capability("rmcup")) + "\r\n"
        let path = Self.crashReportPath()
        let message = "finality stopped on an internal error; the terminal is restored and nothing more was written. Details: \(path)\n"
        _ = finality_install_crash_handler(outputFD, restore, path, message)
    }

    static var environmentTERM: String { getenv("TERM").map { String(cString: $0) } ?? "" }

    /// Gives the terminal back: endwin on every exit path (the executable calls this in a
    /// defer; signals arrive as `.hangup` and end the loop first).
    public func close() {
        guard !closed else { return }
        closed = true
        // Without an alternate screen (vt100 has no smcup/rmcup), endwin leaves the last
        // frame and the cursor on its bottom row: the shell's prompt would be written over
        // the key bar. A line break there scrolls the frame up by one row and gives the
        // prompt a line of its own.
        let rmcup = tigetstr("rmcup")
        let noAlternateScreen = rmcup == nil || Int(bitPattern: rmcup) == -1
        curs_set(1)
        fputs(Self.pasteOff, outputFile)
        fflush(outputFile)
        endwin()
        if noAlternateScreen {
            fputs("\r\n", outputFile)
            fflush(outputFile)
        }
        finality_remove_crash_handler()
        delscreen(screen)
        fclose(inputFile)
        fclose(outputFile)
        if let p = signalPipe {
            finality_restore_signals()
            Glibc.close(p.read)
            Glibc.close(p.write)
        }
    }

    public var size: Size {
        Size(columns: Int(finality_maxx(window)), rows: Int(finality_maxy(window)))
    }

    public func forceRedraw() {
        clearok(window, true)
    }

    // MARK: drawing

    static let pairs: [(Int16, Int16, Int16)] = [
        (1, Int16(COLOR_WHITE), Int16(COLOR_BLUE)),  // title
        (2, Int16(COLOR_GREEN), -1),  // good
        (3, Int16(COLOR_YELLOW), -1),  // warning
        (4, Int16(COLOR_RED), -1),  // danger
        (5, Int16(COLOR_BLACK), Int16(COLOR_CYAN)),  // key hint
        (6, Int16(COLOR_BLUE), -1),  // border
        (7, Int16(COLOR_CYAN), -1),  // changed
    ]

    /// Attributes for a style. Without colour, bold and reverse carry the meaning.
    func attributes(_ style: Style) -> (attr_t, Int16) {
        let bold = finality_a_bold(), reverse = finality_a_reverse(), normal = finality_a_normal()
        switch style {
        case .normal: return (normal, 0)
        case .title: return colors ? (bold, 1) : (reverse | bold, 0)
        case .header: return (bold, 0)
        case .selected: return (reverse, 0)
        case .dim: return (finality_a_dim(), 0)
        case .good: return colors ? (normal, 2) : (normal, 0)
        case .warning: return colors ? (bold, 3) : (bold, 0)
        case .danger: return colors ? (bold, 4) : (bold, 0)
        case .keyHint: return colors ? (normal, 5) : (reverse, 0)
        case .input: return (finality_a_underline(), 0)
        case .changed: return colors ? (bold, 7) : (bold, 0)
        case .border: return colors ? (normal, 6) : (normal, 0)
        }
    }

    /// werase, draw every cell run, wnoutrefresh, doupdate: ncurses sends only what changed.
    public func draw(_ grid: Grid) {
        werase(window)
        let rows = min(grid.size.rows, Int(finality_maxy(window)))
        let columns = min(grid.size.columns, Int(finality_maxx(window)))
        var run = [wchar_t]()
        run.reserveCapacity(columns)
        for r in 0..<rows {
            var c = 0
            while c < columns {
                let style = grid[r, c].style
                let start = c
                run.removeAll(keepingCapacity: true)
                while c < columns, grid[r, c].style == style {
                    run.append(wchar_t(bitPattern: displayable(grid[r, c].character)))
                    c += 1
                }
                let (attr, pair) = attributes(style)
                _ = finality_set_attr(window, attr, pair)
                // The bottom-right cell makes waddnwstr return ERR (it cannot wrap); the
                // character is still drawn.
                _ = run.withUnsafeBufferPointer { mvwaddnwstr(window, Int32(r), Int32(start), $0.baseAddress, Int32($0.count)) }
            }
        }
        _ = finality_set_attr(window, finality_a_normal(), 0)
        let wanted: Int32 = grid.cursor == nil ? 0 : 1
        if wanted != cursorVisible {
            curs_set(wanted)
            cursorVisible = wanted
        }
        if let cur = grid.cursor { wmove(window, Int32(cur.row), Int32(cur.column)) }
        wnoutrefresh(window)
        doupdate()
    }

    /// The character to send: line drawing and symbols fall back to ASCII outside UTF-8.
    func displayable(_ ch: Character) -> UInt32 {
        let scalar = ch.unicodeScalars.first?.value ?? 32
        if unicode || scalar < 128 { return scalar }
        return Self.ascii[scalar].map { UInt32($0) } ?? UInt32(UInt8(ascii: "?"))
    }

    static let ascii: [UInt32: UInt8] = [
        0x2500: UInt8(ascii: "-"), 0x2502: UInt8(ascii: "|"), 0x2714: UInt8(ascii: "+"),
        0x2718: UInt8(ascii: "x"), 0x2192: UInt8(ascii: ">"), 0x25B8: UInt8(ascii: ">"),
        0x2026: UInt8(ascii: "~"), 0x00B7: UInt8(ascii: "-"),
    ]

    // MARK: input

    public func nextEvent(timeoutMilliseconds: Int) -> TerminalEvent? {
        var remaining = Int32(clamping: timeoutMilliseconds)
        while true {
            if let s = takeSignal() {
                if s == SIGWINCH {
                    var rows: Int32 = 0, columns: Int32 = 0
                    if finality_window_size(outputFD, &rows, &columns) == 0 { resizeterm(rows, columns) }
                    return .resize(size)
                }
                return hangup(s)
            }
            if pendingResize {
                pendingResize = false
                return .resize(size)
            }
            if let event = decoder.next() { return event }
            // An incomplete sequence waits for its rest, whatever the caller's timeout.
            let waiting = decoder.isIncomplete || decoder.pasting
            let wait: Int32 =
                waiting ? (decoder.sequenceStarted || decoder.pasting ? Self.sequenceMilliseconds : escapeMilliseconds) : remaining
            var fds = [pollfd(fd: inputFD, events: Int16(POLLIN), revents: 0)]
            if let p = signalPipe { fds.append(pollfd(fd: p.read, events: Int16(POLLIN), revents: 0)) }
            let before = Self.milliseconds()
            let n = poll(&fds, nfds_t(fds.count), wait)
            if n < 0 {
                if errno == EINTR { continue }
                return .hangup
            }
            if !waiting, remaining >= 0 { remaining = max(0, remaining - Int32(clamping: Self.milliseconds() - before)) }
            if n == 0 {
                if waiting {
                    decoder.flush()
                    continue
                }
                return nil
            }
            if fds[0].revents & Int16(POLLIN) != 0 {
                let got = readInput()
                if got == 0 { return .hangup }  // end of file: the terminal is gone
                continue
            }
            if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return .hangup }  // the terminal is gone
        }
    }

    /// Keys or a paste already wait: the loop draws once they are handled, not per key.
    public var hasPendingInput: Bool {
        if decoder.hasReady { return true }
        var fd = pollfd(fd: inputFD, events: Int16(POLLIN), revents: 0)
        return poll(&fd, 1, 0) == 1 && fd.revents & Int16(POLLIN) != 0
    }

    private var readBuffer = [UInt8](repeating: 0, count: 1 << 16)

    /// What the terminal has sent (up to 64 KiB), into the decoder. The count read.
    private func readInput() -> Int {
        let n = readBuffer.withUnsafeMutableBytes { Glibc.read(inputFD, $0.baseAddress, $0.count) }
        if n > 0 { readBuffer.withUnsafeBytes { decoder.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n])) } }
        if n < 0 { return errno == EINTR || errno == EAGAIN ? -1 : 0 }
        return n
    }

    static func milliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    private func hangup(_ signal: Int32) -> TerminalEvent {
        self.signal = signal
        return .hangup
    }

    private func takeSignal() -> Int32? {
        guard let p = signalPipe else { return nil }
        var b: UInt8 = 0
        return Glibc.read(p.read, &b, 1) == 1 ? Int32(b) : nil
    }

    /// xterm's and the VT220's sequences for the keys the interface binds.
    public static func sequenceKey(introducer: Character, body: [UInt8]) -> Key? {
        let text = String(decoding: body, as: UTF8.self)
        switch (introducer, text) {
        case (_, "A"): return .up
        case (_, "B"): return .down
        case (_, "C"): return .right
        case (_, "D"): return .left
        case (_, "H"), ("[", "1~"), ("[", "7~"): return .home
        case (_, "F"), ("[", "4~"), ("[", "8~"): return .end
        case ("[", "5~"): return .pageUp
        case ("[", "6~"): return .pageDown
        case ("[", "3~"): return .delete
        case ("[", "Z"): return .backTab
        case ("O", "M"): return .enter
        case ("O", "P"), ("[", "11~"): return .function(1)
        case ("O", "Q"), ("[", "12~"): return .function(2)
        case ("O", "R"), ("[", "13~"): return .function(3)
        case ("O", "S"), ("[", "14~"): return .function(4)
        case ("[", "15~"): return .function(5)
        case ("[", "21~"): return .function(10)
        default: return nil
        }
    }

    /// Keys that arrive as characters. Enter is 10 or 13 (nonl), Backspace 127 or 8.
    public static func characterKey(_ code: UInt32) -> Key? {
        switch code {
        case 10, 13: return .enter
        case 27: return .escape
        case 127, 8: return .backspace
        case 9: return .tab
        case 1...26: return .control(Character(Unicode.Scalar(code + 96)!))
        case 0..<32: return nil
        default: return Unicode.Scalar(code).map { .character(Character($0)) }
        }
    }

    /// Keys ncurses decodes from escape sequences (keypad on).
    public static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_NPAGE: return .pageDown
        case KEY_PPAGE: return .pageUp
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        default:
            let f0 = finality_key_f(0)
            if code > f0, code <= f0 + 24 { return .function(Int(code - f0)) }
            return nil
        }
    }
}

extension String {
    fileprivate func replacingUTF8Dash() -> String { filter { $0 != "-" } }
}

extension CursesTerminal {
    /// What ncurses holds for a row (read back with mvwinnwstr): for headless tests and
    /// for checking a frame without a human.
    public func screenText(row: Int) -> String {
        let width = Int(finality_maxx(finality_stdscr()))
        var buffer = [wchar_t](repeating: 0, count: width + 1)
        let n = buffer.withUnsafeMutableBufferPointer { mvwinnwstr(finality_stdscr(), Int32(row), 0, $0.baseAddress, Int32(width)) }
        guard n > 0 else { return "" }
        return String(String.UnicodeScalarView(buffer.prefix(Int(n)).compactMap { Unicode.Scalar(UInt32(bitPattern: $0)) }))
    }

    /// Whether a cell is drawn bold, reverse, and in which colour pair.
    public func cellLook(row: Int, column: Int) -> (bold: Bool, reverse: Bool, pair: Int) {
        let a = finality_attributes_at(finality_stdscr(), Int32(row), Int32(column))
        return (a & finality_a_bold() != 0, a & finality_a_reverse() != 0, Int(finality_pair_at(finality_stdscr(), Int32(row), Int32(column))))
    }

    /// Changes the terminal's size as a SIGWINCH would (ncurses queues KEY_RESIZE).
    public func simulateResize(columns: Int, rows: Int) {
        resizeterm(Int32(rows), Int32(columns))
        pendingResize = true
    }
}
