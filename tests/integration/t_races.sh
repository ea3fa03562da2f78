# Races between processes on one lower file (issue "Reliability"): the
# kernel serialises them on the inode, so each operation takes effect once
# or fails.  Here changers lock the upper directory (core/lock.c) and look
# again before they act.  Each trial compares the outcome with the set of
# outcomes the kernel allows; the counts are small enough for CI, and
# OVERLAY_RACE_RUNS raises them.
# shellcheck shell=bash disable=SC2016,SC2034

RACE_RUNS=${OVERLAY_RACE_RUNS:-10}

# race_trial SCRIPT: a fresh lower holding one 2 MB file f and a fresh
# upper; SCRIPT runs in the lower under overlay-run, with $0 the test's
# directory, where a fifo starts both racers at once.
race_trial() {
	rm -rf "$L" "$U"
	mkdir -p "$L"
	head -c 2000000 /dev/urandom >"$L/f"
	run_ovl -C "$L" --no-verify --upper "$U" --lower "$L" -- sh -c "$1" "$T"
}

# Two `mv f g` of one 2 MB lower file at once, the first then appending to
# g: exactly one mv may succeed, f must be gone, and the append must stay.
test_race_two_renames_of_one_lower_file() {
	local i bad=0
	for i in $(seq "$RACE_RUNS"); do
		race_trial '
			F=$0/fifo; mkfifo "$F"
			(timeout 5 cat "$F" >/dev/null; mv f g 2>/dev/null && echo A >>g && : >"$0/ok1") &
			(timeout 5 cat "$F" >/dev/null; mv f g 2>/dev/null && : >"$0/ok2") &
			sleep .1; : >"$F"; wait; rm -f "$F"
			n=0; [ -e "$0/ok1" ] && n=$((n + 1)); [ -e "$0/ok2" ] && n=$((n + 1))
			if [ $n != 1 ] || [ -e f ] || { [ -e "$0/ok1" ] && [ "$(tail -c 2 g)" != A ]; }; then
				echo "bad: $n renames succeeded, f $( [ -e f ] && echo exists || echo gone)"
			fi
			rm -f "$0/ok1" "$0/ok2"'
		[[ -n $OUT ]] && { bad=$((bad + 1)); echo "trial $i: $OUT"; }
	done
	expect_eq "trials with a lost append, a name back or two renames" 0 "$bad"
}

# `rm f` racing an append without O_CREAT: both may succeed only in the
# order append-then-rm, so f must never exist afterwards.
test_race_unlink_against_append() {
	local i bad=0
	for i in $(seq "$RACE_RUNS"); do
		race_trial '
			F=$0/fifo; mkfifo "$F"
			(timeout 5 cat "$F" >/dev/null; rm f) &
			(timeout 5 cat "$F" >/dev/null; echo A | dd of=f oflag=append conv=notrunc,nocreat status=none 2>/dev/null) &
			sleep .1; : >"$F"; wait; rm -f "$F"
			[ -e f ] && echo "bad: f exists after rm succeeded"'
		[[ -n $OUT ]] && { bad=$((bad + 1)); echo "trial $i: $OUT"; }
	done
	expect_eq "trials where the removed name came back" 0 "$bad"
}

# 8 processes x 30 renames among 100 lower files of distinct content: no
# content may end up at two names, and none may be lost except by being
# renamed over.
test_race_rename_storm() {
	local i
	for i in $(seq 0 99); do { echo "content $i"; head -c 300000 /dev/zero; } >"$L/r$i"; done
	freeze "$L"
	run_ovl -C "$L" --no-verify --upper "$U" --lower "$L" -- python3 -c '
import os, random, sys
kids = []
for w in range(8):
    pid = os.fork()
    if pid == 0:
        rnd = random.Random(w)
        for k in range(30):
            a, b = rnd.randrange(100), rnd.randrange(100)
            try: os.rename("r%d" % a, "r%d" % b)
            except OSError: pass
        os._exit(0)
    kids.append(pid)
for p in kids: os.waitpid(p, 0)
seen = {}
for n in os.listdir("."):
    c = open(n, "rb").readline()
    seen.setdefault(c, []).append(n)
dups = {c: ns for c, ns in seen.items() if len(ns) > 1}
print("names", len(os.listdir(".")), "duplicated contents", len(dups))
'
	expect_rc 0
	[[ $OUT == *"duplicated contents 0" ]] || fail "a content at two names: $OUT"
}

# Readers that list a merged directory and stat its names while another
# process removes and creates names there: once the writer is done, every
# answer of the readers (which have cached what their listings taught)
# must be the truth that a new process sees.  A listing used to stamp what
# it taught with counters read after its steadiness check, so a change
# landing in between was cached as never having happened.
test_race_listing_against_changes() {
	local i
	for i in $(seq 0 199); do echo "$i" >"$L/d_$i"; done
	run_ovl -C "$L" --no-verify --upper "$U" --lower "$L" -- python3 -c '
import os, threading, subprocess, sys
names = ["d_%d" % i for i in range(200)] + ["w_%d" % i for i in range(200)]
done = threading.Event()
def reader():
    while not done.is_set():
        for n in os.listdir("."):
            try: os.lstat(n)
            except OSError: pass
        for n in names[::7]:
            try: os.lstat(n)
            except OSError: pass
writer = subprocess.Popen(["sh", "-c", "for i in $(seq 0 199); do rm d_$i; echo $i > w_$i; done"])
ts = [threading.Thread(target=reader) for _ in range(3)]
[t.start() for t in ts]
writer.wait()
done.set()
[t.join() for t in ts]
mine = {n for n in names if os.path.lexists(n)}
fresh = set(subprocess.run(["ls"], capture_output=True, text=True).stdout.split()) & set(names)
print("wrong answers", len(mine ^ fresh), sorted(mine ^ fresh)[:5])
'
	expect_rc 0
	expect_out "wrong answers 0 []"
}
