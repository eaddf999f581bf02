#!/usr/bin/env python3
"""Bytes the interface writes to the terminal, measured on a real pseudo-terminal.

    scripts/measure-terminal.py [--binary .build/release/finality] [--entries 1000] [--moves 40]
                                [--file SAFETY.DAT] [--search TEXT] [--sorts 4]

Builds (with finality-fixtures, next to the binary) a v1 file of N entries, starts
`finality FILE` on an 80x24 pseudo-terminal with TERM=xterm-256color, and reports:
- the time from start to the first full screen (the entries table drawn: the status line
  says "row 1 of N"; then 150 ms quiet);
- bytes written per cursor move (j) and per page move (PgDn, sent as ESC [ 6 ~),
  each counted from the key press until the output has been quiet for 150 ms;
- each search keystroke (`/` then the characters of --search, one at a time) and each
  sort (`s`, --sorts times: key, last vote, lock, file order): the time from the key
  press to the last byte of the screen update that answers it (issue 7: a keystroke
  within 100 ms and a sort within 500 ms on 1 000 000 entries).
--file measures an existing file (e.g. the benchmark's, kept with FINALITY_BENCH_KEEP)
instead of writing one; its entry count is read from its header.
Then, as references on the same 80x24 pseudo-terminal in the same run: htop's first full
screen, and ncdu's on a directory of 200 files (each from its start to its first quiet
150 ms), when they are installed (apt-get install htop ncdu); --no-reference skips them.
Prints figures only; not a test (timings depend on the machine).
"""
import argparse, fcntl, os, pty, select, struct, sys, tempfile, termios, time

QUIET = 0.15


def read_until_quiet(fd, quiet=QUIET, limit=10.0, until=None):
    """Reads until `until` (bytes) was seen (if given) and then `quiet` seconds pass with no output."""
    data = bytearray()
    seen = until is None
    start = time.monotonic()
    last = start
    while time.monotonic() - start < limit:
        r, _, _ = select.select([fd], [], [], quiet)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
            last = time.monotonic()
            if not seen and until in data:
                seen = True
        elif seen:
            break
    return bytes(data), last - start


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(here, "..", ".build", "release", "finality"))
    ap.add_argument("--entries", type=int, default=1000)
    ap.add_argument("--moves", type=int, default=40)
    ap.add_argument("--file", help="an existing v1 file to measure (not removed)")
    ap.add_argument("--search", default="abcd", help="characters typed one by one after /")
    ap.add_argument("--sorts", type=int, default=4)
    ap.add_argument("--settle", type=float, default=3.0, help="seconds to wait after the first screen before searching")
    ap.add_argument("--no-reference", action="store_true", help="skip htop and ncdu on the same pseudo-terminal")
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    fixtures = os.path.join(os.path.dirname(binary), "finality-fixtures")
    if not os.access(binary, os.X_OK) or not os.access(fixtures, os.X_OK):
        sys.exit(f"build first: swift build -c release (missing {binary} or {fixtures})")

    tmp = tempfile.mkdtemp(prefix="finality-measure-")
    if a.file:
        path = os.path.abspath(a.file)
        with open(path, "rb") as f:
            a.entries = struct.unpack("<Q", f.read(24)[16:24])[0]
    else:
        path = os.path.join(tmp, "safety.dat")
        if os.spawnv(os.P_WAIT, fixtures, [fixtures, "--many", str(a.entries), path]) != 0:
            sys.exit("could not write the test file")

    env = {k: v for k, v in os.environ.items() if k not in ("LINES", "COLUMNS", "NO_COLOR")}
    env.update(TERM="xterm-256color", LANG="C.UTF-8")
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(binary, [binary, path], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    first, t_first = read_until_quiet(fd, until=f"of {a.entries:,}".encode(), limit=120)
    print(f"{a.entries} entries, 80x24, TERM=xterm-256color, {binary}")
    print(f"  first full screen: {t_first * 1000:.0f} ms after start ({len(first)} bytes)")

    def measure(key, name):
        counts = []
        for _ in range(a.moves):
            os.write(fd, key)
            out, _ = read_until_quiet(fd)
            counts.append(len(out))
        counts.sort()
        mean = sum(counts) / len(counts)
        print(f"  {name}: mean {mean:.0f} bytes, median {counts[len(counts) // 2]}, min {counts[0]}, max {counts[-1]} ({len(counts)} presses)")

    measure(b"j", "cursor move (j)")
    measure(b"\x1b[6~", "page move (PgDn)")

    def answer(key, limit=30.0):
        """Milliseconds from the key press to the last byte of the update it caused
        (waiting up to `limit` for the first byte: a slow answer is not missed)."""
        os.write(fd, key)
        out, last = read_until_quiet(fd, limit=limit, until=b"")
        return (last if out else float("nan")) * 1000, len(out)

    if a.settle > 0:
        # An operator reads the first screen before typing: the runner's background work
        # (the key-text column for search, then the subgroup checks) has begun meanwhile.
        time.sleep(a.settle)
        read_until_quiet(fd, limit=1)
        print(f"  (waited {a.settle:g} s after the first screen before the keys below)")

    # Search: the prompt, then one character at a time (each narrows the rows).
    ms, _ = answer(b"/")
    print(f"  search prompt (/): {ms:.0f} ms")
    for ch in a.search:
        ms, n = answer(ch.encode())
        print(f"  search keystroke {ch!r}: {ms:.0f} ms ({n} bytes)")
    ms, _ = answer(b"\r")
    print(f"  search confirmed (Enter): {ms:.0f} ms")
    ms, _ = answer(b"\x1b")
    print(f"  search cleared (Esc): {ms:.0f} ms")
    for k in range(a.sorts):
        ms, n = answer(b"s")
        print(f"  sort {k + 1} (s): {ms:.0f} ms ({n} bytes)")
    # Moving at the list's end (G), where a list drawn from its start would cost most.
    ms, _ = answer(b"G")
    print(f"  last row (G): {ms:.0f} ms")
    for key, name in ((b"k", "row up (k)"), (b"\x1b[5~", "page up (PgUp)")):
        times = sorted(answer(key)[0] for _ in range(20))
        print(f"  {name} at the end: median {times[10]:.0f} ms, max {times[-1]:.0f} ms (20 presses)")
    os.write(fd, b"q")
    read_until_quiet(fd, limit=5)
    _, status = os.waitpid(pid, 0)
    print(f"  exit status {os.waitstatus_to_exitcode(status)}")
    if not a.file:
        os.unlink(path)
    if not a.no_reference:
        references(tmp, env)
    os.rmdir(tmp)


def first_screen(argv, env):
    """Milliseconds from the start of `argv` on an 80x24 pseudo-terminal to the last byte
    of its first screen (then 150 ms quiet), and the bytes written; the program is then
    killed."""
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    out, t = read_until_quiet(fd, limit=10, until=b"")
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    os.close(fd)
    return t * 1000, len(out)


def references(tmp, env):
    """The same measure for programs everyone knows, on the same pseudo-terminal size."""
    import shutil
    found = False
    for name in ("htop", "ncdu"):
        exe = shutil.which(name)
        if not exe:
            continue
        found = True
        if name == "ncdu":
            d = os.path.join(tmp, "ncdu-200")
            os.mkdir(d)
            for i in range(200):
                with open(os.path.join(d, f"f{i:03}"), "wb") as f:
                    f.write(b"x" * (i * 37))
            argv, what = [exe, d], "ncdu on a directory of 200 files"
        else:
            argv, what = [exe], "htop"
        times = sorted(first_screen(argv, env)[0] for _ in range(3))
        print(f"  reference, same pseudo-terminal: {what}: first full screen {times[0]:.0f} to {times[-1]:.0f} ms (3 runs)")
        if name == "ncdu":
            for f in os.listdir(d):
                os.unlink(os.path.join(d, f))
            os.rmdir(d)
    if not found:
        print("  (no reference: htop and ncdu are not installed; apt-get install htop ncdu)")


if __name__ == "__main__":
    main()
