"""Loaded by pytest with `-p config.test_env` (pyproject), before Django is set up."""

import os

# Tests run with DEBUG off; a throwaway key is enough there.
os.environ.setdefault("SECRET_KEY", "tests-only-not-secret-" + "x0y1z2w3" * 6)
os.environ["EMAIL_BACKEND"] = "locmem"
os.environ.setdefault("PTCE_PLAIN_STATIC", "1")
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("SITE_URL", "http://testserver")
# No map tiles from the internet in the tests: the poles on a plain background.
os.environ.setdefault("MAP_TILES_URL", "")
