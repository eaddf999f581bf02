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
    private var signalPipe: (read: Int32, write: Int32)?
    /// Colour only with `has_colors()` and no `NO_COLOR`; otherwise bold and reverse.
    public let colors: Bool
    /// Unicode line drawing only when the locale's codeset is UTF-8.
    public let unicode: Bool
    private var cursorVisible: Int32 = -1
    private var closed = false
    /// The signal that ended the session (SIGINT, SIGTERM, SIGHUP), if any.
    public private(set) var signal: Int32?

    /// Opens the terminal. `termType` nil uses `$TERM`. The caller has set the locale
    /// (`setlocale(LC_ALL, "")`) and removed `LINES`/`COLUMNS`.
    public init(termType: String? = nil, input: Int32 = 0, output: Int32 = 1, handleSignals: Bool = true) throws(CursesError) {
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        unicode = codeset.uppercased().replacingUTF8Dash() == "UTF8"
        guard let inFile = finality_fdopen(dup(input), "r"), let outFile = finality_fdopen(dup(output), "w") else {
            throw CursesError(description: "cannot open the terminal's streams")
        }
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
        window = finality_stdscr()
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        // ESC latency equals the delay; keep the user's ESCDELAY when set.
        if getenv("ESCDELAY") == nil { set_escdelay(100) }
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
        }
    }

    deinit { close() }

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
        endwin()
        if noAlternateScreen {
            fputs("\r\n", outputFile)
            fflush(outputFile)
        }
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
        while true {
            if let s = takeSignal() { return hangup(s) }
            // ncurses may already hold bytes (the lookahead of an escape sequence).
            if let event = readKey() { return event }
            var fds = [pollfd(fd: inputFD, events: Int16(POLLIN), revents: 0)]
            if let p = signalPipe { fds.append(pollfd(fd: p.read, events: Int16(POLLIN), revents: 0)) }
            let n = poll(&fds, nfds_t(fds.count), Int32(clamping: timeoutMilliseconds))
            if n < 0 {
                if errno == EINTR { continue }  // SIGWINCH: ncurses queues KEY_RESIZE
                return .hangup
            }
            if n == 0 { return nil }
            if let s = takeSignal() { return hangup(s) }
            if fds[0].revents & Int16(POLLIN) != 0, let event = readKey() { return event }
            if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return .hangup }  // the terminal is gone
        }
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

    /// One key without waiting, or nil.
    private func readKey() -> TerminalEvent? {
        wtimeout(window, 0)
        var ch: wint_t = 0
        let rc = wget_wch(window, &ch)
        if rc == ERR { return nil }
        if rc == KEY_CODE_YES {
            if Int32(ch) == KEY_RESIZE { return .resize(size) }
            return Self.functionKey(Int32(ch)).map { .key($0) }
        }
        if ch == 27 { return escapeSequence() }
        return Self.characterKey(UInt32(ch)).map { .key($0) }
    }

    /// How long after an ESC the rest of a sequence may still arrive. ncurses has waited
    /// ESCDELAY already, but only for sequences its terminfo entry knows: under TERM=vt100
    /// (tmux, xterm) PgDn, Home and End come as `ESC [ 6 ~`, `ESC [ H`, `ESC [ F`, which
    /// vt100's entry lacks, and a slow link splits any sequence across reads.
    static let sequenceFollowMilliseconds: Int32 = 150

    /// After an ESC: a CSI (`ESC [`) or SS3 (`ESC O`) sequence is decoded here (an unknown
    /// one is swallowed whole, as an unbound key); anything else leaves a lone ESC and the
    /// next byte is read again as itself.
    private func escapeSequence() -> TerminalEvent? {
        wtimeout(window, Self.sequenceFollowMilliseconds)
        defer { wtimeout(window, 0) }
        var ch: wint_t = 0
        let rc = wget_wch(window, &ch)
        if rc == ERR { return .key(.escape) }
        if rc == KEY_CODE_YES {
            // ncurses decoded a key after the ESC (ESC, then an arrow): keep both.
            _ = ungetch(Int32(ch))
            return .key(.escape)
        }
        guard ch == 0x5B || ch == 0x4F else {
            _ = unget_wch(wchar_t(bitPattern: ch))
            return .key(.escape)
        }
        var body = [UInt8]()
        // Parameter and intermediate bytes, then one final byte (ECMA-48).
        while body.count < 16 {
            var next: wint_t = 0
            guard wget_wch(window, &next) != ERR, next < 0x80 else { break }
            body.append(UInt8(next))
            if (0x40...0x7E).contains(next) { break }
        }
        guard let key = Self.sequenceKey(introducer: ch == 0x5B ? "[" : "O", body: body) else { return nil }
        return .key(key)
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
    }
}
