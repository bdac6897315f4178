#!/bin/sh
# install_smoke.sh BUILD_DIR CC [FLAGS...] - installs the build into a
# scratch prefix and uses it as an application would: examples/embed.c
# compiled and linked by pkg-config against the installed libpdp, an
# account compiled by the installed iamc and decided by the embedded
# library, and the installed pdpd started. Every installed header must
# come with its library: the include directory holds pdp.h alone.
set -eu
fail() { echo "install_smoke: $*" >&2; exit 1; }
build=$1 cc=$2
shift 2
tmp=$(mktemp -d /tmp/install-smoke.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/usr" >"$tmp/install.log" ||
	{ cat "$tmp/install.log"; fail "cmake --install failed"; }
for f in bin/pdpd bin/iamc bin/iam bin/sts bin/cloudtrail; do
	[ -x "$tmp/usr/$f" ] || fail "$f not installed"
done
[ "$(ls "$tmp/usr/include")" = "pdp.h" ] ||
	fail "installed headers: $(ls "$tmp/usr/include" | tr '\n' ' '), want pdp.h alone"
lib=$(ls -d "$tmp"/usr/lib*/pkgconfig | head -1)
export PKG_CONFIG_PATH="$lib"
# shellcheck disable=SC2046 # pkg-config's words are meant to split
"$cc" "$@" $(pkg-config --cflags pdp) examples/embed.c \
    $(pkg-config --libs pdp) -Wl,-rpath,"${lib%/pkgconfig}" -o "$tmp/embed" ||
	fail "examples/embed.c did not build against the installed libpdp"
"$tmp/usr/bin/iamc" compile examples/account/account.json -o "$tmp/acme.pdpb" \
    >/dev/null || fail "the installed iamc did not compile the example account"
out=$("$tmp/embed" "$tmp/acme.pdpb" arn:aws:iam::111111111111:user/audit/auditor \
    s3:GetObject arn:aws:s3:::acme-prod-data/q1.csv) || fail "embed failed: $out"
echo "$out"
echo "$out" | grep -q '^Allow (allowed by an identity-based policy) at revision 7$' ||
	fail "the embedded library did not allow the auditor"
out=$("$tmp/embed" "$tmp/acme.pdpb" arn:aws:iam::111111111111:user/audit/auditor \
    s3:DeleteObject arn:aws:s3:::acme-prod-data/q1.csv) || true
echo "$out" | grep -q '^ImplicitDeny' || fail "expected ImplicitDeny, got: $out"
"$tmp/usr/bin/pdpd" --help >/dev/null || fail "the installed pdpd did not run"
echo "install_smoke: ok"
