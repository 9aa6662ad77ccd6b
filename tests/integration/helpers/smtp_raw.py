"""Raw SMTP client for the smtpd-recv tests: exact bytes on the wire.

    smtp_raw.py HOST PORT SCRIPT

SCRIPT is Python run with these names defined:
    c = Conn()            connects (IPv6 if HOST has a ':')
    c.send(b"...")        sends bytes as they are
    c.reply()             reads one whole reply (multi-line too); returns
                          (code, text) with code an int, None at EOF
    c.expect(code, b"...", prefix=None)  sends, reads one reply, fails the
                          script unless its code is code (and, if prefix is
                          given, its text starts with it)
    c.closed()            true if the server closed the connection
    fail("why")           exits 1
Every read has a 30 s time-out, so no step can hang.
"""
import socket
import sys


def fail(why):
    print("FAIL:", why)
    sys.exit(1)


class Conn:
    def __init__(self, host=None, port=None):
        host = host or sys.argv[1]
        port = int(port or sys.argv[2])
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.s = socket.socket(fam, socket.SOCK_STREAM)
        self.s.settimeout(30)
        self.s.connect((host, port))
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def _line(self):
        while b"\n" not in self.buf:
            try:
                d = self.s.recv(65536)
            except ConnectionResetError:
                d = b""
            if not d:
                return None
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")

    def reply(self):
        text = []
        while True:
            line = self._line()
            if line is None:
                return (None, b"\n".join(text))
            text.append(line[4:])
            if len(line) < 4 or line[3:4] != b"-":
                return (int(line[:3]), b"\n".join(text))

    def expect(self, code, data=None, prefix=None):
        if data is not None:
            self.send(data)
        got, text = self.reply()
        if got != code or (prefix is not None and not text.startswith(prefix)):
            fail("sent %r, want %r %r, got %r %r" % (data, code, prefix, got, text))
        return text

    def closed(self):
        try:
            self.s.settimeout(10)
            while True:
                d = self.s.recv(65536)
                if not d:
                    return True
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False


exec(compile(open(sys.argv[3]).read() if sys.argv[3] != "-" else sys.stdin.read(), "script", "exec"))
