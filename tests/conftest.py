"""Suite-wide set-up: kernels compiled by tests go to a private cache folder, never to the
user's ~/.cache/torsh (tests that exercise the cache itself set their own folders)."""

import os
import tempfile

_CACHE = tempfile.mkdtemp(prefix="torsh-test-cache-")
os.environ.setdefault("TORSH_CACHE_DIR", _CACHE)
