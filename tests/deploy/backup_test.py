#!/usr/bin/env python3
"""scripts/assistd-backup.py on a data dir laid out like assistd's (WAL databases,
content-addressed blobs, a held LOCK): online backup to a directory and to a tar,
verify, restore, and the refusals.

  backup_test.py [--repo DIR] [unittest options]
"""

import argparse
import fcntl
import hashlib
import os
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import unittest

REPO = None


def tool(*args, stdout=None):
    return subprocess.run([sys.executable, os.path.join(REPO, "scripts/assistd-backup.py"), *args],
                          stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE)


def put_blob(data_dir, data):
    sha = hashlib.sha256(data).hexdigest()
    folder = os.path.join(data_dir, "blobs", "sha256", sha[:2])
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, sha), "wb") as f:
        f.write(data)
    return sha


class BackupTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.data = os.path.join(self.tmp.name, "data")
        os.makedirs(os.path.join(self.data, "blobs", "tmp"))
        os.makedirs(os.path.join(self.data, "vectors"))
        open(os.path.join(self.data, "LOCK"), "w").close()
        open(os.path.join(self.data, "vectors", "vs_x.idx"), "w").close()
        self.conns = {}
        for db, version in (("files.db", 1), ("retrieval.db", 2), ("orchestrator.db", 1)):
            c = sqlite3.connect(os.path.join(self.data, db))
            c.execute("PRAGMA journal_mode=WAL")
            c.execute(f"PRAGMA user_version={version}")
            self.conns[db] = c
        f = self.conns["files.db"]
        f.execute("CREATE TABLE blobs(sha256 TEXT PRIMARY KEY, bytes INTEGER, refcount INTEGER)")
        self.kept = put_blob(self.data, b"kept bytes\n")
        put_blob(self.data, b"orphan bytes\n")  # unreferenced: still copied, harmless
        f.execute("INSERT INTO blobs VALUES(?, 11, 1)", (self.kept,))
        # A file deleted while the backup ran: its row is in the copy, its bytes are not.
        f.execute("INSERT INTO blobs VALUES(?, 5, 1)", ("f" * 64,))
        f.commit()
        r = self.conns["retrieval.db"]
        r.execute("CREATE TABLE chunks(id INTEGER PRIMARY KEY, text TEXT)")
        r.executemany("INSERT INTO chunks(text) VALUES(?)", [(f"chunk {i}",) for i in range(5000)])
        r.commit()  # stays in the WAL while the connection is open
        # The running server holds the lock.
        self.lock = open(os.path.join(self.data, "LOCK"))
        fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def tearDown(self):
        self.lock.close()
        for c in self.conns.values():
            c.close()
        self.tmp.cleanup()

    def test_directory_backup_verify_and_restore(self):
        dest = os.path.join(self.tmp.name, "backup")
        out = tool("backup", self.data, dest)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(sorted(os.listdir(dest)),
                         ["assistd-backup.json", "blobs", "files.db", "orchestrator.db", "retrieval.db"])
        self.assertIn(b"deleted while the backup ran", out.stderr)
        copy = sqlite3.connect(os.path.join(dest, "retrieval.db"))
        self.assertEqual(copy.execute("SELECT count(*) FROM chunks").fetchone()[0], 5000)
        self.assertEqual(copy.execute("PRAGMA user_version").fetchone()[0], 2)
        self.assertEqual(copy.execute("PRAGMA journal_mode").fetchone()[0], "delete")
        copy.close()
        self.assertEqual(tool("verify", dest).returncode, 0)

        # Restoring over the running server's dir is refused.
        refused = tool("restore", dest, self.data)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn(b"in use by a running assistd", refused.stderr)

        target = os.path.join(self.tmp.name, "restored")
        out = tool("restore", dest, target)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertTrue(os.path.exists(os.path.join(target, "blobs", "sha256", self.kept[:2], self.kept)))
        self.assertFalse(os.path.exists(os.path.join(target, "vectors")))
        # A second restore into the now non-empty dir needs --move-aside.
        again = tool("restore", dest, target)
        self.assertIn(b"not empty", again.stderr)
        self.assertEqual(tool("restore", "--move-aside", dest, target).returncode, 0)
        self.assertTrue(any(n.startswith("pre-restore-") for n in os.listdir(target)))

    def test_tar_stream_and_corruption(self):
        archive = os.path.join(self.tmp.name, "backup.tar")
        with open(archive, "wb") as f:
            out = tool("backup", self.data, "-", stdout=f)
        self.assertEqual(out.returncode, 0, out.stderr)
        with tarfile.open(archive) as t:
            names = t.getnames()
        # Referrers first, blobs last.
        self.assertEqual(names[:3], ["orchestrator.db", "retrieval.db", "files.db"])
        self.assertTrue(all(n.startswith("blobs/sha256/") for n in names[3:-1]))
        self.assertEqual(names[-1], "assistd-backup.json")
        self.assertEqual(tool("verify", archive).returncode, 0)
        # The database copies were staged on the data volume and are gone.
        self.assertEqual([n for n in os.listdir(self.data) if n.startswith(".assistd-")], [])

        # As in docs/operations.md: the tar copied onto the (stopped) volume,
        # restored with --move-aside over the old contents.
        self.lock.close()
        for c in self.conns.values():
            c.close()
        self.conns = {}
        inside = os.path.join(self.data, ".assistd-restore.tar")
        os.rename(archive, inside)
        out = tool("restore", "--move-aside", inside, self.data)
        self.assertEqual(out.returncode, 0, out.stderr)
        names = sorted(os.listdir(self.data))
        self.assertEqual([n for n in names if not n.startswith(("pre-restore-", ".assistd-restore.tar"))],
                         ["LOCK", "blobs", "files.db", "orchestrator.db", "retrieval.db"])
        (aside,) = [n for n in names if n.startswith("pre-restore-")]
        self.assertIn("vectors", os.listdir(os.path.join(self.data, aside)))
        self.assertEqual([n for n in names if n.startswith(".assistd-") and n != ".assistd-restore.tar"], [])
        restored = sqlite3.connect(os.path.join(self.data, "retrieval.db"))
        self.assertEqual(restored.execute("SELECT count(*) FROM chunks").fetchone()[0], 5000)
        restored.close()
        self.lock = open(os.path.join(self.data, "LOCK"))
        os.rename(inside, archive)

        # A blob whose content no longer matches its name fails verification.
        dest = os.path.join(self.tmp.name, "unpacked")
        with tarfile.open(archive) as t:
            t.extractall(dest)
        with open(os.path.join(dest, "blobs", "sha256", self.kept[:2], self.kept), "ab") as f:
            f.write(b"tampered")
        bad = tool("verify", dest)
        self.assertEqual(bad.returncode, 1)
        self.assertIn(b"does not match its name", bad.stderr)

    def test_refuses_what_is_not_a_data_dir(self):
        empty = os.path.join(self.tmp.name, "empty")
        os.makedirs(empty)
        out = tool("backup", empty, os.path.join(self.tmp.name, "x"))
        self.assertNotEqual(out.returncode, 0)
        self.assertIn(b"does not look like an assistd data dir", out.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--repo", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
    args, rest = parser.parse_known_args()
    REPO = os.path.abspath(args.repo)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
