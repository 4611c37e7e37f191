import sys

from accord_cli.cli import main

sys.exit(main())
