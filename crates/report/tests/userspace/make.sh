#!/bin/bash
# Makes the fixtures of tests/userspace.rs: compiles the crashing programs of programs/ with
# real toolchains, runs them and keeps what they print (stdout and stderr, then the exit status),
# each file headed by `#` lines that say which toolchain made it and how.
#
#   crates/report/tests/userspace/make.sh [NAME...]     # only the fixtures named, or all
#
# Toolchains (Debian 12 packages, as used for the committed fixtures):
#   RUSTC       rustc of the machine (rustup)                      default: rustc
#   RUSTC_OLD   Debian's rustc 1.63, unpacked (apt-get download rustc libstd-rust-1.63
#               libstd-rust-dev; dpkg -x each into one directory)  default: /tmp/rx/r163/usr/bin/rustc
#   RUSTC_NEW   Debian's rustc-web 1.96, unpacked the same way      default: /tmp/rx/r196/usr/bin/rustc
#   GO_<v>      /usr/lib/go-<v>/bin/go: golang-1.19-go (bookworm), golang-1.21-go and
#               golang-1.23-go (bookworm-backports)
#   gcc-11, gcc-12, g++-12, clang-19, clang-22 (+ libclang-rt-N-dev, llvm-N for the
#   symbolizer), musl-gcc (musl-tools)
# A fixture whose toolchain is missing is left as it is.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
P=$HERE/programs
W=${WORK:-/tmp/culprit-fixtures}
RUSTC=${RUSTC:-rustc}
RUSTC_OLD=${RUSTC_OLD:-/tmp/rx/r163/usr/bin/rustc}
RUSTC_NEW=${RUSTC_NEW:-/tmp/rx/r196/usr/bin/rustc}
ONLY=" $* "
mkdir -p "$W"

want() { [ "$ONLY" = "  " ] || [[ "$ONLY" == *" $1 "* ]]; }

# A rustc unpacked from a .deb needs its own librustc_driver.
rustc_env() { echo "LD_LIBRARY_PATH=$(dirname "$(dirname "$1")")/lib/x86_64-linux-gnu"; }

version() { # TOOL [ENV...]: the first line of TOOL --version
	local tool=$1; shift
	env "$@" "$tool" --version 2>/dev/null | head -1
}

# fixture NAME TOOLCHAIN HOW -- COMMAND...: run COMMAND in $W, keep its output as NAME.txt.
fixture() {
	local name=$1 toolchain=$2 how=$3; shift 4
	want "$name" || return 0
	local out status
	out=$(cd "$W" && env "$@" 2>&1)
	status=$?
	{
		echo "# culprit-report fixture: real output of a crashing program"
		echo "# toolchain: $toolchain"
		echo "# program: $how"
		echo "# made by tests/userspace/make.sh on $(. /etc/os-release && echo "$PRETTY_NAME") $(uname -m)"
		echo "# ---"
		printf '%s\n' "$out"
		echo "exit status $status"
	} >"$HERE/$name.txt"
	echo "made $name.txt"
}

build() { # DIR CMD...: build in $W/DIR, quietly; false when it fails
	mkdir -p "$W/$1"
	local d=$1; shift
	(cd "$W/$d" && "$@") >"$W/$d.build.log" 2>&1 || { echo "build failed in $d, see $W/$d.build.log" >&2; return 1; }
}

# ---- Rust ----
rust() { # TAG RUSTC
	local tag=$1 rc=$2 ev
	command -v "$rc" >/dev/null || { echo "no $rc: skipping rustc $tag" >&2; return 0; }
	ev=$(rustc_env "$(command -v "$rc")")
	local v; v=$(version "$rc" "$ev")
	# Sources under src/, as in a cargo package: locations read `src/index.rs:2:5`.
	mkdir -p "$W/rust-$tag/src"
	for p in index unwrap asserteq thread named overflow; do
		cp "$P/$p.rs" "$W/rust-$tag/src/" && build "rust-$tag" env "$ev" "$rc" -g -o "$p" "src/$p.rs" || return 0
	done
	cp "$P/libtest.rs" "$W/rust-$tag/src/" && build "rust-$tag" env "$ev" "$rc" -g --test -o libtest src/libtest.rs
	local b=rust-$tag
	for p in index asserteq thread named unwrap; do
		fixture "rust-$tag-$p" "$v" "$p.rs, rustc -g, RUST_BACKTRACE unset" -- -u RUST_BACKTRACE "./$b/$p"
	done
	fixture "rust-$tag-libtest" "$v" "libtest.rs, rustc -g --test, RUST_BACKTRACE unset" -- -u RUST_BACKTRACE "./$b/libtest"
	fixture "rust-$tag-overflow" "$v" "overflow.rs, rustc -g" -- -u RUST_BACKTRACE "./$b/overflow"
	fixture "rust-$tag-index-bt1" "$v" "index.rs, rustc -g, RUST_BACKTRACE=1" -- RUST_BACKTRACE=1 "./$b/index"
	fixture "rust-$tag-thread-bt1" "$v" "thread.rs, rustc -g, RUST_BACKTRACE=1" -- RUST_BACKTRACE=1 "./$b/thread"
	fixture "rust-$tag-unwrap-btfull" "$v" "unwrap.rs, rustc -g, RUST_BACKTRACE=full" -- RUST_BACKTRACE=full "./$b/unwrap"
	fixture "rust-$tag-asserteq-bt1" "$v" "asserteq.rs, rustc -g, RUST_BACKTRACE=1" -- RUST_BACKTRACE=1 "./$b/asserteq"
}
rust 1.63 "$RUSTC_OLD"
rust 1.95 "$RUSTC"
rust 1.96 "$RUSTC_NEW"

# ---- Go ----
gover() { # VERSION
	local v=$1 go=${GO:-/usr/lib/go-$1/bin/go}
	[ -x "$go" ] || { echo "no $go: skipping Go $v" >&2; return 0; }
	local tv; tv=$($go version)
	local genv=(GOCACHE="$W/gocache-$v" GOTOOLCHAIN=local GOFLAGS=-mod=mod)
	for p in index nilptr concmap deadlock generic race; do
		rm -rf "$W/go-$v-$p" && cp -r "$P/go-$p" "$W/go-$v-$p"
		local flags=(); [ $p = race ] && flags=(-race)
		build "go-$v-$p" env "${genv[@]}" "$go" build "${flags[@]}" -o prog . || return 0
		local how="go-$p/main.go, go build ${flags[*]}"
		fixture "go-$v-$p" "$tv" "$how" -- "go-$v-$p/prog"
	done
	rm -rf "$W/go-$v-gotest" && cp -r "$P/go-gotest" "$W/go-$v-gotest"
	fixture "go-$v-gotest" "$tv" "go-gotest/x_test.go, go test ." -- "${genv[@]}" sh -c "cd go-$v-gotest && $go test ."
}
gover 1.19
gover 1.21
gover 1.23

# ---- C and C++ ----
cc_fixtures() { # TAG CC [PATH_PREFIX]
	local tag=$1 cc=$2 pre=${3:-}
	command -v "$cc" >/dev/null || { echo "no $cc: skipping" >&2; return 0; }
	local v; v=$(version "$cc")
	local pe=(PATH="${pre:+$pre:}$PATH")
	local o=(-g -O0 -fno-omit-frame-pointer)
	local d=c-$tag
	mkdir -p "$W/$d"
	b() { local out=$1; shift; build "$d" env "${pe[@]}" "$cc" "${o[@]}" "$@" -o "$out"; }
	b asan-uaf -fsanitize=address "$P/uaf.c" &&
		fixture "$tag-asan-uaf" "$v" "uaf.c, $cc -g -O0 -fsanitize=address" -- "${pe[@]}" "$d/asan-uaf"
	b asan-segv -fsanitize=address "$P/segv.c" &&
		fixture "$tag-asan-segv" "$v" "segv.c, $cc -g -O0 -fsanitize=address" -- "${pe[@]}" "$d/asan-segv"
	b asan-leak -fsanitize=address "$P/leak.c" &&
		fixture "$tag-asan-leak" "$v" "leak.c, $cc -g -O0 -fsanitize=address" -- "${pe[@]}" "$d/asan-leak"
	b ubsan -fsanitize=undefined "$P/ubsan.c" && {
		fixture "$tag-ubsan" "$v" "ubsan.c, $cc -g -O0 -fsanitize=undefined" -- "${pe[@]}" "$d/ubsan"
		fixture "$tag-ubsan-stack" "$v" "ubsan.c, $cc -g -O0 -fsanitize=undefined, UBSAN_OPTIONS=print_stacktrace=1" -- "${pe[@]}" UBSAN_OPTIONS=print_stacktrace=1 "$d/ubsan"
	}
	b ubsan-shift -fsanitize=undefined "$P/ubsan_shift.c" &&
		fixture "$tag-ubsan-shift" "$v" "ubsan_shift.c, $cc -g -O0 -fsanitize=undefined" -- "${pe[@]}" "$d/ubsan-shift"
	b tsan -fsanitize=thread "$P/tsan.c" -lpthread &&
		fixture "$tag-tsan" "$v" "tsan.c, $cc -g -O0 -fsanitize=thread" -- "${pe[@]}" "$d/tsan"
	b assert "$P/assert.c" && fixture "$tag-assert" "$v" "assert.c, $cc -g -O0" -- "$d/assert"
	b dfree "$P/dfree.c" && fixture "$tag-dfree" "$v" "dfree.c, $cc -g -O0" -- "$d/dfree"
	b smash -fstack-protector-all -U_FORTIFY_SOURCE "$P/smash.c" &&
		fixture "$tag-smash" "$v" "smash.c, $cc -g -O0 -fstack-protector-all" -- "$d/smash"
	case $cc in clang*)
		b msan -fsanitize=memory "$P/msan.c" &&
			fixture "$tag-msan" "$v" "msan.c, $cc -g -O0 -fsanitize=memory" -- "${pe[@]}" "$d/msan"
		;;
	esac
}
cc_fixtures gcc-11 gcc-11
cc_fixtures gcc-12 gcc-12
cc_fixtures clang-19 clang-19 /usr/lib/llvm-19/bin
cc_fixtures clang-22 clang-22 /usr/lib/llvm-22/bin
# No symbolizer on PATH: frames are bare addresses.
if want clang-22-nosym-asan-uaf || want clang-22-nosym-tsan; then
	nosym=(ASAN_OPTIONS=symbolize=0 TSAN_OPTIONS=symbolize=0)
	fixture clang-22-nosym-asan-uaf "$(version clang-22)" "uaf.c, clang-22 -g -O0 -fsanitize=address, ASAN_OPTIONS/TSAN_OPTIONS=symbolize=0" -- "${nosym[@]}" c-clang-22/asan-uaf
	fixture clang-22-nosym-tsan "$(version clang-22)" "tsan.c, clang-22 -g -O0 -fsanitize=thread, ASAN_OPTIONS/TSAN_OPTIONS=symbolize=0" -- "${nosym[@]}" c-clang-22/tsan
fi
if command -v musl-gcc >/dev/null; then
	build c-musl musl-gcc -g -O0 "$P/assert.c" -o assert &&
		fixture musl-assert "musl-gcc ($(dpkg-query -W -f '${Package} ${Version}' musl 2>/dev/null)), $(version gcc)" "assert.c, musl-gcc -g -O0" -- c-musl/assert
fi
if command -v g++-12 >/dev/null; then
	build c-gcc-12 g++-12 -g -O0 "$P/assert_cpp.cc" -o assert_cpp &&
		fixture gcc-12-assert-cpp "$(version g++-12)" "assert_cpp.cc, g++-12 -g -O0" -- c-gcc-12/assert_cpp
fi
