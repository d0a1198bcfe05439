#!/bin/sh
# Install avn-token from a GitHub release, verified against the release's SHA-256 checksum.
#
#   curl -fsSL https://github.com/avn-token/avn-token/releases/latest/download/install.sh | sh
#
# Settings (environment variables):
#   AVN_TOKEN_VERSION       the version to install, such as 0.2.0 (default: the latest release)
#   AVN_TOKEN_INSTALL_DIR   where to put avn-token (default: ~/.local/bin; no sudo needed)
#   AVN_TOKEN_DOWNLOAD_URL  the releases page to download from, for a mirror or a fork
#                           (default: https://github.com/avn-token/avn-token/releases);
#                           assets are at $URL/download/v<version>/<asset> and
#                           $URL/latest/download/<asset>, as on GitHub
#
# It picks the archive for this machine (Linux x86_64 and aarch64 get the static musl build;
# macOS by architecture; Windows x86_64 under Git Bash, MSYS2 or Cygwin), downloads it and
# its .sha256 with curl or wget, and installs nothing unless the checksum matches and the
# binary runs. POSIX sh: it runs under dash, bash, zsh, busybox and macOS's sh.

# Everything is inside main, called on the last line: a download cut short runs nothing.
main() {
    set -eu
    repository_url="https://github.com/avn-token/avn-token/releases"
    base_url=${AVN_TOKEN_DOWNLOAD_URL:-$repository_url}
    base_url=${base_url%/}
    install_dir=${AVN_TOKEN_INSTALL_DIR:-${HOME:?HOME is not set; set AVN_TOKEN_INSTALL_DIR}/.local/bin}
    version=${AVN_TOKEN_VERSION:-latest}
    version=${version#v}
    case $version in
        latest) ;;
        '' | *[!0-9A-Za-z.+-]*) fail "AVN_TOKEN_VERSION=$AVN_TOKEN_VERSION is not a version (such as 0.2.0) or \`latest\`" ;;
    esac

    target=$(detect_target)
    case $target in
        *-windows-*) archive="avn-token-$target.zip" binary=avn-token.exe ;;
        *) archive="avn-token-$target.tar.gz" binary=avn-token ;;
    esac
    if [ "$version" = latest ]; then
        asset_url="$base_url/latest/download"
    else
        asset_url="$base_url/download/v$version"
    fi

    downloader=$(pick_downloader)
    scratch=$(mktemp -d 2>/dev/null || mktemp -d -t avn-token)
    trap 'rm -rf "$scratch"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    say "downloading avn-token $version for $target"
    download "$downloader" "$asset_url/$archive" "$scratch/$archive"
    download "$downloader" "$asset_url/$archive.sha256" "$scratch/$archive.sha256"
    verify_checksum "$scratch" "$archive"

    unpack "$scratch" "$archive"
    unpacked="$scratch/avn-token-$target/$binary"
    [ -f "$unpacked" ] || fail "$archive does not hold avn-token-$target/$binary; nothing was installed"
    chmod 755 "$unpacked"
    reported=$("$unpacked" --version 2>/dev/null) ||
        fail "the downloaded avn-token does not run on this machine ($(uname -s) $(uname -m)); nothing was installed"
    installed_version=${reported#avn-token }
    if [ "$version" != latest ] && [ "$installed_version" != "$version" ]; then
        fail "$archive holds avn-token $installed_version, not $version; nothing was installed"
    fi

    mkdir -p "$install_dir" || fail "cannot create $install_dir; set AVN_TOKEN_INSTALL_DIR to a directory you can write"
    # Copied beside the target, then renamed over it: a running avn-token is not disturbed
    # and a failed copy leaves the old one in place.
    partial="$install_dir/.$binary.$$.partial"
    cp "$unpacked" "$partial" || { rm -f "$partial"; fail "cannot write to $install_dir; nothing was installed"; }
    chmod 755 "$partial"
    mv -f "$partial" "$install_dir/$binary" || { rm -f "$partial"; fail "cannot install into $install_dir"; }
    say "installed avn-token $installed_version to $install_dir/$binary"

    case ":${PATH:-}:" in
        *":$install_dir:"* | *":$install_dir/:"*) ;;
        *) say "note: $install_dir is not on your PATH; add it, for example: export PATH=\"$install_dir:\$PATH\"" ;;
    esac
}

say() {
    printf 'avn-token installer: %s\n' "$1" >&2
}

fail() {
    printf 'avn-token installer: error: %s\n' "$1" >&2
    exit 1
}

# The release target for this machine: the archive names of the release workflow.
detect_target() {
    os=$(uname -s)
    arch=$(uname -m)
    case $os in
        Linux)
            case $arch in
                x86_64 | amd64) echo x86_64-unknown-linux-musl; return ;;
                aarch64 | arm64) echo aarch64-unknown-linux-musl; return ;;
            esac ;;
        Darwin)
            # A shell under Rosetta says x86_64 on an Apple silicon Mac: take the native build.
            if [ "$arch" = x86_64 ] && [ "$(sysctl -n hw.optional.arm64 2>/dev/null || true)" = 1 ]; then
                arch=arm64
            fi
            case $arch in
                x86_64) echo x86_64-apple-darwin; return ;;
                arm64 | aarch64) echo aarch64-apple-darwin; return ;;
            esac ;;
        MINGW* | MSYS* | CYGWIN* | Windows_NT)
            case $arch in
                x86_64 | amd64) echo x86_64-pc-windows-msvc; return ;;
            esac ;;
    esac
    fail "no avn-token release for this platform ($os $arch): releases are built for Linux and macOS (x86_64, arm64) and Windows (x86_64); elsewhere install it with \`pipx install avn-token\` or \`cargo install avn-token\`"
}

pick_downloader() {
    if command -v curl >/dev/null 2>&1; then
        echo curl
    elif command -v wget >/dev/null 2>&1; then
        echo wget
    else
        fail "neither curl nor wget is installed; install one of them and run this again"
    fi
}

# Download $2 to $3 with the downloader $1, following redirects (GitHub's latest/download
# is one); a missing asset and an unreachable server are told apart.
download() {
    if [ "$1" = curl ]; then
        status=0
        curl --fail --silent --show-error --location --retry 2 --connect-timeout 10 \
            --output "$3" "$2" 2>"$3.log" || status=$?
        case $status in
            0) return ;;
            22) fail "$2 was not found (is $version a released version of avn-token?)$(details "$3.log")" ;;
            *) fail "cannot download $2$(details "$3.log")" ;;
        esac
    else
        status=0
        wget --quiet --tries=3 --timeout=10 --output-document="$3" "$2" 2>"$3.log" || status=$?
        case $status in
            0) return ;;
            8) fail "$2 was not found (is $version a released version of avn-token?)" ;;
            *) fail "cannot download $2 (wget exit status $status: the server is unreachable or refused)" ;;
        esac
    fi
}

# ": what the downloader said", on one line, when it said anything.
details() {
    said=$(tr '\n' ' ' <"$1" | sed 's/^curl: ([0-9]*) //; s/ *$//')
    [ -n "$said" ] && printf ': %s' "$said"
    return 0
}

# The archive's SHA-256 must be the one in its .sha256 file (sha256sum's format: the hash,
# two spaces or a space and `*`, the file name), or nothing is installed.
verify_checksum() {
    line=$(head -n 1 "$1/$2.sha256")
    expected=$(printf '%s' "$line" | cut -d ' ' -f 1 | tr 'A-F' 'a-f')
    named=$(printf '%s' "$line" | cut -d ' ' -f 2- | sed 's/^ *\**//')
    case $expected in
        *[!0-9a-f]*) fail "$2.sha256 does not hold a SHA-256 checksum; nothing was installed" ;;
    esac
    [ ${#expected} -eq 64 ] || fail "$2.sha256 does not hold a SHA-256 checksum; nothing was installed"
    if [ -n "$named" ] && [ "$named" != "$2" ]; then
        fail "$2.sha256 is the checksum of $named, not of $2; nothing was installed"
    fi
    if command -v sha256sum >/dev/null 2>&1; then
        actual=$(sha256sum "$1/$2" | cut -d ' ' -f 1)
    elif command -v shasum >/dev/null 2>&1; then
        actual=$(shasum -a 256 "$1/$2" | cut -d ' ' -f 1)
    elif command -v openssl >/dev/null 2>&1; then
        actual=$(openssl dgst -sha256 "$1/$2" | sed 's/^.*= *//')
    else
        fail "no SHA-256 tool (sha256sum, shasum or openssl) to verify the download with; nothing was installed"
    fi
    [ "$actual" = "$expected" ] ||
        fail "checksum mismatch for $2: expected $expected, got $actual; the download is damaged or was tampered with, and nothing was installed"
}

unpack() {
    case $2 in
        *.zip)
            if command -v unzip >/dev/null 2>&1; then
                unzip -q -o "$1/$2" -d "$1" || fail "cannot unpack $2; nothing was installed"
            elif command -v powershell.exe >/dev/null 2>&1 && command -v cygpath >/dev/null 2>&1; then
                # Git Bash without unzip: Windows' own.
                powershell.exe -NoProfile -NonInteractive -Command \
                    "Expand-Archive -Force -LiteralPath '$(cygpath -w "$1/$2")' -DestinationPath '$(cygpath -w "$1")'" >/dev/null ||
                    fail "cannot unpack $2; nothing was installed"
            else
                fail "unzip is needed to unpack $2"
            fi ;;
        *)
            tar -xzf "$1/$2" -C "$1" || fail "cannot unpack $2; nothing was installed" ;;
    esac
}

main "$@"
