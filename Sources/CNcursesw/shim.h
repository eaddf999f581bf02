// SwiftPM drops pkg-config's -D_XOPEN_SOURCE=600, so the wide-character API must be
// switched on here, before the header, or Swift sees no get_wch, cchar_t, wint_t.
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

// Swift 6 rejects C globals and cannot import function-like or bit macros: accessors.
static inline WINDOW *finality_stdscr(void) { return stdscr; }
static inline int finality_maxy(WINDOW *w) { return getmaxy(w); }
static inline int finality_maxx(WINDOW *w) { return getmaxx(w); }
static inline attr_t finality_a_normal(void) { return A_NORMAL; }
static inline attr_t finality_a_bold(void) { return A_BOLD; }
static inline attr_t finality_a_reverse(void) { return A_REVERSE; }
static inline attr_t finality_a_dim(void) { return A_DIM; }
static inline attr_t finality_a_underline(void) { return A_UNDERLINE; }
static inline int finality_key_f(int n) { return KEY_F(n); }
static inline int finality_set_attr(WINDOW *w, attr_t a, short pair) { return wattr_set(w, a, pair, NULL); }
static inline FILE *finality_fdopen(int fd, const char *mode) { return fdopen(fd, mode); }

// A terminal that cannot address the cursor (TERM=dumb) paints garbage: refuse it.
static inline int finality_has_cursor_addressing(void) {
    char *s = tigetstr("cup");
    return s != NULL && s != (char *)-1;
}

// Signals become bytes on a self-pipe, read by the event loop as a hangup; the handler
// does nothing else (only async-signal-safe calls). Use these from one Swift file only:
// each translation unit gets its own copy of the static slot.
static inline int *finality_signal_slot(void) {
    static int fd = -1;
    return &fd;
}
static inline void finality_on_signal(int sig) {
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    int fd = *finality_signal_slot();
    if (fd >= 0) {
        ssize_t r = write(fd, &b, 1);
        (void)r;
    }
    errno = saved;
}
// SIGINT, SIGTERM, SIGHUP, SIGQUIT (Ctrl-\) end the session: the loop restores the
// terminal and exits 128+signal. SIGWINCH is a resize (the loop asks the kernel for the
// size). SIGTSTP/SIGCONT stay ncurses's own (it leaves and re-enters the screen).
static inline int finality_install_signals(int fd) {
    *finality_signal_slot() = fd;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = finality_on_signal;
    sigemptyset(&sa.sa_mask);
    int ending[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    for (unsigned i = 0; i < sizeof ending / sizeof ending[0]; i++)
        if (sigaction(ending[i], &sa, NULL) != 0) return -1;
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGWINCH, &sa, NULL) != 0) return -1;
    return 0;
}
static inline void finality_restore_signals(void) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    signal(SIGWINCH, SIG_DFL);
    *finality_signal_slot() = -1;
}

// A real crash (a fault, a trap, abort) while the screen is up: the handler gives the
// terminal back first (the termios saved before ncurses changed it, bracketed paste off,
// the normal screen, the cursor), says in one line where the details go, points stdout
// and stderr at that file, and hands the signal on to the handler that was there before
// (the Swift runtime's backtracer, which then writes its report into the file and does
// not wait for a key on the operator's screen: its "Press space to interact" reads the
// /dev/null put on stdin here and gives up at once, so no restart of the program with
// SWIFT_BACKTRACE set is needed, which cost every start about 13 ms). Only
// async-signal-safe calls.
#include <termios.h>
#include <fcntl.h>
struct finality_crash_state {
    int active;
    int tty;
    int out;
    int saved_ok;
    struct termios saved;
    char restore[256];
    size_t restore_length;
    char path[256];
    char message[512];
    size_t message_length;
    struct sigaction previous[32];
};
static inline struct finality_crash_state *finality_crash(void) {
    static struct finality_crash_state state;
    return &state;
}
static inline void finality_on_crash(int sig, siginfo_t *info, void *context) {
    struct finality_crash_state *c = finality_crash();
    (void)context;
    if (c->active) {
        c->active = 0;
        if (c->saved_ok) tcsetattr(c->tty, TCSANOW, &c->saved);
        ssize_t r = write(c->out, c->restore, c->restore_length);
        r = write(2, c->message, c->message_length);
        int fd = open(c->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            dup2(devnull, 0);
            close(devnull);
        }
        (void)r;
    }
    if (sig > 0 && sig < 32) sigaction(sig, &c->previous[sig], NULL);
    // A fault re-executes the instruction and reaches the previous handler with its own
    // context; a signal sent by kill or raise is sent again.
    if (info == NULL || info->si_code <= 0) {
        raise(sig);  // delivered now (SA_NODEFER) to the previous handler, which returns
        signal(sig, SIG_DFL);
        raise(sig);
        _exit(128 + sig);
    }
}
// Before ncurses changes the terminal's modes: what the crash handler puts back.
static inline void finality_crash_save_modes(int tty) {
    struct finality_crash_state *c = finality_crash();
    c->tty = tty;
    c->saved_ok = tcgetattr(tty, &c->saved) == 0;
}
static inline int finality_install_crash_handler(int out, const char *restore, const char *path, const char *message) {
    struct finality_crash_state *c = finality_crash();
    c->out = out;
    strncpy(c->restore, restore, sizeof c->restore - 1);
    c->restore_length = strlen(c->restore);
    strncpy(c->path, path, sizeof c->path - 1);
    strncpy(c->message, message, sizeof c->message - 1);
    c->message_length = strlen(c->message);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = finality_on_crash;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    int faults[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT};
    for (unsigned i = 0; i < sizeof faults / sizeof faults[0]; i++)
        if (sigaction(faults[i], &sa, &c->previous[faults[i]]) != 0) return -1;
    c->active = 1;
    return 0;
}
// The terminal is given back normally: the previous handlers return.
static inline void finality_remove_crash_handler(void) {
    struct finality_crash_state *c = finality_crash();
    if (!c->active) return;
    c->active = 0;
    int faults[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT};
    for (unsigned i = 0; i < sizeof faults / sizeof faults[0]; i++) sigaction(faults[i], &c->previous[faults[i]], NULL);
}
// The terminal's size as the kernel has it (after SIGWINCH).
#include <sys/ioctl.h>
static inline int finality_window_size(int fd, int *out_rows, int *out_cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return -1;
    *out_rows = ws.ws_row;
    *out_cols = ws.ws_col;
    return 0;
}
// A terminfo capability's string, or "" when the terminal has none.
static inline const char *finality_capability(const char *name) {
    char *s = tigetstr(name);
    return (s == NULL || s == (char *)-1) ? "" : s;
}

// The attributes ncurses holds for a cell (tests read the screen back).
static inline attr_t finality_attributes_at(WINDOW *w, int y, int x) {
    return (attr_t)(mvwinch(w, y, x) & A_ATTRIBUTES);
}
static inline short finality_pair_at(WINDOW *w, int y, int x) {
    return (short)PAIR_NUMBER(mvwinch(w, y, x));
}
