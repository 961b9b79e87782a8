#!/usr/bin/env bash
# Builds the Debian package of Sluice for this machine's architecture (amd64 here, arm64 on a
# Raspberry Pi: there is no cross SDK, so build the arm64 package on an arm64 machine):
#   scripts/build-deb.sh            -> .build-deb/sluice_<version>_<arch>.deb, and .build-deb/sluice.deb
#                                      (a link to it: the path the package test reads)
# The binary is a release build with the Swift runtime linked in (--static-swift-stdlib): a
# gateway has no /opt/swift. The C libraries stay Debian's, and Depends is computed from the
# binary by dpkg-shlibdeps. The staged tree is packaging/deb/* plus:
#   /usr/bin/sluice                       stripped
#   /lib/systemd/system/sluice.service    from systemd/sluice.service
#   /etc/sluice/sluice.yaml               config/sluice.yaml fitted to the installed layout (conffile)
#   /etc/sluice/devices/*.yaml            from devices/ (conffiles)
#   /usr/share/doc/sluice/                copyright, changelog.gz, README.devices.md
# Environment: SLUICE_VERSION (default 0.1.0~git<commit time>.<commit>), DEB_MAINTAINER.
# Needs dpkg-dev and binutils (scripts/bootstrap.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
SWIFT=${SWIFT:-swift}

out="$PWD/.build-deb"
arch=$(dpkg --print-architecture)
commit=$(git rev-parse --short=12 HEAD)
version=${SLUICE_VERSION:-0.1.0~git$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y%m%d%H%M%S).$commit}
maintainer=${DEB_MAINTAINER:-Sluice engineers <sluice@example.invalid>}

# Release build in its own scratch folder: --static-swift-stdlib recompiles every module, so in
# the default .build it would throw away `make release`'s objects each time and the other way round.
# --disable-local-rpath: no $ORIGIN RPATH in /usr/bin/sluice (it loads nothing from beside itself).
build=(-c release --product sluice --static-swift-stdlib --disable-local-rpath --scratch-path "$out/build")
$SWIFT build "${build[@]}"
binary="$($SWIFT build "${build[@]}" --show-bin-path)/sluice"

# Nothing to do when the binary and every packaged file are what the last package was made of
# (`make test` runs this before every test run; compressing 60 MB takes a while).
inputs=$( { echo "$version $arch $maintainer"; sha256sum "$binary" scripts/build-deb.sh packaging/deb/* \
  systemd/sluice.service config/sluice.yaml devices/*; } | sha256sum | cut -d' ' -f1)
if [ -e "$out/sluice.deb" ] && [ "$(cat "$out/inputs.sha256" 2>/dev/null)" = "$inputs" ]; then
  echo "build-deb: $out/$(readlink "$out/sluice.deb") is up to date"
  exit 0
fi

stage="$out/stage"
rm -rf "$stage"
mkdir -p "$stage/DEBIAN"

install -D -m 0755 "$binary" "$stage/usr/bin/sluice"
# What dh_strip does for an executable.
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/bin/sluice"
if readelf -d "$stage/usr/bin/sluice" | grep -Eq 'RPATH|RUNPATH|/opt/swift'; then
  echo "build-deb: /usr/bin/sluice still has an RPATH or needs /opt/swift:" >&2
  readelf -d "$stage/usr/bin/sluice" | grep -E 'NEEDED|RPATH|RUNPATH' >&2
  exit 1
fi

install -D -m 0644 systemd/sluice.service "$stage/lib/systemd/system/sluice.service"

# The shipped config, fitted to the installed layout: device profiles in /etc/sluice/devices (the
# loader's default; relative paths would resolve against /etc/sluice), and no fixed gateway_id, so
# each gateway defaults to its host name instead of every one of them calling itself gw-0001.
install -d -m 0755 "$stage/etc/sluice/devices"
sed -e 's|^devices_dir: \.\./devices$|devices_dir: /etc/sluice/devices|' \
    -e "s|^# Default /etc/sluice/devices\. Here: the repository's devices/ folder\.$|# Default /etc/sluice/devices.|" \
    -e 's|^gateway_id: gw-0001$|#gateway_id: gw-0001|' \
    config/sluice.yaml >"$stage/etc/sluice/sluice.yaml"
for expected in '^devices_dir: /etc/sluice/devices$' '^data_dir: /var/lib/sluice$' '^#gateway_id: ' '^# Default /etc/sluice/devices\.$'; do
  if ! grep -q "$expected" "$stage/etc/sluice/sluice.yaml"; then
    echo "build-deb: config/sluice.yaml changed shape: no line matching '$expected' after fitting it to /etc/sluice; update scripts/build-deb.sh" >&2
    exit 1
  fi
done
chmod 0644 "$stage/etc/sluice/sluice.yaml"
install -m 0644 devices/*.yaml "$stage/etc/sluice/devices/"

doc="$stage/usr/share/doc/sluice"
install -d -m 0755 "$doc"
{
  cat packaging/deb/copyright
  for dependency in GRDB.swift Yams; do
    license=$(ls "$out/build/checkouts/$dependency"/LICENSE* | head -n 1)
    printf '\nFiles: (linked in) %s\nCopyright: see below\nLicense: MIT\n' "$dependency"
    sed -e 's/^[[:space:]]*$/./' -e 's/^/ /' "$license"
  done
} >"$doc/copyright"
{
  printf 'sluice (%s) unstable; urgency=medium\n\n' "$version"
  printf '  * Built from commit %s.\n\n' "$commit"
  printf ' -- %s  %s\n' "$maintainer" "$(git log -1 --format=%cD)"
} | gzip -9n >"$doc/changelog.gz"
install -m 0644 devices/README.md "$doc/README.devices.md"
chmod 0644 "$doc/copyright" "$doc/changelog.gz"

# Depends: what dpkg-shlibdeps finds in the binary (it wants a debian/control to run from),
# plus what the maintainer scripts call.
shlibs_dir="$out/shlibdeps"
rm -rf "$shlibs_dir"
mkdir -p "$shlibs_dir/debian"
printf 'Source: sluice\n\nPackage: sluice\nArchitecture: any\n' >"$shlibs_dir/debian/control"
shlibs=$(cd "$shlibs_dir" && dpkg-shlibdeps -O "$stage/usr/bin/sluice")
shlibs=${shlibs#shlibs:Depends=}
depends="$shlibs, adduser, init-system-helpers (>= 1.52)"

install -m 0755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$stage/DEBIAN/"
(cd "$stage" && find etc -type f | sed 's|^|/|' | sort) >"$stage/DEBIAN/conffiles"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" \
    -e "s|@INSTALLED_SIZE@|$installed_size|" -e "s|@DEPENDS@|$depends|" \
    packaging/deb/control.in >"$stage/DEBIAN/control"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/md5sums"

package="$out/sluice_${version}_${arch}.deb"
rm -f "$out"/sluice_*.deb
dpkg-deb --root-owner-group --build "$stage" "$package" >/dev/null
ln -sfn "$(basename "$package")" "$out/sluice.deb"
echo "$inputs" >"$out/inputs.sha256"
echo "build-deb: $package ($(du -k "$package" | cut -f1) KiB; /usr/bin/sluice $(du -k "$stage/usr/bin/sluice" | cut -f1) KiB stripped)"
echo "build-deb: Depends: $depends"
