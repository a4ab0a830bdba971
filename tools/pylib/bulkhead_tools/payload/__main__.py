"""`python3 -m bulkhead_tools.payload` (with tools/pylib on PYTHONPATH); see command.py."""

import sys

from .command import main

sys.exit(main())
