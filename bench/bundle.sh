#!/bin/bash
# Packs the release build into one directory that runs on another x86-64
# Linux machine without installing anything: the majlis binary, jq, the
# benchmarks, every shared library they load (NSS's dlopen()ed modules too,
# for bench_srtp_bench's libsrtp2) and the dynamic loader, with wrappers
# that use them. For benchmarking on a bigger box.
#
#   bench/bundle.sh DIR        then, there:  DIR/majlis serve ...  DIR/jq ...
set -eu
cd "$(dirname "$0")/.."
dir=${1:?usage: bench/bundle.sh DIR}
bin=build/release/majlis
[ -x "$bin" ] || { echo "build it first: make build" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir/lib" "$dir/libexec"
cp "$bin" "$dir/libexec/majlis"
cp "$(command -v jq)" "$dir/libexec/jq"
tools="majlis jq"
for b in build/release/bench_*; do
    [ -x "$b" ] && cp "$b" "$dir/libexec/" && tools="$tools $(basename "$b")"
done
libs() { ldd "$1" | awk '/=> \// {print $3} /^\t\/lib.*ld-linux/ {print $1}'; }
multiarch=$(dirname "$(ldd "$bin" | awk '/libc\.so/ {print $3}')")
{
    for t in "$dir"/libexec/*; do libs "$t"; done
    # NSS loads its crypto modules at run time, from its own directory.
    for m in libsoftokn3.so libfreeblpriv3.so libfreebl3.so libnssckbi.so; do
        [ -e "$multiarch/$m" ] && { echo "$multiarch/$m"; libs "$multiarch/$m"; }
        [ -e "$multiarch/nss/$m" ] && { echo "$multiarch/nss/$m"; libs "$multiarch/nss/$m"; }
    done
} | sort -u | while read -r f; do cp -L "$f" "$dir/lib/"; done
loader=$(ldd "$bin" | awk '/ld-linux/ {print $1}')
for tool in $tools; do
    cat > "$dir/$tool" <<WRAP
#!/bin/sh
here=\$(dirname "\$(readlink -f "\$0")")
exec "\$here/lib/$(basename "$loader")" --library-path "\$here/lib" "\$here/libexec/$tool" "\$@"
WRAP
    chmod +x "$dir/$tool"
done
du -sh "$dir"
