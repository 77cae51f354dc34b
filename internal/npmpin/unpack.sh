# unpack.sh: sourced by the fetch.sh scripts that derive small test data
# from pinned npm packages (internal/githubsim/testdata/conformance,
# deploy/testdata/k8s-schema). The caller sets $tmp, a scratch directory.
#
# unpack DIR SPEC INTEGRITY: `npm pack` SPEC into $tmp, check the tarball
# against the pinned sha512 INTEGRITY (as `npm view SPEC dist.integrity`
# prints it), and unpack it into $tmp/DIR. A mismatch stops the script.
unpack() {
  local dir="$1" spec="$2" want="$3" tarball got
  tarball="$(cd "$tmp" && npm pack --silent "$spec" 2>/dev/null | tail -n 1)"
  got="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tmp/$tarball")"
  if [[ "$got" != "$want" ]]; then
    echo "fetch.sh: $spec has integrity $got, pinned $want" >&2
    exit 1
  fi
  mkdir -p "$tmp/$dir"
  tar -xzf "$tmp/$tarball" -C "$tmp/$dir"
}
