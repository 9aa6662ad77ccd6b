"""QMTP and QMQP clients for the tests (cr.yp.to/proto/qmtp.txt, qmqp.html),
with exact bytes on the wire. Import it from a test's Python:

    sys.path.insert(0, os.environ["TERN_SRC"] + "/tests/integration/helpers")
    from qmtp_client import *

    ns(b)                         netstring of bytes b
    qmtp_package(msg, sender, rcpts, crlf=False)
                                  one QMTP package (msg: LF lines; crlf
                                  sends it in encoding #1)
    qmqp_package(msg, sender, rcpts)  one QMQP package
    c = Conn(host, port)          connects (IPv6 if host has a ':')
    c.send(b"...")
    c.response()                  one response netstring's interpretation
                                  (bytes), or None at EOF / reset
    c.responses(n)                n of them (None for each one missing)
    c.closed()                    True if the server closed the connection
    fail("why")                   exits 1
Every read has a 30 s time-out, so no step can hang.
"""
import socket
import sys


def fail(why):
    print("FAIL:", why)
    sys.exit(1)


def ns(b):
    return str(len(b)).encode() + b":" + b + b","


def qmtp_package(msg, sender, rcpts, crlf=False):
    if crlf:
        body = b"\r" + msg.replace(b"\n", b"\r\n")
    else:
        body = b"\n" + msg
    return ns(body) + ns(sender) + ns(b"".join(ns(r) for r in rcpts))


def qmqp_package(msg, sender, rcpts):
    return ns(ns(msg) + ns(sender) + b"".join(ns(r) for r in rcpts))


class Conn:
    def __init__(self, host, port):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.s = socket.socket(fam, socket.SOCK_STREAM)
        self.s.settimeout(30)
        self.s.connect((host, int(port)))
        self.buf = b""

    def send(self, data):
        try:
            self.s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass   # the server may refuse and close before taking it all

    def _more(self):
        try:
            d = self.s.recv(65536)
        except ConnectionResetError:
            d = b""
        self.buf += d
        return len(d) > 0

    def response(self):
        while b":" not in self.buf:
            if not self._more():
                return None
        n, rest = self.buf.split(b":", 1)
        if not n.isdigit():
            fail("bad response length %r" % self.buf[:40])
        n = int(n)
        while len(rest) < n + 1:
            if not self._more():
                return None
            rest = self.buf.split(b":", 1)[1]
        if rest[n:n + 1] != b",":
            fail("response without its comma: %r" % self.buf[:80])
        self.buf = rest[n + 1:]
        return rest[:n]

    def responses(self, n):
        return [self.response() for _ in range(n)]

    def closed(self):
        return self.buf == b"" and not self._more()
