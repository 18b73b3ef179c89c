#!/usr/bin/env bash
# Installs KarmaKit from this source tree: self-contained binaries (no .NET runtime needed on the
# target), systemd units, the system user, example configuration and the Exim kit.
#
#   sudo ./install.sh                  build with `dotnet publish` and install into /
#   DESTDIR=/tmp/root ./install.sh     lay the files down under a scratch root (packaging, tests)
#   sudo ./install.sh --uninstall      remove programs, units and docs; keep configuration and data
#   sudo ./install.sh --uninstall --purge   also remove /etc/karmakit, the spool, the state and karma.log
#
# KARMAKIT_PUBLISHED=DIR skips the build and installs DIR/karmakit-reporter and DIR/karmakit-collector.
# Existing files under /etc/karmakit are never overwritten: new examples go next to them as *.dist.
set -euo pipefail
cd "$(dirname "$0")"
root=${DESTDIR:-}
mode=install purge=no
for a in "$@"; do
  case "$a" in
    --uninstall) mode=uninstall ;;
    --purge) purge=yes ;;
    *) echo "usage: [DESTDIR=dir] $0 [--uninstall [--purge]]" >&2; exit 64 ;;
  esac
done

lib=$root/usr/lib/karmakit
units=$root/usr/lib/systemd/system
etc=$root/etc/karmakit
doc=$root/usr/share/doc/karmakit
live() { [ -z "$root" ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; }

if [ "$mode" = uninstall ]; then
  if live; then systemctl disable --now karmakit-reporter.service karmakit-collector.service 2>/dev/null || true; fi
  rm -rf "$lib" "$doc" "$root/usr/share/karmakit"
  rm -f "$root/usr/bin/karmakit-reporter" "$root/usr/bin/karmakit-collector" \
        "$units/karmakit-reporter.service" "$units/karmakit-collector.service" \
        "$root/usr/lib/sysusers.d/karmakit.conf" "$root/usr/lib/tmpfiles.d/karmakit.conf" \
        "$root/etc/logrotate.d/karmakit-collector"
  if [ "$purge" = yes ]; then
    rm -rf "$etc" "$root/var/spool/karmakit" "$root/var/lib/karmakit" "$root/var/log/karmakit"
    echo "karmakit: removed, configuration and data included"
  else
    echo "karmakit: removed; kept $etc, /var/spool/karmakit, /var/lib/karmakit and /var/log/karmakit (--purge removes them)"
  fi
  if live; then systemctl daemon-reload; fi
  exit 0
fi

published=${KARMAKIT_PUBLISHED:-}
if [ -z "$published" ]; then
  published=$(mktemp -d /tmp/karmakit-publish.XXXXXX)
  trap 'rm -rf "$published"' EXIT
  for p in reporter/KarmaKit.Reporter collector/KarmaKit.Collector; do
    echo "karmakit: publishing $p (self-contained, linux-x64)"
    dotnet publish "$p" -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true -p:PublishReadyToRun=true \
      -p:DebugType=none -o "$published" --nologo -v quiet
  done
fi

install -d -m 0755 "$lib" "$root/usr/bin" "$units" "$doc" "$root/usr/lib/sysusers.d" "$root/usr/lib/tmpfiles.d" \
  "$root/etc/logrotate.d" "$root/usr/share/karmakit/exim"
install -d -m 0755 "$etc" "$etc/exim"
for b in karmakit-reporter karmakit-collector; do
  install -m 0755 "$published/$b" "$lib/$b"
  ln -sf "../lib/karmakit/$b" "$root/usr/bin/$b"
done
install -m 0644 reporter/karmakit-reporter.service collector/karmakit-collector.service "$units/"
install -m 0644 packaging/karmakit.sysusers "$root/usr/lib/sysusers.d/karmakit.conf"
install -m 0644 packaging/karmakit.tmpfiles "$root/usr/lib/tmpfiles.d/karmakit.conf"
install -m 0644 collector/karmakit-collector.logrotate "$root/etc/logrotate.d/karmakit-collector"
install -m 0644 README.md "$doc/README.md"
install -m 0644 exim-config/README.md "$doc/exim-config.md"
cp -r exim-config/example exim-config/debian "$root/usr/share/karmakit/exim/"

# Configuration: examples only where the admin has nothing yet.
place() { # $1 source, $2 target, $3 mode
  if [ -e "$2" ] && ! cmp -s "$1" "$2"; then install -m "$3" "$1" "$2.dist"; else install -m "$3" "$1" "$2"; fi
}
place packaging/reporter.json "$etc/reporter.json" 0640
place packaging/collector.json "$etc/collector.json" 0640
for f in karmakit-main.conf karmakit-acl.conf; do place "exim-config/$f" "$etc/exim/$f" 0644; done
place exim-config/debian/debian-check-data "$etc/exim/debian-check-data" 0644

if live; then
  systemd-sysusers karmakit.conf 2>/dev/null || systemd-sysusers
  systemd-tmpfiles --create karmakit.conf 2>/dev/null || systemd-tmpfiles --create /usr/lib/tmpfiles.d/karmakit.conf
  chgrp karmakit "$etc/reporter.json" "$etc/collector.json"
  systemctl daemon-reload
  echo "karmakit: installed. Next: edit $etc/reporter.json (and collector.json on the collector host),"
  echo "  systemctl enable --now karmakit-reporter   (and/or karmakit-collector)"
  echo "  the Exim side: /usr/share/doc/karmakit/exim-config.md, then karmakit-reporter check-exim"
else
  echo "karmakit: files laid down under ${root:-/} (no users, services or daemon-reload: not a live systemd root)"
fi
