# Sourced by the vendor_*.sh scripts: fetch one npm package tarball and check it
# against the registry's published integrity hash before anything uses it.

command -v npm >/dev/null || {
    echo "npm is missing: install Node.js 18 or newer (Debian: apt-get install nodejs npm)." >&2
    exit 1
}

# fetch_verified PACKAGE INTEGRITY DIR FILE...: unpack FILE... of PACKAGE into DIR/package
fetch_verified() {
    local package=$1 integrity=$2 dir=$3
    shift 3
    local tarball actual
    tarball=$(cd "$dir" && npm pack --silent "$package")
    actual="sha512-$(openssl dgst -sha512 -binary "$dir/$tarball" | base64 -w0)"
    if [ "$actual" != "$integrity" ]; then
        echo "$package: integrity mismatch (got $actual)" >&2
        exit 1
    fi
    tar -xzf "$dir/$tarball" -C "$dir" "$@"
}
