"""`python -m bench` (and `make bench`): the scale benchmark of issue 8, bench/scale.py.

Each benchmark also runs on its own: python -m bench.scale, bench.board_dashboard, bench.briefs,
bench.tax_import; bench.dataset builds the scale data set alone, bench.floor is the bare app it is measured
against. Arguments are passed on to bench.scale (python -m bench --help).
"""

import sys

from bench.scale import main

if __name__ == "__main__":
    sys.exit(main())
