"""`python -m appliance.cli`: how `loket run` starts its web and worker processes."""

import sys

from . import main

sys.exit(main())
