"""The `zoneops` command: demo, serve, worker and every Django management command."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zoneops.config.settings")
    if len(sys.argv) > 1 and sys.argv[1] == "demo":
        # The demo runs on the user's own machine over plain HTTP.
        os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
