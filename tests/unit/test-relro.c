/* Unit test of RELRO at run time: the program's PT_GNU_RELRO pages must
   be read-only once main runs (in the musl build src/lib/relro.c does the
   mprotect, in the glibc build the dynamic loader does), which
   /proc/self/maps shows. A pointer table in const data lives there. */
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "check.h"

static const char *const table[] = { "a pointer", "relocated at start" };
static uintptr_t relro_start, relro_end;

static int find(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size; (void)arg;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_GNU_RELRO) {
			relro_start = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
			relro_end = relro_start + info->dlpi_phdr[i].p_memsz;
		}
	return 1;
}

/* The permissions of the mapping holding addr, e.g. "r--p"; "" if none. */
static void perms_of(uintptr_t addr, char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo, hi;
	char p[5];
	perms[0] = 0;
	if (!f) return;
	while (fscanf(f, "%lx-%lx %4s%*[^\n]", &lo, &hi, p) == 3)
		if (addr >= lo && addr < hi) { memcpy(perms, p, 5); break; }
	fclose(f);
}

int main(void)
{
	char perms[5];
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	dl_iterate_phdr(find, 0);
	check(relro_end > relro_start, "the program has a PT_GNU_RELRO segment");
	check((uintptr_t)&table[0] >= relro_start && (uintptr_t)&table[1] < relro_end,
		"a const pointer table is in it");
	perms_of((uintptr_t)&table[0], perms);
	check(!strcmp(perms, "r--p"), "the page of that table is read-only");
	perms_of(relro_start & ~(page - 1), perms);
	check(!strcmp(perms, "r--p"), "the first RELRO page is read-only");
	if (((relro_end & ~(page - 1)) - 1) > (relro_start & ~(page - 1))) {
		perms_of((relro_end & ~(page - 1)) - 1, perms);
		check(!strcmp(perms, "r--p"), "the last whole RELRO page is read-only");
	}
	printf("# %s %s\n", table[0], table[1]);
	return failed;
}
