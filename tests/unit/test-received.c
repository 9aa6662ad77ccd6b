/* Unit test of src/lib/received.c: the one Received: format. */
#include <string.h>
#include "received.h"
#include "check.h"

static int has(const str *x, const char *s)
{
	return memmem(x->s, x->len, s, strlen(s)) != NULL;
}

int main(void)
{
	str x = STR_INIT;
	struct received r;
	memset(&r, 0, sizeof r);
	r.remoteip = "192.0.2.1";
	r.me = "mx.tern.test";
	r.protocol = "QMTP";
	check(received_format(&x, &r, 42, 1000000000) == 0, "formats");
	check(has(&x, "Received: from [192.0.2.1] ([192.0.2.1])\n\tby mx.tern.test with QMTP id 42.1000000000;\n\t"),
	      "no HELO: the address literal");
	check(x.s[x.len - 1] == '\n' && !memchr(x.s, '\r', x.len), "LF line ends only");
	r.helo = "client(evil)\r\n";
	r.helolen = strlen(r.helo);
	r.remotehost = "host;x";
	r.remoteinfo = "id";
	r.protocol = "ESMTPSA";
	r.tlsinfo = "TLSv1.3 TLS_AES_128_GCM_SHA256";
	r.tlsinfolen = strlen(r.tlsinfo);
	r.authuser = "u)";
	r.authuserlen = 2;
	received_format(&x, &r, 1, 0);
	check(has(&x, "from client_evil___ (host_x ident=id [192.0.2.1])"), "client names sanitised");
	check(has(&x, "\n\t(TLSv1.3 TLS_AES_128_GCM_SHA256)\n\t(authenticated user u_);"), "TLS and AUTH lines");
	str_free(&x);
	return failed;
}
