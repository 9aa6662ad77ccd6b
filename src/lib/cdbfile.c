#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h> /* rename */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cdbfile.h"
#include "io.h"

static int open_cdb(const char *path, struct cdb *c)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return errno == ENOENT ? 0 : -1;
	if (cdb_init(c, fd) != 0) {
		int e = errno;
		close(fd);
		errno = e ? e : EINVAL;
		return -1;
	}
	return 1;
}

static void close_cdb(struct cdb *c)
{
	int fd = cdb_fileno(c);
	cdb_free(c);
	close(fd);
}

int cdbfile_get(const char *path, const char *key, size_t klen, str *value)
{
	struct cdb c;
	int r = open_cdb(path, &c);
	if (r <= 0) return r;
	r = cdb_find(&c, key, (unsigned)klen);
	if (r > 0) {
		unsigned len = cdb_datalen(&c);
		if (str_ready(value, (size_t)len + 1) < 0 ||
		    cdb_read(&c, value->s, len, cdb_datapos(&c)) != 0)
			r = -1;
		else
			value->len = len;
	}
	close_cdb(&c);
	return r < 0 ? -1 : r;
}

int cdbfile_get_all(const char *path, const char *key, size_t klen, str *values)
{
	struct cdb c;
	struct cdb_find f;
	int r = open_cdb(path, &c), count = 0;
	values->len = 0;
	if (r <= 0) return r;
	if (cdb_findinit(&f, &c, key, (unsigned)klen) < 0) { close_cdb(&c); return -1; }
	while ((r = cdb_findnext(&f)) > 0) {
		unsigned len = cdb_datalen(&c);
		if (str_readyplus(values, (size_t)len + 1) < 0 ||
		    cdb_read(&c, values->s + values->len, len, cdb_datapos(&c)) != 0) {
			r = -1;
			break;
		}
		values->len += len;
		values->s[values->len++] = 0;
		count++;
	}
	close_cdb(&c);
	return r < 0 ? -1 : count;
}

struct cdbfile_make {
	struct cdb_make cm;
	int fd;
	char *path;
	char *tmp;
};

struct cdbfile_make *cdbfile_make_start(const char *path)
{
	struct cdbfile_make *m = calloc(1, sizeof *m);
	size_t n = strlen(path);
	if (!m) return NULL;
	m->path = strdup(path);
	m->tmp = malloc(n + 5);
	if (!m->path || !m->tmp) goto fail;
	memcpy(m->tmp, path, n);
	memcpy(m->tmp + n, ".tmp", 5);
	m->fd = open(m->tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (m->fd < 0) goto fail;
	if (cdb_make_start(&m->cm, m->fd) < 0) { close(m->fd); unlink(m->tmp); goto fail; }
	return m;
fail:
	free(m->path);
	free(m->tmp);
	free(m);
	return NULL;
}

int cdbfile_make_add(struct cdbfile_make *m, const char *key, size_t klen, const char *data, size_t dlen)
{
	return cdb_make_add(&m->cm, key, (unsigned)klen, data, (unsigned)dlen) < 0 ? -1 : 0;
}

static void make_free(struct cdbfile_make *m)
{
	free(m->path);
	free(m->tmp);
	free(m);
}

void cdbfile_make_abort(struct cdbfile_make *m)
{
	/* tinycdb frees an unfinished cdb_make only in cdb_make_finish: let it
	   write into the temporary file we are about to remove. */
	(void)cdb_make_finish(&m->cm);
	close(m->fd);
	unlink(m->tmp);
	make_free(m);
}

int cdbfile_make_finish(struct cdbfile_make *m)
{
	int e;
	if (cdb_make_finish(&m->cm) < 0 || fsync(m->fd) < 0) goto fail;
	if (close(m->fd) < 0) { m->fd = -1; goto fail; }
	m->fd = -1;
	if (rename(m->tmp, m->path) < 0) goto fail;
	make_free(m);
	return 0;
fail:
	e = errno;
	if (m->fd >= 0) close(m->fd);
	unlink(m->tmp);
	make_free(m);
	errno = e;
	return -1;
}
