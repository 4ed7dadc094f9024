#!/usr/bin/env bash
# Back up one database of the suite: the PostgreSQL dump (custom format,
# compressed) and Tryton's file store of that database (the receipts' PDFs
# and the attachments), in one folder.
#
#   ops/backup.sh DATABASE DESTINATION
#
# Environment: the libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD…)
# and TRYTOND_DATABASE__PATH, the file store's root (trytond's
# [database] path; /var/lib/trytond/filestore in the production image).
# DESTINATION gets DATABASE.dump, filestore.tar and SHA256SUMS. The dump is
# taken in one snapshot (pg_dump); take it when the cron and the workers
# are idle, or stop them, so that no file is added between the two.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 DATABASE DESTINATION" >&2; exit 2; }
database=$1
destination=$2
store=${TRYTOND_DATABASE__PATH:?set TRYTOND_DATABASE__PATH to the file store}
mkdir -p "$destination"
pg_dump --format=custom --no-owner --file="$destination/$database.dump" \
    "$database"
if [ -d "$store/$database" ]; then
    tar --create --file="$destination/filestore.tar" \
        --directory="$store" "$database"
else
    # No file stored yet: an empty archive keeps the restore uniform.
    tar --create --file="$destination/filestore.tar" --files-from=/dev/null
fi
(cd "$destination" && sha256sum "$database.dump" filestore.tar > SHA256SUMS)
echo "$destination: $(du -sh "$destination" | cut -f1)"
