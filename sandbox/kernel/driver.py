"""assistd sandbox kernel: runs notebook cells for one session.

The zygote imports this module once; each session process (a jailed fork)
calls serve(fd). Frames on `fd` are length-prefixed (see protocol.h):
    u32 little-endian length of the rest, u8 kind, then fields, each a u32
    little-endian length and that many bytes.
The host sends EXECUTE(code); the kernel answers with any number of
RESULT/ERROR/IMAGE/FILE frames and exactly one DONE. stdout and stderr are
the process's fds 1 and 2 (pipes the host drains and caps), so output of
child processes and C code is captured too. Nothing here is trusted by the
host: it re-checks every path, size and frame.
"""

import ast
import builtins
import io
import linecache
import os
import signal
import struct
import sys
import traceback

EXECUTE, READY, RESULT, ERROR, IMAGE, FILE, DONE = 1, 2, 3, 4, 5, 6, 7

DATA_DIR = "/mnt/data"
MAX_REPR_CHARS = 64 * 1024
MAX_WALK_ENTRIES = 10000
MAX_WALK_DEPTH = 16
MAX_FIGURES = 16
MAX_REPORTED_FILES = 1000

_in_cell = False


def _on_sigint(signum, frame):
    # Only user code is interrupted; a late SIGINT (the cell finished just
    # as the host's deadline passed) must not kill the kernel itself.
    if _in_cell:
        raise KeyboardInterrupt


class Channel:
    def __init__(self, fd):
        self.fd = fd

    def send(self, kind, *fields):
        body = bytearray([kind])
        for f in fields:
            if isinstance(f, str):
                f = f.encode("utf-8", "replace")
            body += struct.pack("<I", len(f))
            body += f
        self._write_all(struct.pack("<I", len(body)) + bytes(body))

    def _write_all(self, data):
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]

    def _read_exact(self, n):
        chunks = []
        while n > 0:
            chunk = os.read(self.fd, min(n, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def recv(self):
        (length,) = struct.unpack("<I", self._read_exact(4))
        body = self._read_exact(length)
        kind, pos, fields = body[0], 1, []
        while pos < len(body):
            (n,) = struct.unpack_from("<I", body, pos)
            fields.append(body[pos + 4:pos + 4 + n])
            pos += 4 + n
        return kind, fields


def _snapshot():
    """Regular files under /mnt/data -> (mtime_ns, size, inode); bounded."""
    seen, entries = {}, 0
    stack = [(DATA_DIR, "", 0)]
    while stack and entries < MAX_WALK_ENTRIES:
        path, rel, depth = stack.pop()
        try:
            it = os.scandir(path)
        except OSError:
            continue
        with it:
            for e in it:
                entries += 1
                if entries > MAX_WALK_ENTRIES:
                    break
                name = rel + e.name
                try:
                    if e.is_dir(follow_symlinks=False):
                        if depth + 1 < MAX_WALK_DEPTH:
                            stack.append((e.path, name + "/", depth + 1))
                    elif e.is_file(follow_symlinks=False):
                        st = e.stat(follow_symlinks=False)
                        seen[name] = (st.st_mtime_ns, st.st_size, st.st_ino)
                except OSError:
                    pass
    return seen


def _flush_streams():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def _send_figures(chan, counter):
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return
    try:
        for num in plt.get_fignums()[:MAX_FIGURES]:
            buf = io.BytesIO()
            plt.figure(num).savefig(buf, format="png")
            counter[0] += 1
            chan.send(IMAGE, "figure_%d.png" % counter[0], "image/png", buf.getvalue())
    finally:
        plt.close("all")


def _send_error(chan, exc):
    if isinstance(exc, SyntaxError):
        lines = traceback.format_exception_only(type(exc), exc)
    else:
        # The kernel's own frames are noise to the reader of the traceback.
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
            tb = tb.tb_next
        lines = traceback.format_exception(type(exc), exc, tb)
    try:
        evalue = str(exc)
    except Exception:
        evalue = "<unprintable>"
    chan.send(ERROR, type(exc).__name__, evalue, *lines)


def _run(chan, ns, code, name):
    linecache.cache[name] = (len(code), None, code.splitlines(True), name)
    tree = ast.parse(code, name, "exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body.pop()
    exec(compile(tree, name, "exec"), ns)
    if last is not None:
        value = eval(compile(ast.Expression(last.value), name, "eval"), ns)
        if value is not None:
            ns["_"] = value
            text = repr(value)
            if len(text) > MAX_REPR_CHARS:
                text = text[:MAX_REPR_CHARS] + "\n[repr truncated]"
            chan.send(RESULT, text)


def run_cell(chan, ns, code, count, figures):
    global _in_cell
    before = _snapshot()
    _in_cell = True
    try:
        _run(chan, ns, code, "<cell-%d>" % count)
    except BaseException as exc:  # user code: report everything, even SystemExit
        _in_cell = False
        _send_error(chan, exc)
    finally:
        _in_cell = False
    _flush_streams()
    try:
        _send_figures(chan, figures)
    except Exception as exc:
        _send_error(chan, exc)
    after = _snapshot()
    changed = [p for p, v in sorted(after.items()) if before.get(p) != v]
    if changed:
        chan.send(FILE, *changed[:MAX_REPORTED_FILES])
    chan.send(DONE)


def _reap_orphans():
    # The kernel is PID 1 of its namespace: orphans end up as our zombies.
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _after_fork():
    """Per-session state that must not be shared between sibling forks."""
    try:
        import numpy
        numpy.random.seed(int.from_bytes(os.urandom(4), "little"))
    except Exception:
        pass
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        try:
            mpl.get_configdir.cache_clear()
        except Exception:
            pass
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8",
                                  errors="backslashreplace", line_buffering=True,
                                  write_through=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                  errors="backslashreplace", line_buffering=True,
                                  write_through=True)
    signal.signal(signal.SIGINT, _on_sigint)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def serve(fd):
    _after_fork()
    chan = Channel(fd)
    figures = [0]
    ns = {"__name__": "__main__", "__builtins__": builtins}
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.show = lambda *args, **kwargs: _send_figures(chan, figures)
    global DATA_DIR
    if not os.path.isdir(DATA_DIR):  # the process-only tier runs in its data dir
        DATA_DIR = os.getcwd()
    chan.send(READY, str(os.getpid()))
    count = 0
    while True:
        try:
            kind, fields = chan.recv()
        except (EOFError, OSError):
            return 0
        if kind != EXECUTE or not fields:
            return 2
        count += 1
        run_cell(chan, ns, fields[0].decode("utf-8", "replace"), count, figures)
        _reap_orphans()
