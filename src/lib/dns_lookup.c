#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include "control.h"
#include "dns.h"
#include "io.h"

/* The network half of dns.h: server list, UDP with TCP fallback. */

static int conf_add(struct dns_conf *conf, const char *s, size_t len)
{
	if (conf->n >= DNS_SERVERS_MAX) return 0;
	if (dns_server_parse(s, len, &conf->server[conf->n], &conf->len[conf->n])) conf->n++;
	return 0;
}

int dns_conf_load(struct dns_conf *conf, const char *resolv)
{
	str list = STR_INIT;
	size_t i;
	int r;
	conf->n = 0;
	conf->timeout = 5;
	conf->rounds = 2;
	r = control_read_list(&list, "control/dnsservers");
	if (r < 0) { str_free(&list); return -1; }
	for (i = 0; r > 0 && i < list.len; i += strlen(list.s + i) + 1)
		conf_add(conf, list.s + i, strlen(list.s + i));
	if (conf->n == 0 && resolv && control_read_list(&list, resolv) > 0) {
		/* resolv.conf: "nameserver ADDR" lines; everything else ignored. */
		for (i = 0; i < list.len; i += strlen(list.s + i) + 1) {
			const char *l = list.s + i;
			size_t n = strlen(l);
			if (n > 11 && strncmp(l, "nameserver", 10) == 0 && (l[10] == ' ' || l[10] == '\t')) {
				size_t k = 11;
				while (k < n && (l[k] == ' ' || l[k] == '\t')) k++;
				conf_add(conf, l + k, strcspn(l + k, " \t"));
			}
		}
	}
	str_free(&list);
	if (conf->n == 0) conf_add(conf, "127.0.0.1", 9);
	return 0;
}

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Connects fd (non-blocking) within the deadline. 0 or -1. */
static int connect_by(int fd, const struct sockaddr *sa, socklen_t len, long long deadline)
{
	int err = 0;
	socklen_t el = sizeof err;
	if (connect(fd, sa, len) == 0) return 0;
	if (errno != EINPROGRESS) return -1;
	if (io_wait(fd, POLLOUT, (int)(deadline - now_ms())) <= 0) return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0) return -1;
	if (err) { errno = err; return -1; }
	return 0;
}

static int read_by(int fd, unsigned char *buf, size_t len, long long deadline)
{
	while (len > 0) {
		long long left = deadline - now_ms();
		ssize_t r;
		if (left <= 0 || io_wait(fd, POLLIN, (int)left) <= 0) return -1;
		r = io_read(fd, buf, len);
		if (r <= 0) return -1;
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

static int ask_tcp(const struct dns_conf *conf, size_t k, const unsigned char *q, size_t qlen,
                   uint16_t id, const char *name, uint16_t qtype, struct dns_result *res)
{
	static unsigned char ans[DNS_TCP_MAX];
	unsigned char hdr[2];
	unsigned char out[2 + 300];
	long long deadline = now_ms() + (long long)conf->timeout * 1000;
	size_t alen;
	int r = DNS_TEMP;
	int fd = socket(conf->server[k].ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) return DNS_TEMP;
	out[0] = (unsigned char)(qlen >> 8); out[1] = (unsigned char)qlen;
	memcpy(out + 2, q, qlen);
	if (connect_by(fd, (const struct sockaddr *)&conf->server[k], conf->len[k], deadline) < 0 ||
	    io_nonblock(fd, 0) < 0 || io_write_all(fd, out, qlen + 2) < 0 ||
	    read_by(fd, hdr, 2, deadline) < 0)
		goto done;
	alen = ((size_t)hdr[0] << 8) | hdr[1];
	if (read_by(fd, ans, alen, deadline) < 0) goto done;
	r = dns_answer_parse(ans, alen, id, name, qtype, res);
	if (r == DNS_BAD || res->truncated) r = DNS_TEMP;
done:
	close(fd);
	return r;
}

/* One question to server k. DNS_OK/DNS_NXDOMAIN final, else try on. */
static int ask_udp(const struct dns_conf *conf, size_t k, const unsigned char *q, size_t qlen,
                   uint16_t id, const char *name, uint16_t qtype, struct dns_result *res)
{
	unsigned char ans[DNS_UDP_MAX];
	long long deadline = now_ms() + (long long)conf->timeout * 1000;
	int r = DNS_TEMP;
	int fd = socket(conf->server[k].ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) return DNS_TEMP;
	/* A connected socket only hears from the server we asked. */
	if (connect(fd, (const struct sockaddr *)&conf->server[k], conf->len[k]) < 0 ||
	    send(fd, q, qlen, 0) != (ssize_t)qlen) { close(fd); return DNS_TEMP; }
	for (;;) {
		long long left = deadline - now_ms();
		ssize_t n;
		if (left <= 0 || io_wait(fd, POLLIN, (int)left) <= 0) break;
		n = recv(fd, ans, sizeof ans, 0);
		if (n < 0) { if (errno == EINTR) continue; break; }
		r = dns_answer_parse(ans, (size_t)n, id, name, qtype, res);
		if (r == DNS_BAD) { r = DNS_TEMP; continue; }  /* spoof or garbage: keep listening */
		if (res->truncated) { close(fd); return ask_tcp(conf, k, q, qlen, id, name, qtype, res); }
		break;
	}
	close(fd);
	return r;
}

static void mx_sort(struct dns_result *res)
{
	unsigned int key[DNS_ANSWERS_MAX];
	if (getrandom(key, sizeof key, GRND_NONBLOCK) < 0) memset(key, 0, sizeof key);
	for (size_t i = 1; i < res->nmx; i++) {
		struct dns_mx m = res->mx[i];
		unsigned int kk = key[i];
		size_t j = i;
		while (j > 0 && (res->mx[j - 1].pref > m.pref ||
		                 (res->mx[j - 1].pref == m.pref && key[j - 1] > kk))) {
			res->mx[j] = res->mx[j - 1];
			key[j] = key[j - 1];
			j--;
		}
		res->mx[j] = m;
		key[j] = kk;
	}
}

static int lookup_once(const struct dns_conf *conf, const char *name, uint16_t qtype, struct dns_result *res)
{
	unsigned char q[300];
	uint16_t id;
	size_t qlen;
	int r = DNS_TEMP;
	if (getrandom(&id, sizeof id, GRND_NONBLOCK) != sizeof id) id = (uint16_t)(now_ms() ^ getpid());
	qlen = dns_query_build(q, sizeof q, id, name, strlen(name), qtype, 1);
	if (qlen == 0) return DNS_NXDOMAIN;   /* not a valid hostname: cannot exist */
	for (unsigned int round = 0; round < conf->rounds; round++)
		for (size_t k = 0; k < conf->n; k++) {
			r = ask_udp(conf, k, q, qlen, id, name, qtype, res);
			if (r == DNS_OK || r == DNS_NXDOMAIN) return r;
		}
	return r;
}

int dns_lookup(const struct dns_conf *conf, const char *name, uint16_t qtype, struct dns_result *res)
{
	char cur[DNS_NAME_MAX + 1];
	size_t n = strlen(name);
	int r, steps;
	if (n > DNS_NAME_MAX) return DNS_NXDOMAIN;
	memcpy(cur, name, n + 1);
	/* Follow CNAMEs the server did not chase for us, a few steps only. */
	for (steps = 0; steps < 4; steps++) {
		r = lookup_once(conf, cur, qtype, res);
		if (r != DNS_OK) return r;
		if (res->nmx || res->naddr || !res->cname[0]) break;
		memcpy(cur, res->cname, sizeof cur);
	}
	if (qtype == DNS_T_MX) mx_sort(res);
	return DNS_OK;
}
