"""Import the reliability/ folder of the checkout as the package `reliability`.

`python -P -m pytest` keeps the checkout root off sys.path (so that `import graph` fails as it
would once installed); this loads reliability/ alone, without putting the root on the path.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[1] / "reliability"


def load() -> None:
    """Make `import reliability.<module>` work."""
    if "reliability" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        "reliability", FOLDER / "__init__.py", submodule_search_locations=[str(FOLDER)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["reliability"] = module
    spec.loader.exec_module(module)


load()
