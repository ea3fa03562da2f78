# The matrix, git: a repository whose .git is in a lower (its work tree
# split over two lowers, an untracked file and a deleted tracked file in the
# upper) used through init, add, commit, status, checkout -b, stash, gc; on
# liboverlay and on the kernel's overlayfs (matrix_run in lib.sh).
# shellcheck shell=bash disable=SC2016,SC2034

# Fixed identities, dates and configuration: the objects, and so the
# hashes, are the same in every run.
git_env() {
	command -v git >/dev/null || skip "git is not installed"
	export GIT_CONFIG_GLOBAL=$T/gitconfig GIT_CONFIG_NOSYSTEM=1
	export GIT_AUTHOR_NAME=Matrix GIT_AUTHOR_EMAIL=matrix@example.org GIT_AUTHOR_DATE='@1500000000 +0000'
	export GIT_COMMITTER_NAME=Matrix GIT_COMMITTER_EMAIL=matrix@example.org GIT_COMMITTER_DATE='@1500000000 +0000'
	cat >"$GIT_CONFIG_GLOBAL" <<'EOF'
[init]
	defaultBranch = main
[gc]
	autoDetach = false
[pack]
	threads = 1
[advice]
	detachedHead = false
EOF
}

# repo/ with two commits and a tag: .git, src/ and README in the first
# lower, docs/ in the second; the upper has an untracked notes.txt and a
# whiteout of the tracked src/util.c.
git_layers() {
	matrix_setup
	git_env
	local r=$T/build/repo
	put "$r/README" "readme"
	put "$r/src/main.c" "int main(void) { return 0; }"
	put "$r/src/util.c" "int util(void) { return 1; }"
	put "$r/docs/guide.txt" "guide"
	(
		cd "$r" && git init -q && git add . && git commit -q -m first &&
			echo "more" >>docs/guide.txt && git commit -q -am second && git tag v1
	) || fail "cannot build the repository"
	mkdir -p "$L2/repo"
	mv "$r/docs" "$L2/repo/"
	cp -a "$r" "$L/"
	put "$U/repo/notes.txt" "notes"
	matrix_whiteout "$U/repo/src/util.c"
}

# .git/index is left out of the comparison of contents: it records the
# st_dev, st_ino and ctime of the work tree's files, which differ between
# any two trees; `git ls-files -s` compares what it says.
test_matrix_git_workflow() {
	git_layers
	MATRIX_SKIP='repo/\.git/index'
	matrix_run 'cd repo && git status --short && git log --oneline --all --decorate && git ls-files -s
		echo change >> README && git add README && git commit -q -m "edit readme" && git log --oneline -1
		git checkout -q -b feature && echo f > src/feature.c && git add src/feature.c && git commit -q -m feature
		git checkout -q main && ls src && git status --short && git branch --list
		echo wip >> docs/guide.txt && git stash -q && git status --short && cat docs/guide.txt && git stash list
		git stash pop -q && git status --short && git diff --stat
		git add -A && git commit -q -m all && git log --oneline --graph --all && git ls-files -s' <<'EOF'
 D src/util.c
?? notes.txt
2fea9a4 (HEAD -> main, tag: v1) second
5192156 first
100644 8178c76d627cade75005b40711b92f4177bc6cfc 0	README
100644 fb09d0f1c37c8ef4c1f23c1d8c8416f80ca77c4f 0	docs/guide.txt
100644 78f2de106c92b0d60772bd5aa6c1e6da7bf71005 0	src/main.c
100644 6e165dd1f87224fbebce9b84315b6f840f18569b 0	src/util.c
62a64f3 edit readme
main.c
 D src/util.c
?? notes.txt
  feature
* main
?? notes.txt
guide
more
stash@{0}: WIP on main: 62a64f3 edit readme
 M docs/guide.txt
 D src/util.c
?? notes.txt
 docs/guide.txt | 1 +
 src/util.c     | 1 -
 2 files changed, 1 insertion(+), 1 deletion(-)
* fc04ced feature
| * 3abd2df all
|/  
* 62a64f3 edit readme
* 2fea9a4 second
* 5192156 first
100644 c68c3a94f183e5b3e1bd50509e7a395360d4d7ec 0	README
100644 5e193c98bedaf1ceb1bfbe7651120e9371bc6ec4 0	docs/guide.txt
100644 bfa655111293037a5564088d1a9bbca4cbcf446b 0	notes.txt
100644 78f2de106c92b0d60772bd5aa6c1e6da7bf71005 0	src/main.c
EOF
}

test_matrix_git_gc() {
	git_layers
	MATRIX_SKIP='repo/\.git/index'
	matrix_run 'cd repo && git add -A && git commit -q -m all && git count-objects | sed "s/, .*//"
		git gc -q && git count-objects -v | grep -v size && find .git/objects -type f | sort
		git fsck --no-progress --strict && git log --oneline && git cat-file -p HEAD: && git verify-pack -v .git/objects/pack/*.idx | tail -2' <<'EOF'
16 objects
count: 0
in-pack: 16
packs: 1
prune-packable: 0
garbage: 0
.git/objects/info/commit-graph
.git/objects/info/packs
.git/objects/pack/pack-c59de614fcf5380ef312fb47af6988629c01cdf2.idx
.git/objects/pack/pack-c59de614fcf5380ef312fb47af6988629c01cdf2.pack
8deca7b all
2fea9a4 second
5192156 first
100644 blob 8178c76d627cade75005b40711b92f4177bc6cfc	README
040000 tree ecbebefc92063c81762f04a687e73b9a500a3c93	docs
100644 blob bfa655111293037a5564088d1a9bbca4cbcf446b	notes.txt
040000 tree ed46dd19f6204c92947780231982716d4016b9bb	src
non delta: 16 objects
.git/objects/pack/pack-c59de614fcf5380ef312fb47af6988629c01cdf2.pack: ok
EOF
}

test_matrix_git_init() {
	git_layers
	MATRIX_SKIP='.*/\.git/index'
	matrix_run 'git init -q new && cd new && echo x > x && mkdir d && echo y > d/y && git add . && git commit -q -m init
		git log --oneline && git status --short && git checkout -q -b b2 && git rm -q x && git commit -q -m rm && ls -A
		cd "$MNT/repo/docs" && git init -q && git status --short | head -3; git rev-parse --show-toplevel' <<'EOF'
f535ebc init
.git
d
?? guide.txt
@T@/lower/repo/docs
EOF
}
