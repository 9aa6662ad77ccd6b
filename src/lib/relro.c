/* relro.c: make the RELRO segment read-only at start, for the musl build.
 *
 * The linker (-z relro -z now) groups what is written only while the
 * program is relocated (the GOT, vtables, pointers in const data, the
 * init/fini arrays) into a PT_GNU_RELRO segment, so that it can be made
 * read-only afterwards and an overwrite bug cannot redirect a call through
 * it. glibc's start-up does that mprotect; musl's static-pie start-up
 * (rcrt1.o) relocates the program but leaves the segment writable. This
 * constructor, linked into every musl-built program (Makefile), runs
 * before main, after relocation, and does it. Pages are rounded as the
 * dynamic loaders do: from the page holding the start to the last whole
 * page. doc/performance.md; tests/unit/test-relro.c and
 * tests/integration/03-hardening.sh check it. */
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>
#include "relro.h"

static int relro_each(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	int *r = arg;
	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_GNU_RELRO) continue;
		uintptr_t start = (info->dlpi_addr + ph->p_vaddr) & ~(page - 1);
		uintptr_t end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz) & ~(page - 1);
		if (end > start && mprotect((void *)start, end - start, PROT_READ) < 0) *r = -1;
	}
	return 1; /* the first object is the program itself: stop there */
}

int relro_protect(void)
{
	int r = 0;
	dl_iterate_phdr(relro_each, &r);
	return r;
}

/* Start-up code, not library code: there is no caller to return an error
   to. A program that cannot protect itself does not run; 111 is a
   temporary failure, so whoever started it (a spawner, a supervisor, an
   SMTP client) tries again later, and nothing is lost. */
__attribute__((constructor(101))) static void relro_at_start(void)
{
	static const char msg[] = "relro: cannot make the RELRO segment read-only\n";
	if (relro_protect() == 0) return;
	ssize_t w = write(2, msg, sizeof msg - 1);
	(void)w;
	_exit(111);
}
