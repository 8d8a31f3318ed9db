"""Run every benchmark in bench/ (each module's main()), one after the other; exit 1 if any missed a goal."""

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    failed = []
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_"))
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "main"):
            continue
        print(f"\n=== bench.{name} ===", flush=True)
        if module.main([]):
            failed.append(name)
    if failed:
        print(f"\nGoals missed in: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
