#!/usr/bin/python3
"""A scriptable SMTP peer for the relay-remote tests.

Listens on HOST PORT, speaks enough ESMTP, and appends one JSON object per
event to the record file: {"ev": "connect", "n": N} for each connection and
{"ev": "msg", "conn": N, "mail": ..., "rcpt": [...], "data": <latin-1 text of
the raw bytes between DATA's 354 and the final dot>} for each accepted
message. Options (rcpt replies given as ADDR=CODE, CODE 451once = 451 the
first time that address is seen, then accepted):
  --greet "421 ..."   greet with this and close
  --rcpt ADDR=CODE    reply CODE to RCPT TO:<ADDR>
  --malformed         answer EHLO with a broken multi-line reply
  --silent            accept connections but never greet
  --drop-once         the first time, hang up after the data instead of replying
  --no-pipelining, --size N, --no-8bit
Prints nothing; writes its pid to --pidfile once listening.
"""
import argparse, json, os, socket, socketserver, sys, threading

lock = threading.Lock()
seen = {}
conns = [0]


def record(path, obj):
    with lock:
        with open(path, "a") as f:
            f.write(json.dumps(obj) + "\n")


class Handler(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write(text.encode("latin-1"))
        self.wfile.flush()

    def handle(self):
        a = self.server.args
        with lock:
            conns[0] += 1
            n = conns[0]
        record(a.record, {"ev": "connect", "n": n})
        if a.silent:
            self.rfile.read(1)          # say nothing until the client leaves
            return
        if a.greet:
            self.reply(a.greet + "\r\n")
            return
        self.reply("220 peer.test ESMTP\r\n")
        mail, rcpts = None, []
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            cmd = line.decode("latin-1").rstrip("\r\n")
            verb = cmd[:4].upper()
            if verb == "EHLO":
                if a.malformed:
                    self.reply("250-peer.test\r\n25\r\n250 x\r\n")
                    continue
                ext = ["peer.test"]
                if not a.no_pipelining:
                    ext.append("PIPELINING")
                if not a.no_8bit:
                    ext.append("8BITMIME")
                ext.append("SIZE %d" % a.size if a.size else "SIZE")
                self.reply("".join("250-%s\r\n" % e for e in ext[:-1]) + "250 %s\r\n" % ext[-1])
            elif verb == "HELO":
                self.reply("250 peer.test\r\n")
            elif verb == "MAIL":
                mail, rcpts = cmd[10:], []
                self.reply("250 2.1.0 ok\r\n")
            elif verb == "RCPT":
                addr = cmd[8:].strip().strip("<>")
                code = a.rcpt.get(addr, "250")
                if code == "451once":
                    with lock:
                        seen[addr] = seen.get(addr, 0) + 1
                        first = seen[addr] == 1
                    code = "451" if first else "250"
                if code == "250":
                    rcpts.append(addr)
                    self.reply("250 2.1.5 ok\r\n")
                else:
                    self.reply("%s %s.0.0 refused %s\r\n" % (code, code[0], addr))
            elif verb == "DATA":
                if mail is None or not rcpts:
                    self.reply("503 5.5.1 no recipients\r\n")
                    continue
                self.reply("354 go on\r\n")
                data = b""
                while True:
                    l = self.rfile.readline(1 << 20)
                    if not l:
                        return
                    if l == b".\r\n":
                        break
                    data += l
                if a.drop_once:
                    with lock:
                        first = not seen.get("<dropped>")
                        seen["<dropped>"] = 1
                    if first:
                        return          # hang up instead of answering the dot
                record(a.record, {"ev": "msg", "conn": n, "mail": mail, "rcpt": rcpts,
                                  "data": data.decode("latin-1")})
                mail, rcpts = None, []
                self.reply("250 2.0.0 queued as %d\r\n" % n)
            elif verb == "RSET":
                mail, rcpts = None, []
                self.reply("250 2.0.0 ok\r\n")
            elif verb == "QUIT":
                self.reply("221 2.0.0 bye\r\n")
                return
            else:
                self.reply("502 5.5.2 unknown\r\n")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--record", required=True)
    p.add_argument("--pidfile")
    p.add_argument("--greet")
    p.add_argument("--rcpt", action="append", default=[])
    p.add_argument("--malformed", action="store_true")
    p.add_argument("--silent", action="store_true")
    p.add_argument("--drop-once", action="store_true")
    p.add_argument("--no-pipelining", action="store_true")
    p.add_argument("--no-8bit", action="store_true")
    p.add_argument("--size", type=int, default=0)
    a = p.parse_args()
    a.rcpt = dict(x.split("=", 1) for x in a.rcpt)
    Server.address_family = socket.AF_INET6 if ":" in a.host else socket.AF_INET
    srv = Server((a.host, a.port), Handler)
    srv.args = a
    if a.pidfile:
        with open(a.pidfile + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(a.pidfile + ".tmp", a.pidfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
