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
static inline int finality_install_signals(int fd) {
    *finality_signal_slot() = fd;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = finality_on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) != 0) return -1;
    if (sigaction(SIGTERM, &sa, NULL) != 0) return -1;
    if (sigaction(SIGHUP, &sa, NULL) != 0) return -1;
    return 0;
}
static inline void finality_restore_signals(void) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    *finality_signal_slot() = -1;
}

// The attributes ncurses holds for a cell (tests read the screen back).
static inline attr_t finality_attributes_at(WINDOW *w, int y, int x) {
    return (attr_t)(mvwinch(w, y, x) & A_ATTRIBUTES);
}
static inline short finality_pair_at(WINDOW *w, int y, int x) {
    return (short)PAIR_NUMBER(mvwinch(w, y, x));
}
