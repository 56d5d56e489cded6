"""One SHA-256 over every file of a directory tree: its relative paths and bytes, so any change shows."""
import hashlib
from pathlib import Path


def checksum(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(directory)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
