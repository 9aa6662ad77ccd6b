/* tls-client-probe: drives src/lib/tlsclient for tests/integration/61-tls-client.sh
   (built by that test, not by `make unit`: it needs -lbearssl).
   tls-client-probe [-c cafile] [-n servername] ip port may|encrypt|verify|pin [pins]
   Connects, runs the handshake, sends an HTTP GET (openssl s_server -www
   answers it), prints the description and the first response line.
   Exit 0 ok, 75 temporary failure, 100 permanent failure, 2 usage. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "scan.h"
#include "str.h"
#include "tlsclient.h"

static struct tlsclient tc;

static int connect_to(const char *ip, const char *port)
{
	struct sockaddr_in sa;
	unsigned long long p;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	if (fd < 0 || !scan_ulong_all(port, &p) || p > 65535 || inet_pton(AF_INET, ip, &sa.sin_addr) != 1) return -1;
	sa.sin_port = htons((unsigned short)p);
	return connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ? -1 : fd;
}

int main(int argc, char **argv)
{
	const char *servername = 0;
	enum tlsclient_policy pol;
	char buf[256];
	str d = STR_INIT;
	int opt, fd, r;
	tlsclient_init(&tc);
	while ((opt = getopt(argc, argv, "c:n:")) != -1) {
		if (opt == 'c') tc.cafile = optarg;
		else if (opt == 'n') servername = optarg;
		else return 2;
	}
	argv += optind;
	argc -= optind;
	if (argc < 3) return 2;
	if (!strcmp(argv[2], "may")) pol = TLSCLIENT_MAY;
	else if (!strcmp(argv[2], "encrypt")) pol = TLSCLIENT_ENCRYPT;
	else if (!strcmp(argv[2], "verify")) pol = TLSCLIENT_VERIFY;
	else if (!strcmp(argv[2], "pin")) pol = TLSCLIENT_PIN;
	else return 2;
	fd = connect_to(argv[0], argv[1]);
	if (fd < 0) { perror("connect"); return 75; }
	r = tlsclient_start(&tc, fd, servername, pol, argc > 3 ? argv[3] : 0, 10);
	if (r) {
		printf("%s: %s\n", r == TLSCLIENT_TEMP ? "temp" : "perm", tc.error);
		return r == TLSCLIENT_TEMP ? 75 : 100;
	}
	if (tlsclient_describe(&tc, &d) < 0) return 75;
	printf("tls: %.*s\n", (int)d.len, d.s);
	str_free(&d);
	static const char get[] = "GET / HTTP/1.0\r\n\r\n";
	if (tlsclient_write(&tc, get, sizeof get - 1) < 0 || tlsclient_flush(&tc) < 0) { printf("write failed\n"); return 75; }
	ssize_t n = tlsclient_read(&tc, buf, sizeof buf - 1);
	if (n <= 0) { printf("read failed\n"); return 75; }
	buf[n] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	printf("reply: %s\n", buf);
	while (tlsclient_read(&tc, buf, sizeof buf) > 0) {}
	tlsclient_close(&tc);
	return 0;
}
