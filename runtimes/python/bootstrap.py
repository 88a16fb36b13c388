"""Sluice's Python runtime client: `python3 bootstrap.py` with cwd = LAMBDA_TASK_ROOT.

Kept tiny on purpose: the main script is compiled on every start, imported modules come from bytecode caches.
"""
import sys

import _sluice_runtime

if __name__ == "__main__":
    sys.exit(_sluice_runtime.main())
