import CNcursesw
// The ncurses adapter: see issue 4.
public enum CursesPlaceholder {}
