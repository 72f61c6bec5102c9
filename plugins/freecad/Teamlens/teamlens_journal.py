# Teamlens journal writer for FreeCAD: appends the session's usage events
# to a new file in the Teamlens spool, in the journal format of
# docs/journal.md. Only identifiers and numbers are written: no path, no
# file name, no document label, no user name. The agent attributes the
# events to the owner of the file.

import json
import os
import re
import secrets
import sys
import threading
import time

PRODUCT = "FreeCAD"
_IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$")
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._+-]{0,31}$")


def spool_dir():
    """The spool: $TEAMLENS_SPOOL, else the installed agent's spool."""
    env = os.environ.get("TEAMLENS_SPOOL")
    if env:
        return env
    if sys.platform.startswith("win"):
        pd = os.environ.get("ProgramData", r"C:\ProgramData")
        return os.path.join(pd, "Teamlens", "spool")
    if sys.platform == "darwin":
        return "/Users/Shared/Teamlens/spool"
    return "/var/spool/teamlens"


def _rfc3339(t):
    ms = int(round(t * 1000))
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


class Journal:
    """One FreeCAD session's journal file. Follows the spool's safety rules:
    created exclusively under a random name; re-opened per line without
    following links, appended to only while it is the very file created
    (same identity, owned by this user, one link); otherwise the session
    goes on in a new file under a new random name."""

    def __init__(self, version, directory=None):
        self.dir = directory or spool_dir()
        self.version = version if _VERSION.match(version or "") else "unknown"
        self.session = "fc-" + secrets.token_hex(8)
        self.lock = threading.Lock()
        self.path = None
        self.ident = None
        self.ended = False

    def _create(self):
        for _ in range(5):
            path = os.path.join(self.dir, "FreeCAD-%s-%s.jsonl" % (self.session, secrets.token_hex(4)))
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
            try:
                fd = os.open(path, flags, 0o600)
            except FileExistsError:
                continue
            st = os.fstat(fd)
            self.path, self.ident = path, (st.st_dev, st.st_ino)
            return fd
        raise OSError("cannot create a journal file in the spool")

    def _reopen(self):
        if self.path is None:
            return None
        flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(self.path, flags)
        except OSError:
            return None
        st = os.fstat(fd)
        mine = getattr(os, "geteuid", None) is None or st.st_uid == os.geteuid()
        if (st.st_dev, st.st_ino) != self.ident or not mine or st.st_nlink != 1:
            os.close(fd)
            return None
        return fd

    def write(self, typ, ts=None, **fields):
        """Append one event; fields hold only numbers and identifiers."""
        ev = {"v": 1, "ts": _rfc3339(time.time() if ts is None else ts), "product": PRODUCT,
              "version": self.version, "session": self.session, "type": typ}
        ev.update(fields)
        line = (json.dumps(ev, separators=(",", ":")) + "\n").encode("utf-8")
        with self.lock:
            if self.ended:
                return
            fd = self._reopen()
            if fd is None:
                fd = self._create()
            try:
                os.write(fd, line)
            finally:
                os.close(fd)

    def start(self, startup_ms=None):
        fields = {}
        if startup_ms is not None and 0 <= startup_ms <= 86400000:
            fields["startup_ms"] = int(startup_ms)
        self.write("session.start", **fields)

    def end(self):
        self.write("session.end")
        with self.lock:
            self.ended = True

    def document(self, typ, duration_s, path):
        """document.open or document.save: the duration, and the size of
        the file read while its path is at hand; the path is not kept."""
        try:
            size = os.path.getsize(path) if path else 0
        except OSError:
            size = 0
        self.write(typ, duration_ms=max(0, int(round(duration_s * 1000))), size_bytes=int(size))

    def command(self, name, outcome="completed"):
        if isinstance(name, str) and _IDENT.match(name):
            self.write("command", name=name, outcome=outcome)


def process_age_ms():
    """Milliseconds since this process started, or None when unknown."""
    try:
        if sys.platform.startswith("linux"):
            with open("/proc/self/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            start_ticks = int(fields[19])
            with open("/proc/uptime") as f:
                uptime = float(f.read().split()[0])
            return int((uptime - start_ticks / os.sysconf("SC_CLK_TCK")) * 1000)
        if sys.platform.startswith("win"):
            import ctypes
            from ctypes import wintypes
            k32 = ctypes.windll.kernel32
            c, e, k, u = (wintypes.FILETIME() for _ in range(4))
            if k32.GetProcessTimes(k32.GetCurrentProcess(), ctypes.byref(c), ctypes.byref(e), ctypes.byref(k), ctypes.byref(u)):
                created = ((c.dwHighDateTime << 32) | c.dwLowDateTime) / 1e7 - 11644473600
                return int((time.time() - created) * 1000)
    except Exception:
        pass
    return None


class DocumentObserver:
    """Times saves between FreeCAD's start and finish of a save."""

    def __init__(self, journal):
        self.journal = journal
        self.started = {}

    def slotStartSaveDocument(self, doc, filename):
        self.started[id(doc)] = time.monotonic()

    def slotFinishSaveDocument(self, doc, filename):
        t0 = self.started.pop(id(doc), None)
        if t0 is not None:
            self.journal.document("document.save", time.monotonic() - t0, filename)


_journal = None


def install(app, start=True):
    """Start the session's journal (once) and hook documents; returns it.
    With start False the GUI writes session.start once its window is up,
    so startup_ms covers the whole start."""
    global _journal
    if _journal is not None:
        return _journal
    v = app.Version()
    journal = Journal(".".join(x for x in v[:3] if x))
    _journal = journal
    try:
        if start:
            journal.start(process_age_ms())
    except OSError as e:
        app.Console.PrintWarning("Teamlens: no journal (%s)\n" % e.__class__.__name__)
        return journal
    app.addDocumentObserver(DocumentObserver(journal))
    real_open = app.openDocument

    def openDocument(*args, **kwargs):
        t0 = time.monotonic()
        doc = real_open(*args, **kwargs)
        path = args[0] if args else kwargs.get("FileName") or kwargs.get("name")
        journal.document("document.open", time.monotonic() - t0, path)
        return doc

    app.openDocument = openDocument
    import atexit
    atexit.register(journal.end)
    return journal


def journal():
    return _journal
