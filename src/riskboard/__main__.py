import sys

from riskboard.cli import main

sys.exit(main())
