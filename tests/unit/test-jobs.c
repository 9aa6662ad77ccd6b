/* Unit test of the job/report codec (src/lib/jobs.c). */
#include <string.h>
#include <unistd.h>
#include "buffer.h"
#include "jobs.h"
#include "str.h"
#include "check.h"

#define B(lit) lit, sizeof(lit) - 1

static void test_jobs(void)
{
	str out = STR_INIT;
	struct job j;
	size_t used = 0, i;
	int all_partial = 1;
	job_init(&j);
	jobs_job_begin(&out, 7, "example.org", 11);
	jobs_job_msg(&out, 12345, "a@b", 3);
	jobs_job_rcpt(&out, "x@example.org", 13);
	jobs_job_rcpt(&out, "y@example.org", 13);
	jobs_job_msg(&out, 99, "", 0);
	jobs_job_rcpt(&out, "z@example.org", 13);
	jobs_job_end(&out);
	check(out.len == sizeof("J7\0Dexample.org\0M12345\0Sa@b\0Rx@example.org\0Ry@example.org\0M99\0S\0Rz@example.org\0") &&
	      memcmp(out.s, "J7\0Dexample.org\0M12345\0Sa@b\0Rx@example.org\0Ry@example.org\0M99\0S\0Rz@example.org\0\0", out.len) == 0,
	      "job encoding is the documented bytes");
	check(jobs_parse(out.s, out.len, &j, &used) == 1 && used == out.len, "job decodes");
	check(j.id == 7 && j.domain_len == 11 && strcmp(j.domain, "example.org") == 0, "jobid and domain");
	check(j.nmsg == 2 && j.msg[0].id == 12345 && j.msg[0].n == 2 && j.msg[1].first == 2 &&
	      j.msg[1].n == 1 && j.msg[1].sender_len == 0 && strcmp(j.msg[0].sender, "a@b") == 0, "messages");
	check(j.nrcpt == 3 && strcmp(j.rcpt[2].addr, "z@example.org") == 0, "recipients");
	for (i = 0; i < out.len; i++)
		if (jobs_parse(out.s, i, &j, &used) != 0) all_partial = 0;
	check(all_partial, "every prefix of a job is incomplete, not bad");
	str_catb(&out, "J8", 2);
	check(jobs_parse(out.s, out.len, &j, &used) == 1 && used == out.len - 2, "trailing bytes are left");
	check(jobs_parse(B("J\0Dx\0M1\0S\0Rr\0\0"), &j, &used) == JOBS_BAD, "empty jobid");
	check(jobs_parse(B("Jx\0Dx\0M1\0S\0Rr\0\0"), &j, &used) == JOBS_BAD, "non-decimal jobid");
	check(jobs_parse(B("J1\0D\0M1\0S\0Rr\0\0"), &j, &used) == JOBS_BAD, "empty domain");
	check(jobs_parse(B("J1\0Dx\0M1\0S\0\0"), &j, &used) == JOBS_BAD, "message without recipient");
	check(jobs_parse(B("J1\0Dx\0\0"), &j, &used) == JOBS_BAD, "job without message");
	check(jobs_parse(B("J1\0Dx\0M1\0Rr\0\0"), &j, &used) == JOBS_BAD, "missing sender");
	check(jobs_parse(B("J1\0Dx\0M1\0S\0R\0\0"), &j, &used) == JOBS_BAD, "empty recipient");
	check(jobs_parse(B("J1\0Dx\0M1\0S\0Rr\0Xq\0\0"), &j, &used) == JOBS_BAD, "unknown letter");
	check(jobs_parse(B("J123456789012345678901\0"), &j, &used) == JOBS_BAD, "overlong number");
	check(jobs_parse(B("J99999999999999999999\0Dx\0M1\0S\0Rr\0\0"), &j, &used) == JOBS_BAD, "number overflow");
	{
		str big = STR_INIT;
		str_catb(&big, B("J1\0Dx\0M1\0S\0R"));
		for (i = 0; i < JOBS_ADDR_MAX + 5; i++) str_catc(&big, 'a');
		check(jobs_parse(big.s, big.len, &j, &used) == JOBS_BAD, "overlong field without NUL is bad early");
		str_cat0(&big); str_cat0(&big);
		check(jobs_parse(big.s, big.len, &j, &used) == JOBS_BAD, "overlong recipient");
		str_free(&big);
	}
	{
		int p[2];
		buffer b;
		char space[64];
		str raw = STR_INIT;
		if (pipe(p) == 0) {
			if (write(p[1], out.s, out.len - 2) < 0 || write(p[1], B("J2\0Dq\0M5\0Sx\0Rr\0\0J3\0D")) < 0) failed = 1;
			close(p[1]);
			buffer_init(&b, p[0], space, sizeof space);
			check(jobs_read(&b, &raw, &j) == 1 && j.id == 7 && j.nrcpt == 3, "jobs_read first job");
			check(jobs_read(&b, &raw, &j) == 1 && j.id == 2 && strcmp(j.rcpt[0].addr, "r") == 0, "jobs_read second job");
			check(jobs_read(&b, &raw, &j) == JOBS_BAD, "jobs_read truncated job");
			close(p[0]);
		}
		str_free(&raw);
	}
	job_free(&j);
	str_free(&out);
}

static void test_reports(void)
{
	str out = STR_INIT;
	struct job_report r;
	size_t used = 0, i;
	int all_partial = 1;
	jobs_report(&out, 3, 4567, 1, JOBS_PERMANENT, B("550 5.1.1 no\r\nsuch"));
	check(out.len == sizeof("R3\0004567\0001\0D550 5.1.1 no  such") &&
	      memcmp(out.s, "R3\0004567\0001\0D550 5.1.1 no  such\0", out.len) == 0, "report encoding, CR LF become spaces");
	check(jobs_report_parse(out.s, out.len, &r, &used) == 1 && used == out.len && r.kind == 'R' &&
	      r.jobid == 3 && r.msgid == 4567 && r.index == 1 && r.status == 'D' &&
	      strcmp(r.text, "550 5.1.1 no  such") == 0, "report decodes");
	for (i = 0; i < out.len; i++)
		if (jobs_report_parse(out.s, i, &r, &used) != 0) all_partial = 0;
	check(all_partial, "every prefix of a report is incomplete");
	out.len = 0;
	jobs_end(&out, 3);
	check(jobs_report_parse(out.s, out.len, &r, &used) == 1 && r.kind == 'E' && r.jobid == 3 && used == 3, "end decodes");
	check(jobs_report_parse(B("R1\0\0\0K\0"), &r, &used) == JOBS_BAD, "empty msgid");
	check(jobs_report_parse(B("R1\0002\0003\0Q\0"), &r, &used) == JOBS_BAD, "bad status");
	check(jobs_report_parse(B("R1\0002\0003\0\0"), &r, &used) == JOBS_BAD, "empty status");
	check(jobs_report_parse(B("E\0"), &r, &used) == JOBS_BAD, "end without jobid");
	check(jobs_report_parse(B("X1\0"), &r, &used) == JOBS_BAD, "unknown kind");
	out.len = 0;
	{
		char long_text[3000];
		memset(long_text, 'x', sizeof long_text);
		jobs_report(&out, 1, 2, 0, JOBS_TEMPORARY, long_text, sizeof long_text);
		check(jobs_report_parse(out.s, out.len, &r, &used) == 1 && r.text_len == JOBS_TEXT_MAX, "long text is cut");
	}
	str_free(&out);
}

int main(void)
{
	test_jobs();
	test_reports();
	return failed;
}
