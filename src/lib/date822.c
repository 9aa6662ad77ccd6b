#include <string.h>
#include "date822.h"
#include "fmt.h"

unsigned int date822_fmt(char out[DATE822_LEN], time_t t)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;
	long off;
	unsigned int n = 0;
	if (!localtime_r(&t, &tm)) { gmtime_r(&t, &tm); tm.tm_gmtoff = 0; }
	off = tm.tm_gmtoff / 60;
	memcpy(out + n, days + 3 * (tm.tm_wday % 7), 3); n += 3;
	out[n++] = ','; out[n++] = ' ';
	n += (unsigned int)fmt_ulong(out + n, (unsigned long long)tm.tm_mday);
	out[n++] = ' ';
	memcpy(out + n, months + 3 * (tm.tm_mon % 12), 3); n += 3;
	out[n++] = ' ';
	n += (unsigned int)fmt_ulong(out + n, (unsigned long long)(tm.tm_year + 1900));
	out[n++] = ' ';
	n += (unsigned int)fmt_ulong0(out + n, (unsigned long long)tm.tm_hour, 2);
	out[n++] = ':';
	n += (unsigned int)fmt_ulong0(out + n, (unsigned long long)tm.tm_min, 2);
	out[n++] = ':';
	n += (unsigned int)fmt_ulong0(out + n, (unsigned long long)tm.tm_sec, 2);
	out[n++] = ' ';
	out[n++] = off < 0 ? '-' : '+';
	if (off < 0) off = -off;
	n += (unsigned int)fmt_ulong0(out + n, (unsigned long long)(off / 60), 2);
	n += (unsigned int)fmt_ulong0(out + n, (unsigned long long)(off % 60), 2);
	out[n] = 0;
	return n;
}
