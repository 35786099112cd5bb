#!/bin/sh
# Consistent online backup of the intake store (safe while the service runs: sqlite3's
# .backup copies a transactionally consistent snapshot, WAL included; never copy the
# .sqlite3 file alone with cp). Run daily from cron as the service's user, e.g.
#   15 2 * * *  /srv/ecoportal/project/deploy/backup-intake.sh
# Backups hold personal data: keep them owner-only, on the bureau's own storage, and delete
# them after the retention period of data/intake.yml (`retention_days`), as the privacy
# notice promises. A request erased with `ecoportal intake delete` stays in older backups
# until they expire.
set -eu
umask 077
STORE="${ECOPORTAL_INTAKE_STORE:-/var/lib/ecoportal/intake}"
DEST="${ECOPORTAL_INTAKE_BACKUPS:-/var/backups/ecoportal}"
KEEP_DAYS="${ECOPORTAL_BACKUP_KEEP_DAYS:-30}"
mkdir -p "$DEST"
out="$DEST/consultations-$(date +%Y%m%d-%H%M%S).sqlite3"
sqlite3 "$STORE/consultations.sqlite3" ".backup '$out'"
sqlite3 "$out" "PRAGMA integrity_check;" | grep -qx ok
find "$DEST" -name 'consultations-*.sqlite3' -mtime +"$KEEP_DAYS" -delete
echo "backup written: $out"
