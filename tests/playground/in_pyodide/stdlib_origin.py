"""Run in Pyodide by test_precompile.py: where two stdlib modules were loaded from (JSON)."""

import argparse
import asyncio
import json

print(json.dumps({"argparse": argparse.__file__, "asyncio": asyncio.__file__}))
