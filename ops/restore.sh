#!/usr/bin/env bash
# Restore a backup of ops/backup.sh into a new database.
#
#   ops/restore.sh BACKUP_FOLDER DATABASE NEW_DATABASE
#
# DATABASE is the name the backup was taken of (BACKUP_FOLDER/DATABASE.dump),
# NEW_DATABASE must not exist: it is created, the dump restored into it and
# the file store copied to TRYTOND_DATABASE__PATH/NEW_DATABASE. The
# checksums are verified first; nothing is created when they differ.
# Environment: as ops/backup.sh.
set -euo pipefail
[ $# -eq 3 ] || {
    echo "usage: $0 BACKUP_FOLDER DATABASE NEW_DATABASE" >&2; exit 2; }
backup=$1
database=$2
target=$3
store=${TRYTOND_DATABASE__PATH:?set TRYTOND_DATABASE__PATH to the file store}
(cd "$backup" && sha256sum --check --quiet SHA256SUMS)
if [ -e "$store/$target" ]; then
    echo "$store/$target exists: choose another database name" >&2
    exit 1
fi
createdb "$target"
if ! pg_restore --exit-on-error --no-owner --dbname="$target" \
        "$backup/$database.dump"; then
    dropdb "$target"
    exit 1
fi
mkdir -p "$store/$target"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar --extract --file="$backup/filestore.tar" --directory="$tmp"
if [ -d "$tmp/$database" ]; then
    cp -a "$tmp/$database/." "$store/$target/"
fi
echo "restored $backup into $target"
