import sys

from zwizard.cli import main

sys.exit(main())
