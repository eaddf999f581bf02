// SwiftPM drops pkg-config's -D_XOPEN_SOURCE=600, so the wide-character API must be
// switched on here, before the header, or Swift sees no get_wch, cchar_t, wint_t.
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>
