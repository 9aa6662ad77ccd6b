#!/usr/bin/python3
"""A TLS-capable SMTP peer for the relay-remote TLS and AUTH tests.

relaytls_peer.py HOST PORT --record FILE --pidfile FILE [options]

Default: aiosmtpd (a real, independent SMTP server) with STARTTLS when
--cert/--key are given and AUTH when --user is given. Appends JSON lines
to the record file:
  {"ev": "ehlo", "tls": bool}                       each EHLO
  {"ev": "auth", "mech": M, "user": U, "ok": bool}  each AUTH attempt
  {"ev": "msg", "tls": bool, "cipher": C, "auth": U or null,
   "mail": ..., "rcpt": [...], "data": ...}          each accepted message
Options:
  --cert F --key F    offer STARTTLS with this certificate
  --user U:P          accept AUTH PLAIN/LOGIN with these credentials
  --only-login        offer AUTH LOGIN only
  --auth-clear        offer AUTH without TLS too
  --auth-reply TEXT   the reply to wrong credentials (default aiosmtpd's 535)
  --raw inject        not aiosmtpd: offer STARTTLS, answer it with
                      "220 go ahead" and a second, injected reply in the
                      same packet; record {"ev": "raw", "line": ...} for
                      every client line afterwards
  --raw breaktls      offer STARTTLS, answer 220 and hang up; accept a
                      cleartext message otherwise (recorded as "msg")
"""
import argparse, json, os, socketserver, ssl, threading, time

lock = threading.Lock()


def record(path, obj):
    with lock:
        with open(path, "a") as f:
            f.write(json.dumps(obj) + "\n")


def aio_main(a):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    class Handler:
        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            session.host_name = hostname
            record(a.record, {"ev": "ehlo", "tls": session.ssl is not None})
            return responses

        async def handle_DATA(self, server, session, envelope):
            cipher = None
            if session.ssl is not None:
                c = session.ssl.get("cipher")
                cipher = c[0] if c else None
            user = session.auth_data.login.decode("latin-1") if isinstance(session.auth_data, LoginPassword) else None
            record(a.record, {"ev": "msg", "tls": session.ssl is not None, "cipher": cipher,
                              "auth": user, "mail": envelope.mail_from, "rcpt": envelope.rcpt_tos,
                              "data": envelope.original_content.decode("latin-1")})
            return "250 2.0.0 queued"

    def authenticator(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, pw = auth_data.login.decode("latin-1"), auth_data.password.decode("latin-1")
        ok = a.user is not None and (user + ":" + pw) == a.user
        record(a.record, {"ev": "auth", "mech": mechanism, "user": user, "ok": ok,
                          "tls": session.ssl is not None})
        if ok:
            return AuthResult(success=True, auth_data=auth_data)
        # handled=False: aiosmtpd itself sends the refusal.
        return AuthResult(success=False, handled=False, message=a.auth_reply)

    kw = {}
    if a.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        kw["tls_context"] = ctx
    if a.user:
        kw["authenticator"] = authenticator
        kw["auth_require_tls"] = not a.auth_clear
        if a.only_login:
            kw["auth_exclude_mechanism"] = ["PLAIN"]
    ctl = Controller(Handler(), hostname=a.host, port=a.port, ready_timeout=20, **kw)
    ctl.start()
    return ctl


class Raw(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write(text.encode("latin-1"))
        self.wfile.flush()

    def handle(self):
        a = self.server.args
        self.reply("220 raw.test ESMTP\r\n")
        after, mail, rcpts = False, None, []
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            cmd = line.decode("latin-1").rstrip("\r\n")
            verb = cmd[:4].upper()
            if after:
                record(a.record, {"ev": "raw", "line": cmd})
            if verb == "EHLO":
                self.reply("250-raw.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
            elif verb == "STAR":
                record(a.record, {"ev": "starttls"})
                if a.raw == "inject":
                    self.reply("220 2.0.0 go ahead\r\n250 2.0.0 injected\r\n")
                    after = True
                    continue
                self.reply("220 2.0.0 go ahead\r\n")
                return                      # breaktls: no handshake at all
            elif verb == "MAIL":
                mail, rcpts = cmd[10:], []
                self.reply("250 2.1.0 ok\r\n")
            elif verb == "RCPT":
                rcpts.append(cmd[8:].strip().strip("<>"))
                self.reply("250 2.1.5 ok\r\n")
            elif verb == "DATA":
                self.reply("354 go on\r\n")
                data = b""
                while True:
                    l = self.rfile.readline(1 << 20)
                    if not l:
                        return
                    if l == b".\r\n":
                        break
                    data += l
                record(a.record, {"ev": "msg", "tls": False, "cipher": None, "auth": None,
                                  "mail": mail, "rcpt": rcpts, "data": data.decode("latin-1")})
                self.reply("250 2.0.0 queued\r\n")
            elif verb == "QUIT":
                self.reply("221 2.0.0 bye\r\n")
                return
            else:
                self.reply("250 2.0.0 ok\r\n" if verb == "RSET" else "502 5.5.2 unknown\r\n")


class RawServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--record", required=True)
    p.add_argument("--pidfile", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user")
    p.add_argument("--only-login", action="store_true")
    p.add_argument("--auth-clear", action="store_true")
    p.add_argument("--auth-reply")
    p.add_argument("--raw", choices=["inject", "breaktls"])
    a = p.parse_args()
    if a.raw:
        srv = RawServer((a.host, a.port), Raw)
        srv.args = a
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    else:
        aio_main(a)
    with open(a.pidfile + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(a.pidfile + ".tmp", a.pidfile)
    # Bounded life: a forgotten peer does not outlive a test run by much.
    time.sleep(900)


if __name__ == "__main__":
    main()
