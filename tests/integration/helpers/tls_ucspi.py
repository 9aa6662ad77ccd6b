#!/usr/bin/python3
# A tiny UCSPI-TLS program for the tls-server tests (doc/tls-server.md):
# speaks an SMTP-like dialogue. Before STARTTLS it uses fd 0/1; on
# STARTTLS it answers 220, writes "Y" on SSLCTLFD, reads the control line
# and continues on SSLREADFD/SSLWRITEFD. Under -Z it finds SSL_PROTOCOL
# in its environment and the cleartext on fd 0/1.
# Commands: EHLO, STARTTLS, INFO (prints the TLS line), UID (prints
# "uid gid"), KEY <path> (tries to open a file), ECHO <text>, QUIT.
import os

rfd, wfd, tls = 0, 1, None
if os.environ.get("SSL_PROTOCOL"):
    tls = "%s %s sni=%s" % (os.environ["SSL_PROTOCOL"], os.environ.get("SSL_CIPHER", ""),
                            os.environ.get("SSL_TLS_SNI", ""))


def say(text):
    os.write(wfd, (text + "\r\n").encode())


def readline():
    # One byte at a time before TLS, so nothing after STARTTLS is consumed.
    out = b""
    while len(out) < 2000:
        c = os.read(rfd, 1)
        if not c:
            return None
        out += c
        if c == b"\n":
            break
    return out.decode(errors="replace").rstrip("\r\n")


say("220 test ESMTP")
while True:
    line = readline()
    if line is None:
        break
    cmd = line.split(" ", 1)
    verb = cmd[0].upper()
    if verb in ("EHLO", "HELO"):
        say("250-test")
        if tls is None and "SSLCTLFD" in os.environ:
            say("250-STARTTLS")
        say("250 8BITMIME")
    elif verb == "STARTTLS" and tls is None and "SSLCTLFD" in os.environ:
        say("220 2.0.0 go ahead")
        ctl = int(os.environ["SSLCTLFD"])
        os.write(ctl, b"Y")
        info = b""
        while not info.endswith(b"\n") and len(info) < 512:
            c = os.read(ctl, 512)
            if not c:
                raise SystemExit(0)
            info += c
        tls = info.decode().strip()
        rfd, wfd = int(os.environ["SSLREADFD"]), int(os.environ["SSLWRITEFD"])
    elif verb == "INFO":
        say("250 " + (tls or "none"))
    elif verb == "UID":
        say("250 %d %d" % (os.getuid(), os.getgid()))
    elif verb == "KEY":
        try:
            open(cmd[1], "rb").close()
            say("250 opened")
        except OSError as e:
            say("550 %s" % e.strerror)
    elif verb == "ECHO":
        say("250 " + (cmd[1] if len(cmd) > 1 else ""))
    elif verb == "BIG":
        # a large reply, to cross several TLS records
        for i in range(int(cmd[1])):
            say("250-" + "x" * 990)
        say("250 end")
    elif verb == "QUIT":
        say("221 bye")
        break
    else:
        say("500 what")
