"""Hypothesis profiles: reproducible in CI, searching freely everywhere else.

With the environment variable CI set (CI runs ``.ci/run`` with CI=true), every property
test draws the same examples on every run (``derandomize``), so a submission cannot pass
or fail on the luck of a draw. Elsewhere hypothesis searches with fresh random examples
and keeps the failing ones in its database (.hypothesis/), so that developers keep
finding new cases; a failure prints the seed that reproduces it
(``pytest --hypothesis-seed=K``) and the example to pin with ``@example``.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
