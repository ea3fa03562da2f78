# overlay-run.d/reclaim.sh: remove the temporaries that killed processes
# left in an upper.  Sourced by overlay-run (before and after the command)
# and by diff (to tell leftovers from the temporaries of live operations).
#
# The library works under hidden names beside their targets, made by
# ovl_temp_name (core/copyup.c):
#   .wh..wh.TAG.PID.START.TID.N   (TAG: copyup, mkdir, rmdir, gen...)
# PID is the owner's process id and START its start time (field 22 of
# /proc/PID/stat, clock ticks since boot), so a pid given to another
# process since is recognised.  Names of older libraries lack START
# (.wh..wh.TAG.PID.TID.N): only the pid is checked.  A temporary whose
# owner is alive is left alone; one whose owner is gone is removed
# (directories, .wh..wh.mkdir.* and .wh..wh.rmdir.*, with their contents),
# and its directory keeps its times.  Anything else under a .wh..wh. name
# (the opaque marker, the library's own files, overlay-run's working
# directories) is never touched.
#
# Limit: the pid is read in overlay-run's pid namespace.  A process of
# another pid namespace (a container) writing the same upper is not seen
# as alive there: do not reclaim an upper shared with one while it runs.
# shellcheck shell=bash

# owner_alive PID [START]: the process PID exists (and started at START).
owner_alive() {
	local pid=$1 start=${2-} stat rest f
	((pid > 0)) || return 1
	if [[ -d /proc/self ]]; then
		# hidepid=: another user's process may be invisible but alive
		if [[ ! -e /proc/$pid ]]; then
			[[ $(LC_ALL=C kill -0 "$pid" 2>&1) == *"No such process"* ]] && return 1
			return 0
		fi
		[[ -n $start ]] || return 0
		stat=$(<"/proc/$pid/stat") 2>/dev/null || return 0
		rest=${stat##*) } # fields 3.. follow the last ')'
		read -r -a f <<<"$rest"
		# f[0] is field 3: the start time, field 22, is f[19]
		[[ ${f[19]-} == "$start" ]]
		return
	fi
	# no /proc: only the pid can be checked
	kill -0 "$pid" 2>/dev/null || [[ $(LC_ALL=C kill -0 "$pid" 2>&1) != *"No such process"* ]]
}

# temp_owner NAME: sets OWNER_PID and OWNER_START ("" for an old name)
# when NAME is a temporary of ovl_temp_name; fails otherwise.
temp_owner() {
	local re4='^\.wh\.\.wh\.[a-z]+\.([0-9]+)\.([0-9]+)\.[0-9]+\.[0-9]+$'
	local re3='^\.wh\.\.wh\.[a-z]+\.([0-9]+)\.[0-9]+\.[0-9]+$'
	OWNER_PID='' OWNER_START=''
	if [[ $1 =~ $re4 ]]; then
		OWNER_PID=${BASH_REMATCH[1]} OWNER_START=${BASH_REMATCH[2]}
	elif [[ $1 =~ $re3 ]]; then
		OWNER_PID=${BASH_REMATCH[1]}
	else
		return 1
	fi
	[[ ${#OWNER_PID} -lt 10 ]] # a pid, not garbage that overflows
}

# dead_temporaries UPPER: print (NUL-terminated) the path of every temporary
# in UPPER whose owner is gone, not descending into any .wh..wh. name.
dead_temporaries() {
	local p
	while IFS= read -r -d '' p; do
		temp_owner "${p##*/}" || continue
		owner_alive "$OWNER_PID" "$OWNER_START" && continue
		printf '%s\0' "$p"
	done < <(find "$1" -mindepth 1 -name '.wh..wh.*' ! -name '.wh..wh..opq' -prune -print0 2>/dev/null)
}

# reclaim UPPER...: remove the dead temporaries of each upper.  Quiet; a
# temporary that cannot be removed stays (the next run tries again).
reclaim() {
	local up p dir t
	for up; do
		[[ -d $up ]] || continue
		while IFS= read -r -d '' p; do
			dir=${p%/*}
			t=$(stat -c '%.9X %.9Y' -- "$dir" 2>/dev/null)
			rm -rf -- "$p" 2>/dev/null
			[[ -n $t ]] && touch -c -a -d "@${t% *}" -- "$dir" 2>/dev/null &&
				touch -c -m -d "@${t#* }" -- "$dir" 2>/dev/null
		done < <(dead_temporaries "$up")
	done
	return 0
}
