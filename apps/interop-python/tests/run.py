"""Runs the peer's unit tests and writes reports/unittest.json in vitest's
JSON shape, so the repository's test summary counts them."""

import json
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
result = unittest.TextTestRunner(verbosity=1).run(unittest.defaultTestLoader.discover(str(HERE)))
failed = len(result.failures) + len(result.errors)
skipped = len(result.skipped)
reports = HERE.parent / "reports"
reports.mkdir(exist_ok=True)
(reports / "unittest.json").write_text(
    json.dumps(
        {
            "numTotalTests": result.testsRun,
            "numPassedTests": result.testsRun - failed - skipped,
            "numFailedTests": failed,
            "numPendingTests": skipped,
            "success": result.wasSuccessful(),
        },
        indent=2,
    )
    + "\n"
)
sys.exit(0 if result.wasSuccessful() else 1)
