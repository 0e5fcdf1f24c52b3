#!/usr/bin/env python3
"""Consistent backup and restore of an assistd --data_dir (Python 3 stdlib only).

  assistd-backup backup  DATA_DIR DEST      DEST: a new directory, or '-' for a tar on stdout
  assistd-backup restore [--move-aside] BACKUP DATA_DIR   BACKUP: a directory or a .tar made by `backup`
  assistd-backup verify  BACKUP

`backup` works while assistd runs. The databases are copied with SQLite's online
backup API (a consistent snapshot of each, WAL included), referrers before what
they refer to: orchestrator.db (threads, runs -> files, vector stores), then
retrieval.db (vector stores -> files), then files.db, and the blobs last. Blobs
are written before their row and removed after it, so every row of the copied
files.db has its blob in the copy, except files deleted while the backup ran
(reported in the manifest's missing_blobs: after a restore such a file is still
listed but its content is gone, so delete it again).
vectors/ (a cache rebuilt from retrieval.db), sandbox/ (per-process session
disks) and LOCK are not copied.

`restore` refuses a DATA_DIR that is in use (its LOCK held), and one that is not
empty unless --move-aside (its contents then go to pre-restore-<time>/ inside it);
stop assistd (or scale it to 0) first. A tar (backup to '-') stages its database
copies, and a restore unpacks a tar, in a .assistd-* directory on the data volume
itself: that needs free room there about the size of the databases (resp. the
backup), not in /tmp. See docs/operations.md.
"""

import argparse
import datetime
import fcntl
import hashlib
import io
import json
import os
import shutil
import sqlite3
import sys
import tarfile
import tempfile

# Referrers first (see above).
DATABASES = ["orchestrator.db", "retrieval.db", "files.db"]
MANIFEST = "assistd-backup.json"
# restore --move-aside puts a data dir's previous contents here (inside it).
ASIDE_PREFIX = "pre-restore-"
# Temporary files of this tool inside a data dir (assistd ignores them).
STAGING_PREFIX = ".assistd-"


def log(*parts):
    print("assistd-backup:", *parts, file=sys.stderr)


def backup_database(src_path, dst_path):
    """Copies one database with the online backup API; returns its schema version."""
    src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(dst_path)
    try:
        # Pages are copied in steps; a writer in between restarts the step,
        # never corrupts the copy.
        src.backup(dst, pages=4096)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        check = dst.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise RuntimeError(f"{os.path.basename(src_path)}: copy fails quick_check: {check}")
        return dst.execute("PRAGMA user_version").fetchone()[0]
    finally:
        dst.close()
        src.close()


def referenced_blobs(files_db):
    conn = sqlite3.connect(f"file:{files_db}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT sha256 FROM blobs")}
    except sqlite3.OperationalError:
        return set()
    finally:
        conn.close()


def blob_files(data_dir):
    """(relative path, absolute path) of every blob and derived file, sorted."""
    root = os.path.join(data_dir, "blobs", "sha256")
    out = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            out.append((os.path.relpath(path, data_dir), path))
    out.sort()
    return out


def backup(data_dir, dest):
    if not os.path.isfile(os.path.join(data_dir, "LOCK")) and not any(
        os.path.exists(os.path.join(data_dir, db)) for db in DATABASES
    ):
        raise SystemExit(f"assistd-backup: {data_dir} does not look like an assistd data dir")
    to_tar = dest == "-"
    if not to_tar:
        if os.path.exists(dest) and os.listdir(dest):
            raise SystemExit(f"assistd-backup: {dest} exists and is not empty")
        os.makedirs(dest, exist_ok=True)
    # Database copies for a tar are staged on the data volume (the same room
    # the databases take), not in /tmp, which is small in a pod.
    stage = tempfile.mkdtemp(prefix=STAGING_PREFIX + "backup-", dir=data_dir) if to_tar else dest
    manifest = {
        "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "data_dir": os.path.abspath(data_dir),
        "databases": {},
    }
    try:
        for db in DATABASES:
            src = os.path.join(data_dir, db)
            if not os.path.exists(src):
                continue
            version = backup_database(src, os.path.join(stage, db))
            manifest["databases"][db] = {"user_version": version}
            log(f"{db}: copied (schema version {version})")
        # Blobs after files.db: everything the copied rows name exists by now
        # unless it was deleted in between.
        blobs = blob_files(data_dir)
        copied = set()
        tar = tarfile.open(fileobj=sys.stdout.buffer, mode="w|") if to_tar else None
        try:
            if tar:
                for db in manifest["databases"]:
                    tar.add(os.path.join(stage, db), arcname=db)
            total = 0
            for rel, path in blobs:
                try:
                    if tar:
                        tar.add(path, arcname=rel)
                    else:
                        os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
                        shutil.copy2(path, os.path.join(dest, rel))
                except FileNotFoundError:
                    continue  # removed meanwhile
                copied.add(os.path.basename(rel))
                total += os.path.getsize(path) if os.path.exists(path) else 0
            missing = []
            if "files.db" in manifest["databases"]:
                missing = sorted(referenced_blobs(os.path.join(stage, "files.db")) - copied)
            manifest["blobs"] = {"files": len(copied), "bytes": total}
            manifest["missing_blobs"] = missing
            if missing:
                log(f"{len(missing)} blob(s) were deleted while the backup ran: after a "
                    "restore their files are listed but reading their content fails "
                    "(DATA_LOSS); delete those files again")
            if tar:
                data = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(datetime.datetime.now().timestamp())
                tar.addfile(info, io.BytesIO(data))
            else:
                with open(os.path.join(dest, MANIFEST), "w") as f:
                    json.dump(manifest, f, indent=2)
        finally:
            if tar:
                tar.close()
        log(f"done: {len(manifest['databases'])} database(s), {len(copied)} blob file(s)")
    finally:
        if to_tar:
            shutil.rmtree(stage, ignore_errors=True)


def open_backup(path, under=None):
    """A directory to read the backup from, and the temporary directory to
    remove afterwards (a tar is unpacked into one, under `under` if given)."""
    if os.path.isdir(path):
        return path, None
    tmp = tempfile.mkdtemp(prefix=STAGING_PREFIX + "restore-", dir=under)
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            name = os.path.normpath(member.name)
            if not (member.isfile() or member.isdir()) or name.startswith(("/", "..")):
                shutil.rmtree(tmp, ignore_errors=True)
                raise SystemExit(f"assistd-backup: {path}: unexpected entry {member.name!r}")
        tar.extractall(tmp)
    return tmp, tmp


def verify_dir(root):
    with open(os.path.join(root, MANIFEST)) as f:
        manifest = json.load(f)
    problems = []
    for db in manifest["databases"]:
        conn = sqlite3.connect(f"file:{os.path.join(root, db)}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                problems.append(f"{db}: integrity_check failed")
        finally:
            conn.close()
    for rel, full in blob_files(root):
        name = os.path.basename(rel)
        if "." in name:
            continue  # derived data (extracted text), not named by its hash
        h = hashlib.sha256()
        with open(full, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        if h.hexdigest() != name:
            problems.append(f"{rel}: content does not match its name")
    for p in problems:
        log(p)
    if problems:
        raise SystemExit(1)
    log(f"ok: {', '.join(manifest['databases']) or 'no database'}; "
        f"{manifest['blobs']['files']} blob file(s)")
    return manifest


def verify(path):
    root, tmp = open_backup(path)
    try:
        return verify_dir(root)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def fsync_path(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def restore(path, data_dir, move_aside=False):
    os.makedirs(data_dir, exist_ok=True)
    lock = os.path.join(data_dir, "LOCK")
    if os.path.exists(lock):
        fd = os.open(lock, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SystemExit(f"assistd-backup: {data_dir} is in use by a running assistd; stop it first")
        finally:
            os.close(fd)
    backup_path = os.path.abspath(path)

    def leftovers():
        return [n for n in os.listdir(data_dir)
                if n not in ("LOCK", "lost+found") and not n.startswith((ASIDE_PREFIX, STAGING_PREFIX))
                and os.path.join(os.path.abspath(data_dir), n) != backup_path]

    # A tar is unpacked on the data volume itself, so its files are renamed
    # into place rather than copied (and /tmp, small in a pod, is not used).
    root, tmp = open_backup(path, under=data_dir)
    try:
        manifest = verify_dir(root)
        if leftovers() and move_aside:
            aside = os.path.join(data_dir, ASIDE_PREFIX +
                                 datetime.datetime.now().strftime("%Y%m%dT%H%M%S"))
            os.makedirs(aside)
            for name in leftovers():
                os.rename(os.path.join(data_dir, name), os.path.join(aside, name))
            log(f"moved the previous contents to {aside} (delete it once the restore is checked)")
        if leftovers():
            raise SystemExit(f"assistd-backup: {data_dir} is not empty "
                             f"({', '.join(sorted(leftovers())[:5])}); "
                             "restore into an empty data dir, or pass --move-aside")
        place = os.rename if tmp else shutil.copy2
        written = []
        for db in manifest["databases"]:
            place(os.path.join(root, db), os.path.join(data_dir, db))
            written.append(os.path.join(data_dir, db))
        for rel, full in blob_files(root):
            os.makedirs(os.path.dirname(os.path.join(data_dir, rel)), exist_ok=True)
            place(full, os.path.join(data_dir, rel))
            written.append(os.path.join(data_dir, rel))
        # Durable before assistd is started on them: the files and their directories.
        for f in written:
            fsync_path(f)
        for d in {os.path.dirname(f) for f in written}:
            fsync_path(d)
        log(f"restored into {data_dir}; vector indexes are rebuilt from retrieval.db on first use")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("backup", help="copy a (running) data dir")
    b.add_argument("data_dir")
    b.add_argument("dest", help="a new directory, or - for a tar stream on stdout")
    r = sub.add_parser("restore", help="restore a backup into an empty, unused data dir")
    r.add_argument("backup")
    r.add_argument("data_dir")
    r.add_argument("--move-aside", action="store_true",
                   help=f"move what the data dir holds into {ASIDE_PREFIX}<time>/ inside it first")
    v = sub.add_parser("verify", help="check a backup's databases and blob hashes")
    v.add_argument("backup")
    args = parser.parse_args()
    if args.command == "backup":
        backup(args.data_dir, args.dest)
    elif args.command == "restore":
        restore(args.backup, args.data_dir, args.move_aside)
    else:
        verify(args.backup)


if __name__ == "__main__":
    main()
