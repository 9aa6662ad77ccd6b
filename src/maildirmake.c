/* maildirmake: makes a Maildir (qmail's and Courier's usage):
   maildirmake DIR, or maildirmake -f FOLDER DIR for the Maildir++
   folder DIR/.FOLDER. See doc/maildirmake.md. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "die.h"
#include "io.h"
#include "maildir.h"
#include "str.h"

static void usage(void) __attribute__((noreturn));
static void usage(void)
{
	die_perm("usage: maildirmake [-f folder] dir", NULL);
}

/* The directory that holds path (for its fsync): "." for a bare name. */
static void parent_of(const char *path, str *out)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/') n--;
	while (n > 0 && path[n - 1] != '/') n--;
	while (n > 1 && path[n - 1] == '/') n--;
	if (n == 0 ? str_copys(out, ".") < 0 : str_copyb(out, path, n) < 0) die_nomem();
	if (str_0(out) < 0) die_nomem();
}

/* mkdir dir (it must not exist, as qmail's maildirmake), then tmp, new,
   cur in it, opened without following a link; everything fsynced. */
static void make(const char *dir)
{
	str parent = STR_INIT;
	int fd;
	if (mkdir(dir, 0700) < 0) die_temp_sys("cannot mkdir ", dir, NULL);
	parent_of(dir, &parent);
	if (io_fsync_dir(parent.s) < 0) die_temp_sys("cannot fsync ", parent.s, NULL);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) die_temp_sys("cannot open ", dir, NULL);
	if (maildir_make_at(fd) < 0) die_temp_sys("cannot make tmp, new and cur in ", dir, NULL);
	close(fd);
	str_free(&parent);
}

/* Maildir++: the folder is DIR/.FOLDER with an empty maildirfolder file
   (Courier's and Dovecot's mark of a subfolder). */
static void make_folder(const char *folder, const char *dir)
{
	str path = STR_INIT;
	int fd, f;
	if (!*folder || strchr(folder, '/') || !strcmp(folder, ".") || !strcmp(folder, ".."))
		die_perm("bad folder name: ", folder, NULL);
	if (str_catv(&path, dir, "/.", folder, NULL) < 0 || str_0(&path) < 0) die_nomem();
	make(path.s);
	fd = open(path.s, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) die_temp_sys("cannot open ", path.s, NULL);
	f = openat(fd, "maildirfolder", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (f < 0 || close(f) < 0 || fsync(fd) < 0) die_temp_sys("cannot create maildirfolder in ", path.s, NULL);
	close(fd);
	str_free(&path);
}

int main(int argc, char **argv)
{
	const char *folder = NULL;
	int i;
	die_program = "maildirmake";
	umask(077);
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) { i++; break; }
		if (strcmp(argv[i], "-f") || i + 1 >= argc) usage();
		folder = argv[++i];
	}
	if (argc - i != 1 || !argv[i][0]) usage();
	if (folder) make_folder(folder, argv[i]);
	else make(argv[i]);
	return 0;
}
