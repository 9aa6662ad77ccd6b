"""The workloads of `make bench` (tests/bench/run; doc/performance.md).

Run by tests/bench/run with /usr/bin/python3 and one argument, a JSON file
describing the MTAs it started (tern, and Postfix with VS=postfix): their
SMTP port, a local recipient and its Maildir, their cgroups, their
sendmail command. For each repetition, each workload runs against each MTA
in turn (the order alternates between repetitions), and the medians over
repetitions are printed, with the ratio tern/Postfix of each repetition's
pair (its median too). Nothing here is a test: it prints numbers.

Workloads:
  A1, A20  SMTP -> Maildir of a local user, 1 and 20 connections at once,
           one message per connection
  B        relay: messages of 10 recipients to a sink (smtp-sink)
  Cseq     sendmail, one call after the other
  Cpar     sendmail, 8 callers at once
  PSS      memory (proportional set size) per held SMTP session
Figures: msgs/s (first message sent to last delivered, or for C the
callers' rate), CPU ms per message of every process of the MTA (its
daemons in one cgroup, the sendmail calls in another; not the client, not
the sink), and from a separate run under strace -f: fsyncs, forks, execs
and opens per message (and messages per outgoing connection for B).
"""
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

cfg = json.load(open(sys.argv[1]))
MSG = open(cfg["msgfile"], "rb").read()
SYSCALLS = {
    "fsync": "fsyncs", "fdatasync": "fsyncs", "sync_file_range": "fsyncs",
    "syncfs": "fsyncs", "sync": "fsyncs",
    "fork": "forks", "vfork": "forks", "clone": "forks", "clone3": "forks",
    "execve": "execs", "execveat": "execs",
    "open": "opens", "openat": "opens", "openat2": "opens", "creat": "opens",
    "connect": "connects",
}
STRACE_SET = ",".join(SYSCALLS)


def log(*a):
    print("bench:", *a, file=sys.stderr, flush=True)


# --- cgroups and processes ---------------------------------------------------

def cpu_ns(cg):
    if cfg["cg_kind"] == "v1":
        return int(open(cg + "/cpuacct.usage").read())
    for line in open(cg + "/cpu.stat"):
        k, v = line.split()
        if k == "usage_usec":
            return int(v) * 1000
    return 0


def cg_pids(cg):
    return [int(p) for p in open(cg + "/cgroup.procs").read().split()]


def pss_kb(pid):
    try:
        for line in open("/proc/%d/smaps_rollup" % pid):
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# --- waiting -------------------------------------------------------------

def count_files(d):
    try:
        return sum(1 for e in os.scandir(d) if e.is_file())
    except OSError:
        return 0


def queue_empty(mta):
    for d in mta["queue_dirs"]:
        for _root, _dirs, files in os.walk(d):
            if files:
                return False
    return True


def wait_until(cond, what, secs=300):
    end = time.time() + secs
    while not cond():
        if time.time() > end:
            raise SystemExit("bench: timed out waiting for " + what)
        time.sleep(0.01)


def clear_maildir(mta):
    for sub in ("new", "cur", "tmp"):
        d = os.path.join(mta["maildir"], sub)
        for e in os.scandir(d):
            os.unlink(e.path)


# --- clients ---------------------------------------------------------------

def smtp_send(mta, n, conc, rcpts):
    """n messages, one per connection, conc connections at once."""
    to = mta["relay_rcpt"] if rcpts > 1 else mta["rcpt"]
    if cfg["client"] == "smtp-source":
        cmd = ["smtp-source", "-s", str(conc), "-m", str(n), "-F", cfg["msgfile"],
               "-f", "bench@example.org", "-t", to, "-M", "client.bench.test"]
        if rcpts > 1:
            cmd += ["-r", str(rcpts)]
        subprocess.run(cmd + ["127.0.0.1:%d" % mta["port"]], check=True,
                       stdout=subprocess.DEVNULL)
        return
    import smtplib
    if rcpts > 1:
        local, dom = to.split("@")
        rl = ["%d%s@%s" % (i, local, dom) for i in range(rcpts)]
    else:
        rl = [to]
    left = [n]
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            s = smtplib.SMTP("127.0.0.1", mta["port"], timeout=120)
            s.sendmail("bench@example.org", rl, MSG.replace(b"\n", b"\r\n"))
            s.quit()
    ts = [threading.Thread(target=worker) for _ in range(conc)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def sendmail_calls(mta, n, conc, strace_dir=None):
    """n sendmail calls, conc callers at once. Each call first moves itself
    into the MTA's injector cgroup (a sh that then execs sendmail), so its
    CPU is counted and the caller's is not."""
    left = [n]
    lock = threading.Lock()
    errors = []

    def worker(k):
        i = 0
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            cmd = mta["sendmail"]
            if strace_dir:
                cmd = ["strace", "-f", "-qq", "-e", "trace=" + STRACE_SET,
                       "-o", "%s/c.%d.%d" % (strace_dir, k, i)] + cmd
            else:
                cmd = ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"',
                       mta["cg_inj"] + "/cgroup.procs"] + cmd
            i += 1
            r = subprocess.run(cmd, input=MSG, stdout=subprocess.DEVNULL)
            if r.returncode != 0:
                errors.append(r.returncode)
    ts = [threading.Thread(target=worker, args=(k,)) for k in range(conc)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise SystemExit("bench: %d sendmail calls failed (exit %s)" % (len(errors), errors[0]))


# --- one measured run --------------------------------------------------------

def run_smtp(mta, n, conc, rcpts=1):
    clear_maildir(mta)
    sink0 = sink_count()
    c0 = cpu_ns(mta["cg"])
    t0 = time.time()
    smtp_send(mta, n, conc, rcpts)
    if rcpts == 1:
        wait_until(lambda: count_files(mta["maildir"] + "/new") >= n, mta["name"] + " deliveries")
    t1 = time.time()
    # Relayed: done when the queue is empty (the sink may count a message
    # split into several transactions more than once).
    wait_until(lambda: queue_empty(mta), mta["name"] + "'s queue to empty")
    if rcpts > 1:
        t1 = time.time()
        if cfg["sink"]["counter_file"] and sink_count() - sink0 < n:
            raise SystemExit("bench: the sink got %d of %d messages" % (sink_count() - sink0, n))
    c1 = cpu_ns(mta["cg"])
    return {"msgs/s": n / (t1 - t0), "CPU ms/msg": (c1 - c0) / n / 1e6}


def run_sendmail(mta, n, conc):
    clear_maildir(mta)
    c0, i0 = cpu_ns(mta["cg"]), cpu_ns(mta["cg_inj"])
    t0 = time.time()
    sendmail_calls(mta, n, conc)
    t1 = time.time()
    wait_until(lambda: count_files(mta["maildir"] + "/new") >= n, mta["name"] + " deliveries")
    wait_until(lambda: queue_empty(mta), mta["name"] + "'s queue to empty")
    c1, i1 = cpu_ns(mta["cg"]), cpu_ns(mta["cg_inj"])
    return {"msgs/s": n / (t1 - t0), "CPU ms/msg": (c1 - c0 + i1 - i0) / n / 1e6,
            "sendmail CPU ms/call": (i1 - i0) / n / 1e6}


def sink_count():
    """Transactions the sink has completed (smtp-sink -c's mesg=)."""
    try:
        data = open(cfg["sink"]["counter_file"], "rb").read()
    except OSError:
        return 0
    m = re.findall(rb"mesg=(\d+)", data[-200:])
    return int(m[-1]) if m else 0


def session_pids(port, client_ports):
    """The server-side processes holding these TCP sessions, and their
    descendants (a tls-server's smtpd-recv)."""
    inodes = set()
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        f = line.split()
        lport = int(f[1].split(":")[1], 16)
        rport = int(f[2].split(":")[1], 16)
        if lport == port and rport in client_ports:
            inodes.add("socket:[%s]" % f[9])
    holders, parent = set(), {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            parent[int(p)] = int(open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()[1])
            for fd in os.listdir("/proc/%s/fd" % p):
                if os.readlink("/proc/%s/fd/%s" % (p, fd)) in inodes:
                    holders.add(int(p))
                    break
        except OSError:
            pass
    out = set(holders)
    grew = True
    while grew:
        grew = False
        for c, pp in parent.items():
            if pp in out and c not in out:
                out.add(c)
                grew = True
    return out


def run_pss(mta, k):
    socks = []
    for _ in range(k):
        s = socket.create_connection(("127.0.0.1", mta["port"]), timeout=60)
        f = s.makefile("rb")
        for cmd in (None, b"EHLO client.bench.test\r\n"):
            if cmd:
                s.sendall(cmd)
            while True:
                line = f.readline()
                if not line or line[3:4] != b"-":
                    break
        socks.append((s, f))
    time.sleep(0.5)
    ports = {s.getsockname()[1] for s, f in socks}
    pids = session_pids(mta["port"], ports)
    total = sum(pss_kb(p) for p in pids)
    for s, f in socks:
        try:
            s.sendall(b"QUIT\r\n")
            f.readline()
        except OSError:
            pass
        s.close()
    return {"PSS KB/session": total / k, "processes/session": len(pids) / k}


# --- the strace run ----------------------------------------------------------

def count_strace(paths, sink_port):
    counts = {}
    for path in paths:
        for line in open(path, errors="replace"):
            m = re.match(r"\d+\s+(\w+)\(", line)
            if not m or m.group(1) not in SYSCALLS:
                continue
            name = m.group(1)
            if name.startswith("clone") and "CLONE_THREAD" in line:
                continue
            kind = SYSCALLS[name]
            if kind == "connects" and "htons(%d)" % sink_port not in line:
                continue
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def traced(mta, tag, fn, n):
    """Run fn() with every process of the MTA under strace -f."""
    d = cfg["root"] + "/strace"
    os.makedirs(d, exist_ok=True)
    out = "%s/%s.%s" % (d, mta["name"], tag)
    for e in os.listdir(d):
        if e.startswith("c."):
            os.unlink(os.path.join(d, e))
    args = []
    for p in cg_pids(mta["cg"]):
        args += ["-p", str(p)]
    st = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=" + STRACE_SET, "-o", out] + args,
                          stderr=subprocess.DEVNULL)
    time.sleep(2)
    fn(d)
    time.sleep(1)
    st.send_signal(signal.SIGINT)
    st.wait()
    paths = [out] + [os.path.join(d, e) for e in os.listdir(d) if e.startswith("c.")]
    c = count_strace(paths, cfg["sink"]["port"])
    r = {k + "/msg": c.get(k, 0) / n for k in ("fsyncs", "forks", "execs", "opens")}
    if tag == "B":
        r["msgs/connection"] = n / c["connects"] if c.get("connects") else float("nan")
    return r


def strace_runs(mta):
    n = cfg["n"]["strace"]
    res = {}

    def a(_d):
        clear_maildir(mta)
        smtp_send(mta, n, 1, 1)
        wait_until(lambda: count_files(mta["maildir"] + "/new") >= n, "traced deliveries")
        wait_until(lambda: queue_empty(mta), "the traced queue to empty")

    def b(_d):
        smtp_send(mta, n, 4, 10)
        wait_until(lambda: queue_empty(mta), "the traced queue to empty")

    def c(d):
        clear_maildir(mta)
        sendmail_calls(mta, n, 1, strace_dir=d)
        wait_until(lambda: count_files(mta["maildir"] + "/new") >= n, "traced deliveries")
        wait_until(lambda: queue_empty(mta), "the traced queue to empty")
    res["A1"] = traced(mta, "A1", a, n)
    res["B"] = traced(mta, "B", b, n)
    res["Cseq"] = traced(mta, "Cseq", c, n)
    return res


# --- the whole run -------------------------------------------------------------

WORKLOADS = [
    ("A1", "A: SMTP -> Maildir, 1 connection at a time", lambda m: run_smtp(m, cfg["n"]["A1"], 1)),
    ("A20", "A: SMTP -> Maildir, 20 connections at once", lambda m: run_smtp(m, cfg["n"]["A20"], 20)),
    ("B", "B: relay, 10 recipients a message, to a sink", lambda m: run_smtp(m, cfg["n"]["B"], 4, 10)),
    ("Cseq", "C: sendmail, sequential", lambda m: run_sendmail(m, cfg["n"]["C"], 1)),
    ("Cpar", "C: sendmail, 8 callers at once", lambda m: run_sendmail(m, cfg["n"]["C"], 8)),
    ("PSS", "memory per held SMTP session", lambda m: run_pss(m, cfg["n"]["sessions"])),
]


def main():
    mtas = cfg["mtas"]
    names = [m["name"] for m in mtas]
    only = set(cfg.get("workloads") or [w[0] for w in WORKLOADS])
    results = {}   # (workload, mta) -> [dict per repetition]
    for rep in range(cfg["reps"]):
        order = mtas if rep % 2 == 0 else list(reversed(mtas))
        for key, title, fn in WORKLOADS:
            if key not in only:
                continue
            for m in order:
                r = fn(m)
                results.setdefault((key, m["name"]), []).append(r)
                log("rep %d %-4s %-7s %s" % (rep + 1, key, m["name"],
                    " ".join("%s=%.3f" % kv for kv in r.items())))
    traces = {}
    if cfg["strace"]:
        for m in mtas:
            traces[m["name"]] = strace_runs(m)
            log("strace", m["name"], json.dumps(traces[m["name"]]))
    report(names, results, traces)


def fmt(v):
    if v != v:
        return "-"
    return "%.0f" % v if abs(v) >= 100 else "%.2f" % v if abs(v) >= 1 else "%.3f" % v


def report(names, results, traces):
    lines = []
    head = "| workload | figure | " + " | ".join(names)
    if len(names) == 2:
        head += " | %s/%s" % (names[0], names[1])
    lines.append(head + " |")
    lines.append("|" + "---|" * (head.count("|")))
    for key, title, _fn in WORKLOADS:
        if (key, names[0]) not in results:
            continue
        for fig in results[(key, names[0])][0]:
            row = "| %s | %s |" % (title, fig)
            for n in names:
                row += " %s |" % fmt(statistics.median(r[fig] for r in results[(key, n)]))
            if len(names) == 2:
                a, b = results[(key, names[0])], results[(key, names[1])]
                ratios = [x[fig] / y[fig] for x, y in zip(a, b) if y[fig]]
                row += " %.2f× |" % statistics.median(ratios) if ratios else " - |"
            lines.append(row)
        if key in ("A1", "B", "Cseq") and traces:
            for fig in traces[names[0]][key]:
                row = "| %s | %s (strace) |" % (title, fig)
                for n in names:
                    row += " %s |" % fmt(traces[n][key][fig])
                if len(names) == 2:
                    x, y = traces[names[0]][key][fig], traces[names[1]][key][fig]
                    row += " %.2f× |" % (x / y) if y else " - |"
                lines.append(row)
    text = "\n".join(lines)
    print(text)
    with open(cfg["root"] + "/results.md", "w") as f:
        f.write(text + "\n")
        f.write("\n%d repetitions, medians; %s\n" % (cfg["reps"], json.dumps(cfg["n"])))
    with open(cfg["root"] + "/results.json", "w") as f:
        json.dump({"runs": {"%s %s" % k: v for k, v in results.items()}, "strace": traces,
                   "n": cfg["n"]}, f, indent=1)


main()
